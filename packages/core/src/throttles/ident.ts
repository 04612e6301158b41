/**
 * The client identity of anonymous requests (DRF's `get_ident`, without trusting `X-Forwarded-For` by default).
 * @module
 */
import type { AuthContext } from "../context.js";

/**
 * `ctx.clientIp` (set by adapters from the runtime), or `"unknown"`. With `numProxies` set, the address that
 * many hops from the right of `X-Forwarded-For` (DRF's `NUM_PROXIES`); `0` means the runtime's address.
 * @example
 * clientIdent(request, { clientIp: "203.0.113.7" }, undefined); // "203.0.113.7"
 */
export function clientIdent(request: Request, ctx: AuthContext, numProxies: number | undefined): string {
  const remote = ctx.clientIp || "unknown";
  if (numProxies === undefined || numProxies === 0) return remote;
  const xff = request.headers.get("x-forwarded-for");
  if (xff === null) return remote;
  const addresses = xff.split(",");
  const chosen = addresses[addresses.length - Math.min(numProxies, addresses.length)]?.trim();
  return chosen ? chosen : remote;
}
