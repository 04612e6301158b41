/**
 * Node's `IncomingMessage` → Web `Request`, Web `Response` → `ServerResponse` (internal to `node.ts`). The body is
 * streamed (never read whole here), counted, and cut off past the limit; the response body is written with
 * backpressure and cancelled when the client goes away.
 * @module
 */
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from "node:http";

/** What the conversion of one request found out about its body. */
export interface BodyState {
  /** True once more than the limit arrived (the answer is then 413, whatever the handler said). */
  tooLarge: boolean;
}

/** Thrown into the body stream when a client sends more than the limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes.`);
  }
}

const NO_BODY = new Set(["GET", "HEAD"]);

/** The request's URL: its path and query (never an absolute-form target's host) on the `Host` it was sent to. */
function urlOf(incoming: IncomingMessage): URL | null {
  const target = (incoming as { originalUrl?: unknown }).originalUrl ?? incoming.url ?? "/";
  if (typeof target !== "string") return null;
  const encrypted = (incoming.socket as { encrypted?: boolean } | null)?.encrypted === true;
  try {
    const origin = new URL(`${encrypted ? "https" : "http"}://${incoming.headers.host ?? "localhost"}`);
    if (origin.pathname !== "/" || origin.search !== "" || origin.username !== "") return null;
    const path = target.startsWith("/") ? target : new URL(target).pathname + new URL(target).search;
    // "//evil.example/x" must stay a path on this host, not become another origin
    return new URL(`${origin.origin}${path.replace(/^\/+/, "/")}`);
  } catch {
    return null;
  }
}

/** A counted, limited Web stream over the request body; pauses the socket while the reader is behind. */
function bodyOf(incoming: IncomingMessage, limit: number, state: BodyState): ReadableStream<Uint8Array> {
  let received = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: Error) => {
          if (finished) return;
          finished = true;
          controller.error(error);
        };
        incoming.on("data", (chunk: Buffer) => {
          if (finished) return;
          received += chunk.byteLength;
          if (received > limit) {
            state.tooLarge = true;
            incoming.pause();
            fail(new BodyTooLarge(limit));
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        });
        incoming.once("end", () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        incoming.once("error", fail);
        incoming.once("close", () => fail(new Error("The client closed the connection before the body ended.")));
        incoming.pause();
      },
      pull() {
        incoming.resume();
      },
      cancel() {
        finished = true;
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/**
 * The Web `Request` for a Node request, or `null` when its target or `Host` does not make a URL, or it has two
 * `Host` headers (answer 400), or
 * `"too-large"` when its `Content-Length` already says more than the limit (answer 413 without reading).
 */
export function toRequest(incoming: IncomingMessage, limit: number, state: BodyState): Request | null | "too-large" {
  const url = urlOf(incoming);
  if (url === null) return null;
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  let hosts = 0;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as string;
      // RFC 9112 §3.2: more than one Host is a 400 (Node keeps the first for the URL, `Headers` would join both)
      if (name.length === 4 && name.toLowerCase() === "host" && ++hosts > 1) return null;
      headers.append(name, raw[i + 1] as string);
    }
  } catch {
    return null;
  }
  const method = incoming.method ?? "GET";
  if (NO_BODY.has(method)) return new Request(url, { method, headers });
  const declared = headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    state.tooLarge = true;
    return "too-large";
  }
  const init: RequestInit & { duplex: "half" } = { method, headers, body: bodyOf(incoming, limit, state), duplex: "half" };
  return new Request(url, init);
}

/** Waits until the socket takes more, or the response closes. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}

/** Bodies sent whole, with their length (as `@hono/node-server` does): JSON and text, never an event stream. */
const WHOLE = /^(?:application\/(?:[\w.+-]+\+)?json\b|text\/(?!event-stream\b))/i;
/**
 * Writes a Web `Response` to a `ServerResponse`: status, headers (every `Set-Cookie` kept apart), then the body.
 * A JSON or text body (not an event stream) is read whole and sent in one write with its `Content-Length`; any
 * other is written chunk by chunk with backpressure, and cancelled when the client goes away. A HEAD request
 * gets the headers only. Node refuses header values with CR/LF (and so do `Headers`), so a handler cannot inject
 * a header: the write throws instead.
 */
export async function sendResponse(incoming: IncomingMessage, outgoing: ServerResponse, response: Response): Promise<void> {
  outgoing.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") outgoing.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing.setHeader("set-cookie", cookies);
  if (!incoming.complete && incoming.method !== "GET" && incoming.method !== "HEAD") outgoing.setHeader("connection", "close");
  if (response.body === null || incoming.method === "HEAD") {
    await response.body?.cancel().catch(() => undefined);
    outgoing.end();
    return;
  }
  const { headers } = response;
  if (WHOLE.test(headers.get("content-type") ?? "") && !headers.has("content-encoding") && !headers.has("transfer-encoding")) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    outgoing.setHeader("content-length", bytes.byteLength);
    outgoing.end(bytes);
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (outgoing.destroyed) {
        await reader.cancel().catch(() => undefined);
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!outgoing.write(value)) await drained(outgoing);
    }
    outgoing.end();
  } finally {
    reader.releaseLock();
  }
}
