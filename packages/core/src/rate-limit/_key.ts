/**
 * What a rate limiter counts a request under: the client's identity, the user, an API key header, or a function.
 * @module
 */
import { ConfigError } from "../errors.js";
import { sha256Hex } from "../internal/sha256.js";
import { clientIdent } from "../throttles/ident.js";
import type { AuthContext } from "../context.js";

/** The context of one rate-limited request: core's `AuthContext`, plus the user when one is known. */
export interface RateLimitContext extends AuthContext {
  /** The authenticated user (e.g. `c.var.user` behind a policy); used by `key: "user"`. */
  readonly user?: { readonly id: string | number } | null;
}

/**
 * What a request is counted under:
 * - `"ip"` (default): the client's identity (IPv4, or the IPv6 /64), from `ctx.clientIp` (and `X-Forwarded-For`
 *   only with `numProxies`);
 * - `"user"`: the user's id when `ctx.user` is set, else the client's identity;
 * - `{ header }`: an API key header, counted under its SHA-256 (never stored raw), else the client's identity;
 * - a function answering the key (a string of printable ASCII up to 128 characters is used as it is, anything
 *   longer is counted under its SHA-256), or `null` to not count the request.
 */
export type RateLimitKey =
  | "ip"
  | "user"
  | { readonly header: string }
  | ((request: Request, ctx: RateLimitContext) => string | null | Promise<string | null>);

/** Resolves a request's counter identity; `null` when it is not counted (no known client address, or the function said so). */
export type KeyOf = (request: Request, ctx: RateLimitContext) => string | null | Promise<string | null>;

const PLAIN = /^[\x21-\x7e]{1,128}$/;

/** Validates the `key` option once and answers the function that resolves it per request. */
export function keyResolver(key: RateLimitKey | undefined, numProxies: number | undefined, prefix: number): KeyOf {
  const byIp = (request: Request, ctx: RateLimitContext): string | null => {
    const ip = clientIdent(request, ctx, numProxies, prefix);
    return ip === null ? null : `ip:${ip}`;
  };
  if (key === undefined || key === "ip") return byIp;
  if (key === "user") {
    return (request, ctx) => {
      const id = ctx.user?.id;
      return typeof id === "string" || typeof id === "number" ? `user:${String(id)}` : byIp(request, ctx);
    };
  }
  if (typeof key === "function") {
    return async (request, ctx) => {
      const value = await key(request, ctx);
      if (value === null) return null;
      if (typeof value !== "string") throw new ConfigError("key", "the key function must answer a string or null");
      return PLAIN.test(value) ? `fn:${value}` : `fn#${sha256Hex(value)}`;
    };
  }
  if (typeof key === "object" && key !== null && typeof key.header === "string" && /^[A-Za-z0-9-]{1,64}$/.test(key.header)) {
    const header = key.header.toLowerCase();
    return (request, ctx) => {
      const value = request.headers.get(header);
      return value === null || value === "" ? byIp(request, ctx) : `key#${sha256Hex(value)}`;
    };
  }
  throw new ConfigError("key", 'must be "ip", "user", { header: "<name>" } or a function');
}
