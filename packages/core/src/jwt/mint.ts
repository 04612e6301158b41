/**
 * Minting tokens with simplejwt's header (`{"alg", "typ": "JWT"}`) and claims (`token_type`, integer `exp` and
 * `iat`, a 32-hex `jti`, `user_id`; `aud`/`iss` when configured; `hash_password` with `checkRevokeToken`), so a
 * Django API verifies them unchanged.
 * @module
 */
import { ConfigError } from "../errors.js";
import { passwordFingerprint } from "./revoke.js";
import type { JwtSettings } from "./settings.js";
import { settingsOf } from "./settings.js";
import type { JwtPayload, TokenType } from "./verify.js";

/** Who a token is for: the user's id (and, with `checkRevokeToken`, its current Django password hash). */
export interface MintSubject {
  readonly id: string;
  /** Required when the settings have `checkRevokeToken`. */
  readonly passwordHash?: string;
}

/** Options of the minting functions. */
export interface MintOptions {
  /** The clock, epoch ms. Default `Date.now()`. */
  readonly now?: number;
  /** Extra claims (what a `get_token` override adds: `username`, `is_staff`, ...). Registered claims win over them. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A signed token and its payload. */
export interface MintedToken {
  readonly token: string;
  readonly payload: JwtPayload;
}

/** `uuid4().hex`: 32 lowercase hex characters. */
export function newJti(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** A new token's own claims, in simplejwt's order: type, `exp`, `iat`, `jti`. */
function baseClaims(settings: JwtSettings, type: TokenType, lifetimeMs: number, now: number): Record<string, unknown> {
  return {
    [settings.tokenTypeClaim]: type,
    exp: seconds(now + lifetimeMs),
    iat: seconds(now),
    [settings.jtiClaim]: newJti(),
  };
}

function userIdClaim(settings: JwtSettings, id: string): string | number {
  if (settings.userIdType === "number" && /^(?:0|[1-9][0-9]{0,14})$/.test(id)) return Number(id);
  return id;
}

/** `Token.for_user`: the base claims, `user_id`, the revoke claim and the extra claims. */
function forUser(settings: JwtSettings, type: TokenType, lifetimeMs: number, subject: MintSubject, options: MintOptions): Record<string, unknown> {
  const now = options.now ?? Date.now();
  const payload = baseClaims(settings, type, lifetimeMs, now);
  payload[settings.userIdClaim] = userIdClaim(settings, subject.id);
  for (const [claim, value] of Object.entries(options.claims ?? {})) if (!(claim in payload)) payload[claim] = value;
  if (settings.checkRevokeToken) {
    if (typeof subject.passwordHash !== "string") throw new ConfigError("passwordHash", "checkRevokeToken needs the user's password hash to mint");
    payload[settings.revokeTokenClaim] = passwordFingerprint(subject.passwordHash);
  }
  return payload;
}

/** `TokenBackend.encode`: adds `aud`/`iss` when configured, then signs. */
export async function signPayload(settings: JwtSettings, claims: JwtPayload): Promise<MintedToken> {
  const payload: Record<string, unknown> = { ...claims };
  if (settings.audience !== undefined) payload.aud = settings.audience;
  if (settings.issuer !== undefined) payload.iss = settings.issuer;
  return { token: await settings.keys.sign(payload), payload };
}

/**
 * `RefreshToken.access_token`: every claim of the refresh token except its type, `exp` and `jti`, with a new
 * `jti` and `exp` from `now`. `iat` is now (simplejwt 5.5.1+), or the refresh token's own (up to 5.5.0).
 */
export function accessClaimsFrom(settings: JwtSettings, refresh: JwtPayload, now: number): Record<string, unknown> {
  const skip = new Set([settings.tokenTypeClaim, "exp", settings.jtiClaim, "jti"]);
  if (!settings.compat.jwt.accessCopiesRefreshIat || !("iat" in refresh)) skip.add("iat");
  const access = baseClaims(settings, "access", settings.accessTokenLifetimeMs, now);
  for (const [claim, value] of Object.entries(refresh)) if (!skip.has(claim)) access[claim] = value;
  return access;
}

/**
 * Mints a refresh/access pair for a user, as simplejwt's `TokenObtainPairSerializer` does.
 * @example
 * const { refresh, access } = await mintTokenPair(jwt, { id: user.id }, { claims: { username: user.username } });
 */
export async function mintTokenPair(
  jwt: JwtSettings,
  subject: MintSubject,
  options: MintOptions = {},
): Promise<{ readonly refresh: MintedToken; readonly access: MintedToken }> {
  const settings = settingsOf(jwt);
  const now = options.now ?? Date.now();
  const refresh = await signPayload(settings, forUser(settings, "refresh", settings.refreshTokenLifetimeMs, subject, { ...options, now }));
  const access = await signPayload(settings, accessClaimsFrom(settings, refresh.payload, now));
  return { refresh, access };
}

/**
 * Mints one access token for a user (`AccessToken.for_user`).
 * @example
 * const { token } = await mintAccessToken(jwt, { id: "42" });
 */
export async function mintAccessToken(jwt: JwtSettings, subject: MintSubject, options: MintOptions = {}): Promise<MintedToken> {
  const settings = settingsOf(jwt);
  return signPayload(settings, forUser(settings, "access", settings.accessTokenLifetimeMs, subject, options));
}

/**
 * Mints a sliding token (`SlidingToken.for_user`: `exp` and `refresh_exp`).
 * @example
 * const { token } = await mintSlidingToken(jwt, { id: "42" });
 */
export async function mintSlidingToken(jwt: JwtSettings, subject: MintSubject, options: MintOptions = {}): Promise<MintedToken> {
  const settings = settingsOf(jwt);
  const now = options.now ?? Date.now();
  const payload = forUser(settings, "sliding", settings.slidingTokenLifetimeMs, subject, { ...options, now });
  payload[settings.slidingTokenRefreshExpClaim] = seconds(now + settings.slidingTokenRefreshLifetimeMs);
  return signPayload(settings, payload);
}

/** A token's claims with a new `exp` (from `now` over `lifetimeMs`), `iat`, and optionally a new `jti`. */
export function renewedClaims(settings: JwtSettings, claims: JwtPayload, lifetimeMs: number, now: number, newId: boolean): Record<string, unknown> {
  const renewed: Record<string, unknown> = { ...claims, exp: seconds(now + lifetimeMs), iat: seconds(now) };
  if (newId) renewed[settings.jtiClaim] = newJti();
  return renewed;
}
