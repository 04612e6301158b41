/**
 * The client identity of anonymous requests (DRF's `get_ident`, without trusting `X-Forwarded-For` by default).
 * @module
 */
import { canonicalIp, clientIdentity } from "../client-identity.js";
import type { AuthContext } from "../context.js";

/**
 * The identity a request's client is counted under ({@link clientIdentity}: IPv4, or the IPv6 prefix), from
 * `ctx.clientIp` (set by adapters from the runtime). With `numProxies` set, from the address that many hops from
 * the right of `X-Forwarded-For` (DRF's `NUM_PROXIES`; `0` means the runtime's address), falling back to the
 * runtime's address when that entry is not an address. `null` when no address is known: the caller then skips
 * its per-IP count instead of putting every such client in one shared bucket.
 * @example
 * clientIdent(request, { clientIp: "203.0.113.7" }, undefined, 64); // "203.0.113.7"
 */
export function clientIdent(
  request: Request,
  ctx: AuthContext,
  numProxies: number | undefined,
  ipv6PrefixLength: number,
): string | null {
  const remote = canonicalIp(ctx.clientIp);
  let address = remote;
  if (numProxies !== undefined && numProxies > 0) {
    const xff = request.headers.get("x-forwarded-for");
    if (xff !== null) {
      const addresses = xff.split(",");
      address = canonicalIp(addresses[addresses.length - Math.min(numProxies, addresses.length)]) ?? remote;
    }
  }
  return clientIdentity(address, { ipv6PrefixLength });
}
