import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, parseBody, readLimited } from "./body.js";

const URL = "https://api.test/api-token-auth/";
const SECRET = "hunter2-Secret!";

function post(body: BodyInit | null, contentType?: string, headers: Record<string, string> = {}): Request {
  const all = contentType === undefined ? headers : { "content-type": contentType, ...headers };
  return new Request(URL, { method: "POST", body, headers: all });
}

/** A body stream that counts what was pulled from it and whether it was cancelled. */
function countingStream(totalBytes: number, chunkBytes: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= totalBytes) return controller.close();
        const size = Math.min(chunkBytes, totalBytes - state.pulled);
        state.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request(URL, {
    method: "POST",
    body: stream,
    headers: { "content-type": "application/json" },
    duplex: "half",
  } as RequestInit);
  return { request, state };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("readLimited", () => {
  it("reads a body of exactly the limit and refuses one byte more", async () => {
    expect(await readLimited(post(bytes("x".repeat(100))), 100)).toEqual(bytes("x".repeat(100)));
    expect(await readLimited(post(bytes("x".repeat(101))), 100)).toBeNull();
  });

  it("answers an empty array for a request without a body", async () => {
    expect(await readLimited(new Request(URL, { method: "POST" }), 100)).toEqual(new Uint8Array(0));
  });

  it("refuses a declared Content-Length over the limit without pulling the body", async () => {
    const { request, state } = countingStream(Infinity, 1024);
    request.headers.set("content-length", String(10 * 1024 * 1024));
    expect(await readLimited(request, 4096)).toBeNull();
    expect(state.pulled).toBeLessThanOrEqual(1024);
  });

  it("stops a stream that lies about its length and cancels it, having pulled little more than the limit", async () => {
    const { request, state } = countingStream(Infinity, 1000);
    request.headers.set("content-length", "10");
    expect(await readLimited(request, 4096)).toBeNull();
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(4096 + 2 * 1000);
  });

  it("joins the chunks of a stream within the limit", async () => {
    const { request, state } = countingStream(5000, 1000);
    expect((await readLimited(request, 5000))?.byteLength).toBe(5000);
    expect(state).toEqual({ pulled: 5000, cancelled: false });
  });
});

describe("parseBody", () => {
  it("parses JSON, form-urlencoded and multipart bodies", async () => {
    const json = post(JSON.stringify({ username: "alice", password: SECRET }), "application/json; charset=utf-8");
    expect(await parseBody(json)).toEqual({ ok: true, data: { username: "alice", password: SECRET } });
    const form = post(new URLSearchParams({ username: "al ice+", password: SECRET }));
    expect(await parseBody(form)).toEqual({ ok: true, data: { username: "al ice+", password: SECRET } });
    const multipart = new FormData();
    multipart.append("username", "alice");
    multipart.append("password", SECRET);
    expect(await parseBody(post(multipart))).toEqual({ ok: true, data: { username: "alice", password: SECRET } });
  });

  it("keeps the last value of a repeated form field, as Django's QueryDict.get", async () => {
    const form = post("username=first&username=last&password=a&password=b", "application/x-www-form-urlencoded");
    expect(await parseBody(form)).toEqual({ ok: true, data: { username: "last", password: "b" } });
  });

  it("answers an uploaded file as a File, never as text", async () => {
    const multipart = new FormData();
    multipart.append("username", new Blob(["alice"]), "name.txt");
    const parsed = await parseBody(post(multipart));
    expect(parsed.ok && (parsed.data as Record<string, unknown>)["username"]).toBeInstanceOf(File);
  });

  it("reads an empty body of any type, or of none, as empty data; a body without a type is 415 (DRF)", async () => {
    expect(await parseBody(post(bytes(JSON.stringify({ username: "alice" }))))).toEqual({
      ok: false,
      status: 415,
      body: { detail: 'Unsupported media type "" in request.' },
    });
    for (const request of [
      new Request(URL, { method: "POST" }),
      post(bytes(""), "application/json"),
      post(bytes(""), "application/x-www-form-urlencoded"),
      post(bytes(""), "text/plain"),
    ]) {
      expect(await parseBody(request)).toEqual({ ok: true, data: {} });
    }
  });

  it("answers 415 with the content type as sent, parameters and case included", async () => {
    for (const contentType of ["text/plain", "application/xml", "text/plain; charset=utf-8", "Application/JSONX", "application/vnd.api+json"]) {
      expect(await parseBody(post(bytes("{}"), contentType))).toEqual({
        ok: false,
        status: 415,
        body: { detail: `Unsupported media type "${contentType}" in request.` },
      });
    }
  });

  it("matches the media type case-insensitively", async () => {
    expect(await parseBody(post('{"a":1}', "Application/JSON"))).toEqual({ ok: true, data: { a: 1 } });
  });

  it("answers JSON parse errors without echoing the body", async () => {
    const bodies: [string, string][] = [
      [`{"username":"alice","password":"${SECRET}"`, "the body is not valid JSON."],
      [`{'password': '${SECRET}'}`, "the body is not valid JSON."],
      [`\uFEFF{"password":"${SECRET}"}`, "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
      [" \n  ", "Expecting value: line 2 column 3 (char 4)"],
    ];
    for (const [body, message] of bodies) {
      const parsed = await parseBody(post(body, "application/json"));
      expect(parsed).toEqual({ ok: false, status: 400, body: { detail: `JSON parse error - ${message}` } });
      expect(JSON.stringify(parsed)).not.toContain(SECRET);
    }
    const latin1 = post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), "application/json");
    expect(await parseBody(latin1)).toMatchObject({ ok: false, status: 400 });
  });

  it("answers a multipart body it cannot parse with DRF's prefix, without echoing it", async () => {
    const parsed = await parseBody(post(`password=${SECRET}`, "multipart/form-data"));
    expect(parsed).toEqual({ ok: false, status: 400, body: { detail: "Multipart form parse error - the body could not be parsed." } });
  });

  it("answers 413 past the limit (64 KiB by default) and accepts exactly the limit", async () => {
    const exact = `{"a":"${"x".repeat(MAX_BODY_BYTES - 8)}"}`;
    expect(bytes(exact).byteLength).toBe(MAX_BODY_BYTES);
    expect((await parseBody(post(exact, "application/json"))).ok).toBe(true);
    expect(await parseBody(post(`${exact} `, "application/json"))).toEqual({
      ok: false,
      status: 413,
      body: { detail: "Request body exceeds 65536 bytes." },
    });
    expect(await parseBody(post(bytes("x".repeat(11)), "application/json"), 10)).toMatchObject({ ok: false, status: 413 });
  });
});
