/**
 * `oauth2Auth`: django-oauth-toolkit's `OAuth2Authentication` for a resource server. Access tokens issued by DOT
 * are found by `token_checksum` (SHA-256 hex) in a store (DOT's own table, read through `postgresStore` in Django
 * mode), or answered by an RFC 7662 introspection endpoint (`introspectionSource`), or both (the store first, as DOT).
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { sha256Hex } from "../internal/sha256.js";
import type { Scheme, SchemeResult } from "../schemes/types.js";
import { SKIP } from "../schemes/types.js";
import type { OAuth2TokenStore, StoredOAuth2AccessToken, User } from "../store/types.js";
import { bearerCredential } from "./_bearer.js";
import { issueToken, type OAuth2Token } from "./_token.js";
import type { IntrospectionSource } from "./introspection.js";

/** Options of `oauth2Auth`: a `store`, an `introspection` source, or both (the store is asked first). */
export interface OAuth2AuthOptions {
  readonly store?: OAuth2TokenStore;
  readonly introspection?: IntrospectionSource;
  /** The challenge's realm (DOT's `www_authenticate_realm`). Default `"api"`. */
  readonly realm?: string;
  /**
   * Also accept `?access_token=` when there is no `Authorization` header, as oauthlib does. Default `false`:
   * tokens in URLs end up in logs and `Referer` headers (RFC 6750 §2.3). Form-body tokens are never read.
   */
  readonly fromQuery?: boolean;
  /**
   * Refuse tokens of inactive users (`The access token is invalid.`). Default `false`, as DOT 3.0.1, which never
   * reads `is_active` for a resource request.
   */
  readonly rejectInactiveUsers?: boolean;
  /** Reported as `scheme`. Default `"oauth2"`. */
  readonly name?: string;
}

/**
 * DOT's `oauth2_error` descriptions, exact (`OAuth2Validator._set_oauth2_error_on_request`).
 * @example
 * oauth2Messages.expired; // "The access token has expired."
 */
export const oauth2Messages = {
  invalid: "The access token is invalid.",
  expired: "The access token has expired.",
} as const;

/**
 * Longer tokens are refused without a lookup (DOT's are 30 characters by default; JWT-shaped ones a few KiB).
 * @example
 * MAX_OAUTH2_TOKEN_LENGTH; // 8192
 */
export const MAX_OAUTH2_TOKEN_LENGTH = 8192;

const NOT_FOUND = Object.freeze({ found: null, introspected: false });
const REALM = /^[!#$%&'()*+,./:;<=>?@[\]^_`{|}~0-9A-Za-z -]+$/;

/**
 * OAuth2 Bearer authentication as DOT does it. Like DOT, a missing, unknown or expired token is not a failure:
 * the scheme skips (the request is anonymous) and the challenge then carries DOT's `error` and
 * `error_description`, e.g. `Bearer realm="api",error="invalid_token",error_description="The access token has
 * expired."`. `user` is `null` for a client-credentials token; `auth` is an `OAuth2Token` (never the token).
 * @example
 * const store = postgresStore(sql, { django: true });
 * const protect = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["read"])] });
 */
export function oauth2Auth(options: OAuth2AuthOptions): Scheme<User | null, OAuth2Token> {
  const { store, introspection, realm = "api", fromQuery = false, rejectInactiveUsers = false } = options ?? ({} as OAuth2AuthOptions);
  if (store !== undefined && typeof store?.findOAuth2AccessToken !== "function") throw new ConfigError("store", "must be a store with OAuth2 access tokens");
  if (introspection !== undefined && typeof introspection?.introspect !== "function") throw new ConfigError("introspection", "must be an introspectionSource()");
  if (store === undefined && introspection === undefined) throw new ConfigError("store", "a store or an introspection source is required");
  if (typeof realm !== "string" || !REALM.test(realm) || realm.includes('"')) throw new ConfigError("realm", "must be printable ASCII without quotes");
  const errors = new WeakMap<Request, string>();
  const base = `Bearer realm="${realm}"`;

  async function find(token: string, now: number): Promise<{ found: StoredOAuth2AccessToken | null; introspected: boolean }> {
    const found = store === undefined ? null : await store.findOAuth2AccessToken(sha256Hex(token));
    // DOT asks the introspection endpoint when the local row is missing or no longer valid.
    if (introspection !== undefined && (found === null || isExpired(found, now))) {
      return { found: await introspection.introspect(token, now), introspected: true };
    }
    return { found, introspected: false };
  }

  async function authenticate(request: Request, ctx: AuthContext): Promise<SchemeResult<User | null, OAuth2Token>> {
    const credential = bearerCredential(request, fromQuery);
    if (credential.kind !== "token" || credential.token === "") return SKIP;
    const { token } = credential;
    const now = nowOf(ctx);
    const { found, introspected } = token.length > MAX_OAUTH2_TOKEN_LENGTH || token.includes("\0") ? NOT_FOUND : await find(token, now);
    if (found === null || (rejectInactiveUsers && found.user !== null && found.user.isActive !== true)) {
      errors.set(request, oauth2Messages.invalid);
      return SKIP;
    }
    if (isExpired(found, now)) {
      errors.set(request, oauth2Messages.expired);
      return SKIP;
    }
    return { type: "success", user: found.user, auth: issueToken(found, introspected) };
  }

  function challenge(request: Request): string {
    const description = errors.get(request);
    return description === undefined ? base : `${base},error="invalid_token",error_description="${description}"`;
  }

  return { name: options.name ?? "oauth2", authenticate, challenge };
}

/**
 * DOT's `is_expired()`: no expiry, or `now >= expires`.
 * @example
 * isExpired({ expiresAt: null }, Date.now()); // true
 */
export function isExpired(token: Pick<StoredOAuth2AccessToken, "expiresAt">, now: number): boolean {
  return token.expiresAt === null || now >= token.expiresAt;
}
