/**
 * `@portcullis/adapters/node`: Portcullis for Node's `http` server and every framework that hands over
 * `IncomingMessage`/`ServerResponse` (Express, Fastify's `request.raw`/`reply.raw`, Koa's `ctx.req`/`ctx.res`).
 * The client IP comes from the socket (`remoteAddress`), never from `X-Forwarded-For` unless `trustProxy` says how
 * many proxies are in front; bodies are streamed and bounded (413 past `maxBodyBytes`).
 * @module
 */
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AllowedAnonymous, AnonymousOf, AnyPermission, AnyScheme, AuthOf, Policy, UserOf } from "@portcullis/core";
import { ConfigError, canonicalIp, guard } from "@portcullis/core";
import type { AllowedDecision } from "./_decide.js";
export type { AllowedDecision } from "./_decide.js";
import { decideWithObjects, withDecisionHeaders } from "./_decide.js";
import { type BodyState, BodyTooLarge, sendResponse, toRequest } from "./_node-io.js";

/** The default `maxBodyBytes`: 1 MiB. */
export const NODE_MAX_BODY_BYTES = 1024 * 1024;

/** Options of the Node adapter. */
export interface NodeAdapterOptions {
  /**
   * How many reverse proxies in front of Node append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). `0`, the default:
   * the socket's address, and the header is ignored. With `n`, the n-th address from the right of the header.
   */
  readonly trustProxy?: number;
  /** The most request-body bytes read; more answers 413 and closes the connection. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Called with an error the handler threw (the client gets a bare 500). Default: `console.error`. With Express's
   * `next`, the error goes to `next(error)` instead.
   */
  readonly onError?: (error: unknown) => void;
}

/** What a Node fetch handler receives beside the `Request`. */
export interface NodeContext {
  /** The client's address: the socket's, or the one `trustProxy` picks from `X-Forwarded-For`. */
  readonly clientIp: string | undefined;
  /** The Node request, for what the `Request` does not carry. */
  readonly incoming: IncomingMessage;
}

/** A fetch-style handler on Node. */
export type NodeFetchHandler = (request: Request, ctx: NodeContext) => Response | Promise<Response>;

/** A Node request listener, also usable as Express/Connect middleware (errors go to `next`). */
export type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;

/**
 * The client address of a Node request: the socket's, or with `trustProxy` = n > 0 the n-th entry from the right of
 * `X-Forwarded-For` (the leftmost when there are fewer), as DRF's `get_ident` with `NUM_PROXIES`; the socket's
 * address when that entry is not an IP address.
 * @example
 * createServer((req, res) => res.end(clientIpOf(req, 1)));
 */
export function clientIpOf(incoming: IncomingMessage, trustProxy = 0): string | undefined {
  if (trustProxy > 0) {
    const header = incoming.headers["x-forwarded-for"];
    const value = Array.isArray(header) ? header.join(",") : header;
    if (value !== undefined && value.trim() !== "") {
      const addresses = value.split(",");
      const picked = (addresses[addresses.length - Math.min(trustProxy, addresses.length)] as string).trim();
      // An entry that is not an address ("unknown", empty, forged by a client that bypassed a proxy) would have no
      // identity, and per-IP throttles would not count the request: the socket's address instead, as core does.
      if (canonicalIp(picked) !== null) return picked;
    }
  }
  return incoming.socket?.remoteAddress ?? undefined;
}

const plain = (status: number, detail: string) => Response.json({ detail }, { status });

function validate(options: NodeAdapterOptions): { trustProxy: number; maxBodyBytes: number } {
  const { trustProxy = 0, maxBodyBytes = NODE_MAX_BODY_BYTES } = options;
  if (!Number.isSafeInteger(trustProxy) || trustProxy < 0) throw new ConfigError("trustProxy", "must be a whole number of proxies (0 or more)");
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw new ConfigError("maxBodyBytes", "must be a whole number of bytes");
  return { trustProxy, maxBodyBytes };
}

/**
 * Turns a fetch-style handler (a Hono app's `fetch`, a Portcullis `withAuth`) into a Node request listener.
 * @example
 * createServer(nodeListener((request, { clientIp }) => Response.json({ clientIp }))).listen(3000, "127.0.0.1");
 */
export function nodeListener(handler: NodeFetchHandler, options: NodeAdapterOptions = {}): NodeListener {
  const { trustProxy, maxBodyBytes } = validate(options);
  const report = options.onError ?? ((error: unknown) => console.error(error));
  return async (incoming, outgoing, next) => {
    const state: BodyState = { tooLarge: false };
    // no AbortSignal on the Request: undici's costs about twice the rest of the conversion; a handler that reads
    // the body of a client that went away gets the stream's error instead
    let gone = false;
    outgoing.once("close", () => {
      gone = !outgoing.writableFinished;
    });
    let response: Response;
    let failure: unknown;
    const request = toRequest(incoming, maxBodyBytes, state);
    if (request === null) response = plain(400, "Bad request.");
    else if (request === "too-large") response = plain(413, new BodyTooLarge(maxBodyBytes).message);
    else {
      try {
        response = await handler(request, { clientIp: clientIpOf(incoming, trustProxy), incoming });
      } catch (error) {
        failure = error;
        response = plain(500, "A server error occurred.");
      }
    }
    if (state.tooLarge) {
      await response.body?.cancel().catch(() => undefined); // the handler's answer is dropped for the 413
      response = plain(413, new BodyTooLarge(maxBodyBytes).message);
    } else if (failure !== undefined && !gone) {
      if (next) return next(failure);
      report(failure);
    }
    if (outgoing.destroyed || outgoing.headersSent) return;
    try {
      await sendResponse(incoming, outgoing, response);
    } catch (error) {
      // a header value Node refuses (CR/LF): nothing of it was sent
      if (!outgoing.headersSent) {
        for (const name of outgoing.getHeaderNames()) outgoing.removeHeader(name);
        await sendResponse(incoming, outgoing, plain(500, "A server error occurred."));
      } else outgoing.destroy();
      report(error);
    }
  };
}

/** The handler that runs for allowed requests: the request, the decision, then the Node context. */
export type NodeAuthHandler<U, A, N extends AllowedAnonymous = AllowedAnonymous> = (
  request: Request,
  decision: AllowedDecision<U, A, N>,
  ctx: NodeContext,
) => Response | Promise<Response>;

/**
 * Wraps a handler with a policy, as a Node request listener (or Express middleware); denials are core's
 * 401/403/429, store failures 503.
 * @example
 * createServer(withAuth({ schemes: [tokenAuth({ store })] }, (req, { user }) => Response.json(user))).listen(3000);
 */
export function withAuth<const S extends readonly AnyScheme[], const P extends readonly AnyPermission[] | undefined = undefined>(
  policy: Policy<S, P>,
  handler: NodeAuthHandler<UserOf<S>, AuthOf<S>, AnonymousOf<P>>,
  options: NodeAdapterOptions = {},
): NodeListener {
  const check = guard(policy);
  return nodeListener(async (request, ctx) => {
    const outcome = await decideWithObjects(check, request, { clientIp: ctx.clientIp });
    return "response" in outcome ? outcome.response : withDecisionHeaders(outcome.decision, handler(request, outcome.decision, ctx));
  }, options);
}
