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

/** The one class of `OAuth2Token`s: its private field is the brand (a look-alike object lacks it). */
class IssuedToken implements OAuth2Token {
  readonly #issued = true;
  readonly id: string;
  readonly scope: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly applicationId: string | null;
  readonly clientId: string | null;
  readonly userId: string | null;
  readonly source: "store" | "introspection";

  constructor(found: StoredOAuth2AccessToken, introspected: boolean) {
    this.id = found.id;
    this.scope = found.scope;
    this.scopes = Object.freeze(found.scope.split(/[\t\n\v\f\r \x1c-\x1f\x85\xa0]+/).filter((part) => part !== ""));
    this.expiresAt = found.expiresAt;
    this.applicationId = found.applicationId;
    this.clientId = found.clientId;
    this.userId = found.user === null ? null : found.user.id;
    this.source = introspected ? "introspection" : "store";
    Object.freeze(this);
  }

  static isIssued(value: object): boolean {
    return #issued in value;
  }
}

/** A frozen `OAuth2Token` for a found access token. */
export function issueToken(found: StoredOAuth2AccessToken, introspected: boolean): OAuth2Token {
  return new IssuedToken(found, introspected);
}

/**
 * Whether `auth` is an `OAuth2Token` that `oauth2Auth` made (an object of the same shape from elsewhere is not).
 * @example
 * if (isOAuth2Token(decision.auth)) console.log(decision.auth.scopes);
 */
export function isOAuth2Token(auth: unknown): auth is OAuth2Token {
  return typeof auth === "object" && auth !== null && IssuedToken.isIssued(auth);
}
