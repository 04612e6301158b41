/**
 * The client IP of a Hono request, read from the runtime underneath (never from `X-Forwarded-For`).
 * @module
 */
import { withHeaders } from "@portcullis/core";
import type { Context } from "hono";

interface RuntimeEnv {
  clientIp?: unknown; // @portcullis/adapters/node's nodeListener (the socket's, or trustProxy's pick)
  incoming?: { socket?: { remoteAddress?: string } }; // @hono/node-server
  remoteAddr?: { hostname?: string }; // Deno.serve's info
  requestIP?: (request: Request) => { address?: string } | null; // Bun's server
}

/** Workers is recognised by its fixed user agent, once per isolate (not on every request). */
const ON_WORKERS = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";

/**
 * Workers: `CF-Connecting-IP` (Cloudflare sets it; clients cannot). Node (`/node`'s `nodeListener`: its
 * `clientIp`; `@hono/node-server`), Deno and Bun:
 * the socket's address from `c.env`. Otherwise `undefined`: core's per-IP counts then skip the request (they never
 * put address-less requests in one shared bucket), so pass `clientIp` on such runtimes.
 */
export function runtimeClientIp(c: Context): string | undefined {
  if (ON_WORKERS) return c.req.header("cf-connecting-ip") ?? undefined;
  const env = (c.env ?? {}) as RuntimeEnv;
  if (typeof env.clientIp === "string" && env.incoming) return env.clientIp;
  if (env.incoming?.socket?.remoteAddress) return env.incoming.socket.remoteAddress;
  if (env.remoteAddr?.hostname) return env.remoteAddr.hostname;
  if (typeof env.requestIP === "function") return env.requestIP(c.req.raw)?.address ?? undefined;
  return undefined;
}

/**
 * `waitUntil` for core: Workers' `executionCtx.waitUntil`, looked up only when there is work to keep alive (off
 * Workers, Hono answers `c.executionCtx` by throwing an Error, whose stack would cost microseconds per request).
 * Where there is no execution context, the promise simply runs on.
 */
export function runtimeWaitUntil(c: Context): (promise: Promise<unknown>) => void {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      // not on Workers: nothing to extend, the promise runs on by itself
    }
  };
}

/**
 * Adds headers to the response a later handler set (`c.res`); a copy when its headers are immutable (a proxied
 * `fetch` answer).
 */
export function addResponseHeaders(c: Context, headers: Readonly<Record<string, string>>): void {
  try {
    for (const name in headers) c.res.headers.set(name, headers[name] as string);
  } catch {
    c.res = withHeaders(c.res, headers);
  }
}
