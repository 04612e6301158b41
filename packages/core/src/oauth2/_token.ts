/**
 * The `auth` of an OAuth2-authenticated request (internal): built only by `oauth2Auth`, recognised by identity.
 * @module
 */
import type { StoredOAuth2AccessToken } from "../store/types.js";

/** What an OAuth2 Bearer request carries to permissions and handlers: never the token itself. */
export interface OAuth2Token {
  /** DOT's row id, or `introspection`. */
  readonly id: string;
  /** The scopes, space-separated, as granted. */
  readonly scope: string;
  /** The same, split on whitespace (DOT's `scope.split()`). */
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly applicationId: string | null;
  readonly clientId: string | null;
  /** `null` for a client-credentials token. */
  readonly userId: string | null;
  /** Where the token was found. */
  readonly source: "store" | "introspection";
}

const issued = new WeakSet<OAuth2Token>();

/** A frozen `OAuth2Token` for a found access token, remembered as one `oauth2Auth` made. */
export function issueToken(found: StoredOAuth2AccessToken, introspected: boolean): OAuth2Token {
  const token: OAuth2Token = Object.freeze({
    id: found.id,
    scope: found.scope,
    scopes: Object.freeze(found.scope.split(/[\t\n\v\f\r \x1c-\x1f\x85\xa0]+/).filter((part) => part !== "")),
    expiresAt: found.expiresAt,
    applicationId: found.applicationId,
    clientId: found.clientId,
    userId: found.user === null ? null : found.user.id,
    source: introspected ? "introspection" : "store",
  });
  issued.add(token);
  return token;
}

/**
 * Whether `auth` is an `OAuth2Token` that `oauth2Auth` made (an object of the same shape from elsewhere is not).
 * @example
 * if (isOAuth2Token(decision.auth)) console.log(decision.auth.scopes);
 */
export function isOAuth2Token(auth: unknown): auth is OAuth2Token {
  return typeof auth === "object" && auth !== null && issued.has(auth as OAuth2Token);
}
