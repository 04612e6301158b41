/**
 * `hasScope`: DRF-style permissions on the scopes of the credential (an API key's `scopes`).
 * @module
 */
import { ConfigError } from "../errors.js";
import type { AuthenticatedPermission, PermissionCheck } from "../permissions/types.js";
import type { ApiKeyRecord } from "../store/types.js";

/** Options of `hasScope`. */
export interface HasScopeOptions {
  /** `"all"` (default): every listed scope is required; `"any"`: one of them is enough. */
  readonly match?: "all" | "any";
  /** The denial detail. Default DRF's `You do not have permission to perform this action.` */
  readonly message?: string;
}

/** Whether `auth` is an API key's record (what `apiKeyAuth` answers as `auth`). */
export function isApiKeyRecord(auth: unknown): auth is ApiKeyRecord {
  const candidate = auth as Partial<ApiKeyRecord> | null;
  return (
    typeof candidate === "object" && candidate !== null &&
    typeof candidate.id === "string" && typeof candidate.ownerId === "string" && Array.isArray(candidate.scopes)
  );
}

/**
 * Allows a request whose API key holds the scopes (all of them by default, or any one with `match: "any"`).
 * Requests authenticated otherwise (a session, a token without scopes) and anonymous ones are denied.
 * @example
 * guard({ schemes: [apiKeyAuth({ store })], permissions: [hasScope("articles:read")] });
 * guard({ schemes, permissions: [hasScope(["articles:write", "admin"], { match: "any" })] });
 */
export function hasScope(scopes: string | readonly string[], options: HasScopeOptions = {}): AuthenticatedPermission {
  const wanted = typeof scopes === "string" ? [scopes] : [...(scopes ?? [])];
  if (wanted.length === 0 || wanted.some((scope) => typeof scope !== "string" || scope === "")) {
    throw new ConfigError("scopes", "must be a scope or a non-empty array of non-empty scopes");
  }
  const match = options.match ?? "all";
  if (match !== "all" && match !== "any") throw new ConfigError("match", 'must be "all" or "any"');
  const permission: AuthenticatedPermission = {
    hasPermission({ authenticated, auth }: PermissionCheck) {
      if (!authenticated || !isApiKeyRecord(auth)) return false;
      const held = new Set(auth.scopes);
      return match === "all" ? wanted.every((scope) => held.has(scope)) : wanted.some((scope) => held.has(scope));
    },
    requiresAuthentication: true,
    ...(options.message === undefined ? {} : { message: options.message }),
  };
  return Object.freeze(permission);
}
