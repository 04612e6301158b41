/**
 * The client IP of a Hono request, read from the runtime underneath (never from `X-Forwarded-For`).
 * @module
 */
import type { Context } from "hono";

interface RuntimeEnv {
  incoming?: { socket?: { remoteAddress?: string } }; // @hono/node-server
  remoteAddr?: { hostname?: string }; // Deno.serve's info
  requestIP?: (request: Request) => { address?: string } | null; // Bun's server
}

/**
 * Workers: `CF-Connecting-IP` (Cloudflare sets it; clients cannot). Node (`@hono/node-server`), Deno and Bun:
 * the socket's address from `c.env`. Otherwise `undefined` (throttles then count the request as `unknown`).
 */
export function runtimeClientIp(c: Context): string | undefined {
  const env = (c.env ?? {}) as RuntimeEnv;
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  if (userAgent === "Cloudflare-Workers") {
    return c.req.header("cf-connecting-ip") ?? undefined;
  }
  if (env.incoming?.socket?.remoteAddress) return env.incoming.socket.remoteAddress;
  if (env.remoteAddr?.hostname) return env.remoteAddr.hostname;
  if (typeof env.requestIP === "function") return env.requestIP(c.req.raw)?.address ?? undefined;
  return undefined;
}

/** Workers' `executionCtx.waitUntil` (keeps background work alive after the response), `undefined` elsewhere. */
export function runtimeWaitUntil(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const executionCtx = c.executionCtx; // throws where the runtime has no execution context
    return (promise) => executionCtx.waitUntil(promise);
  } catch {
    return undefined;
  }
}
