/**
 * The parse of an RFC 7662 answer (internal): strict, so that nothing malformed can read as active.
 * @module
 */
import { StoreError } from "../errors.js";
import type { StoredOAuth2AccessToken } from "../store/types.js";

/** An active answer: the token (its user still to resolve) and the `username`, if any. */
export interface IntrospectionAnswer {
  readonly token: Omit<StoredOAuth2AccessToken, "user">;
  readonly username: string | null;
}

function malformed(what: string): StoreError {
  return new StoreError(`OAuth2 introspection answer is malformed (${what})`);
}

function optionalString(content: Record<string, unknown>, key: string): string | null {
  const value = content[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.includes("\0")) throw malformed(key);
  return value;
}

/**
 * `null` for `{"active": false}`; the active token otherwise. Its expiry is `exp` (seconds), capped to
 * `now + maxTtlMs` when `exp` is absent (DOT caches such a token `RESOURCE_SERVER_TOKEN_CACHING_SECONDS`).
 * Throws `StoreError` for anything that is not an RFC 7662 JSON object with a boolean `active`.
 */
export function parseIntrospection(bytes: Uint8Array, now: number, maxTtlMs: number): IntrospectionAnswer | null {
  let content: unknown;
  try {
    content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw malformed("not JSON");
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) throw malformed("not an object");
  const fields = content as Record<string, unknown>;
  if (fields.active === false) return null;
  if (fields.active !== true) throw malformed("active");
  const exp = fields.exp;
  if (exp !== undefined && !(typeof exp === "number" && Number.isFinite(exp))) throw malformed("exp");
  const scope = optionalString(fields, "scope") ?? "";
  const clientId = optionalString(fields, "client_id");
  const username = optionalString(fields, "username");
  const expiresAt = exp === undefined ? now + Math.max(maxTtlMs, 1) : Math.floor(exp * 1000);
  return { token: { id: "introspection", scope, expiresAt, applicationId: null, clientId }, username };
}
