/**
 * `jwtAuth`: simplejwt's `JWTAuthentication` (users from the store) and `JWTStatelessUserAuthentication`
 * (`TokenUser` from the claims, no store round trip), with simplejwt's error bodies and challenge.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import type { Scheme, SchemeResult } from "../schemes/types.js";
import { SKIP } from "../schemes/types.js";
import type { Awaitable, JwtBlacklistStore, User, UserStore } from "../store/types.js";
import { rawTokenOf } from "./_header.js";
import { MAX_CACHE_SIZE, verifiedCache } from "./_verified-cache.js";
import { jwtMessages, registeredClaimsWindow } from "./claims.js";
import { checkRevoke } from "./revoke.js";
import type { AuthTokenType, JwtSettings } from "./settings.js";
import { settingsOf } from "./settings.js";
import type { Decoded, JwtPayload } from "./verify.js";
import { decodeToken, isBlacklistable, verifyClaims } from "./verify.js";
import { validatedCache } from "./_validated-cache.js";

/** simplejwt's `TokenUser`: a user read from the token's claims alone. */
export interface TokenUser {
  readonly id: string;
  readonly username: string;
  readonly isActive: true;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly claims: JwtPayload;
}

/** The `auth` of a JWT-authenticated request: the validated token (never the raw token). */
export interface JwtAuthInfo {
  readonly tokenType: AuthTokenType;
  readonly jti: string;
  /** The `exp` claim as epoch ms. */
  readonly expiresAt: number;
  readonly claims: JwtPayload;
}

interface CommonOptions {
  /** The settings, from `jwtSettings({...})`. */
  readonly jwt: JwtSettings;
  /** Checked for sliding tokens when `authTokenClasses` includes `"sliding"` (access tokens never are, as simplejwt). */
  readonly blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted">;
  /** Reported as `scheme`. Default `"jwt"`. */
  readonly name?: string;
  /**
   * How many verified tokens to remember (by SHA-256 digest, until their `exp`) so that a token seen again skips
   * parsing and its signature; every claim, the blacklist and the user are still checked. Default 10,000; 0 turns
   * it off.
   */
  readonly cacheSize?: number;
}

/** Users looked up in a store (one round trip; two with `checkRevokeToken`). */
export interface JwtAuthStoreOptions extends CommonOptions {
  readonly users: Pick<UserStore, "getUserById" | "getUserByUsername">;
}

/** Stateless users from the claims (`TokenUser`): no store round trip. */
export interface JwtAuthStatelessOptions extends CommonOptions {
  readonly stateless: true;
}

const TOKEN_CLASS = { access: "AccessToken", sliding: "SlidingToken" } as const;

type Failure = SchemeResult<never, never>;

export function failed(detail: string, code: string, extra: Record<string, unknown> = {}): Failure {
  return { type: "failure", detail, code, body: { detail, code, ...extra } };
}

function isFailure(value: object): value is Failure {
  return (value as { type?: unknown }).type === "failure";
}

/**
 * The `user_id` claim as a string (simplejwt writes an int up to 5.4, a string since 5.5), or `null`. A number
 * must be a safe integer: beyond 2^53 a JSON number no longer names one id (2^53 + 1 reads as 2^53, so a 64-bit
 * id would authenticate as its neighbour), and a fraction names none.
 */
export function userIdOf(payload: JwtPayload, settings: JwtSettings): string | null {
  const id = payload[settings.userIdClaim];
  if (typeof id === "string" && id !== "") return id;
  return typeof id === "number" && Number.isSafeInteger(id) ? String(id) : null;
}

function cacheSizeOf(value: unknown): number {
  if (value === undefined) return 10_000;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_CACHE_SIZE) {
    throw new ConfigError("cacheSize", `must be an integer from 0 to ${MAX_CACHE_SIZE}`);
  }
  return value;
}

/** simplejwt's `TokenUser` of a validated payload. */
export function tokenUserOf(payload: JwtPayload, id: string): TokenUser {
  const username = typeof payload.username === "string" ? payload.username : "";
  return { id, username, isActive: true, isStaff: payload.is_staff === true, isSuperuser: payload.is_superuser === true, claims: payload };
}

/**
 * JWT authentication compatible with djangorestframework-simplejwt. Exactly one algorithm (the settings') is
 * accepted; `exp`, `jti` and `token_type` are required; a refresh token is never an access token.
 * @example
 * const jwt = jwtSettings({ signingKey: env.DJANGO_SECRET_KEY });
 * const schemes = [jwtAuth({ jwt, users: store })];          // or jwtAuth({ jwt, stateless: true })
 */
export function jwtAuth(options: JwtAuthStoreOptions): Scheme<User, JwtAuthInfo>;
export function jwtAuth(options: JwtAuthStatelessOptions): Scheme<TokenUser, JwtAuthInfo>;
export function jwtAuth(options: JwtAuthStoreOptions | JwtAuthStatelessOptions): Scheme<User | TokenUser, JwtAuthInfo> {
  const { settings, authenticateRaw, cached } = jwtAuthenticator(options);
  // A plain function: a cache hit, a skip or a malformed header is answered directly; a first sight is
  // `authenticateRaw`'s promise.
  function authenticate(request: Request, ctx: AuthContext): Awaitable<SchemeResult<User | TokenUser, JwtAuthInfo>> {
    const header = request.headers.get("authorization");
    // A token this scheme has already validated never contains whitespace (`rawTokenOf` refused it the first
    // time), so "<type> <token>" found in the cache needs no header parsing: the same answer, one regex scan fewer.
    const hit = header === null ? undefined : cached(plainCandidate(header, settings.authHeaderTypes), ctx);
    if (hit !== undefined) return hit;
    const raw = rawTokenOf(header, settings.authHeaderTypes);
    if (raw === null) return SKIP;
    if (raw === false) return failed(jwtMessages.badHeader, "bad_authorization_header");
    return authenticateRaw(raw, ctx);
  }
  return { name: options.name ?? "jwt", authenticate, challenge: () => settings.challenge };
}

/** The token of `"<type> <token>"` for the first configured type it starts with, else `""` (never cached). */
function plainCandidate(header: string, types: readonly string[]): string {
  for (const type of types) {
    if (header.length > type.length + 1 && header.charCodeAt(type.length) === 0x20 && header.startsWith(type)) return header.slice(type.length + 1);
  }
  return "";
}

/** A scheme's validation of one raw token, apart from where the token came from (header or cookie; internal). */
export interface JwtAuthenticator {
  readonly settings: JwtSettings;
  authenticateRaw(raw: string, ctx: AuthContext): Awaitable<SchemeResult<User | TokenUser, JwtAuthInfo>>;
  /** `authenticateRaw`'s answer when `raw` is a cached token still inside its time window, else `undefined`. */
  cached(raw: string, ctx: AuthContext): Awaitable<SchemeResult<User | TokenUser, JwtAuthInfo>> | undefined;
}

/** Validates `jwtAuth`'s options once and answers its token validation (shared with `jwtCookieAuth`; internal). */
export function jwtAuthenticator(options: JwtAuthStoreOptions | JwtAuthStatelessOptions): JwtAuthenticator {
  const settings = settingsOf(options?.jwt);
  const users = "users" in options ? options.users : null;
  if (users === null && !("stateless" in options && options.stateless === true)) {
    throw new ConfigError("users", "pass `users` (a store) or `stateless: true`");
  }
  if (users !== null && typeof users?.getUserById !== "function") throw new ConfigError("users", "must be a Portcullis user store");
  const blacklist = options.blacklist;
  const types = settings.authTokenClasses;
  const cacheSize = cacheSizeOf(options.cacheSize);
  const cache = verifiedCache(cacheSize);
  // Tokens that passed every check of this scheme, by raw token: a hit re-checks only the time claims
  // (PyJWT's registered checks, reduced once to a window of seconds), never hashes, parses or re-checks the type.
  const validatedTokens = validatedCache<Validated>(cacheSize);
  interface Validated {
    readonly payload: JwtPayload;
    readonly id: string;
    readonly auth: JwtAuthInfo;
    /** `registeredClaimsWindow` of the payload. */
    readonly fromSec: number;
    readonly untilSec: number;
    /** Stateless: the whole (frozen) answer of a hit; with a user store, `null` (the user is read again). */
    readonly success: SchemeResult<TokenUser, JwtAuthInfo> | null;
  }

  async function validate(raw: string, now: number): Promise<{ payload: JwtPayload; tokenType: AuthTokenType } | Failure> {
    let decoded: Decoded | Promise<Decoded> = decodeToken(raw, settings, now, cache);
    if (decoded instanceof Promise) decoded = await decoded; // HS* answers synchronously: no microtask for it
    const messages: Record<string, string>[] = [];
    for (const type of types) {
      let message = decoded.ok ? verifyClaims(decoded.payload, settings, type, blacklist) : decoded.message;
      if (message instanceof Promise) message = await message;
      if (message === null && decoded.ok) return { payload: decoded.payload, tokenType: type };
      messages.push({ token_class: TOKEN_CLASS[type], token_type: type, message: message as string });
    }
    return failed(jwtMessages.notValidForAnyType, "token_not_valid", { messages });
  }

  async function resolveUser(payload: JwtPayload, id: string): Promise<User | TokenUser | Failure> {
    if (users === null) return tokenUserOf(payload, id);
    const user = settings.userIdField === "id" ? await users.getUserById(id) : ((await users.getUserByUsername(id))?.user ?? null);
    if (user === null) return failed(jwtMessages.userNotFound, "user_not_found");
    if (settings.checkUserIsActive && !user.isActive) return failed(jwtMessages.userInactive, "user_inactive");
    if (settings.checkRevokeToken && !(await checkRevoke(users, user, payload, settings))) {
      return failed(jwtMessages.passwordChanged, "password_changed");
    }
    return user;
  }

  // Not `async`: a hit of a stateless scheme costs a Map lookup, two comparisons and no promise at all.
  function cached(raw: string, ctx: AuthContext): Awaitable<SchemeResult<User | TokenUser, JwtAuthInfo>> | undefined {
    const known = validatedTokens.get(raw);
    if (known === undefined) return undefined;
    const nowSec = Math.floor(nowOf(ctx) / 1000);
    if (nowSec < known.fromSec || nowSec >= known.untilSec) return undefined;
    return known.success ?? userOfKnown(known);
  }

  function authenticateRaw(raw: string, ctx: AuthContext): Awaitable<SchemeResult<User | TokenUser, JwtAuthInfo>> {
    return cached(raw, ctx) ?? firstSight(raw, nowOf(ctx));
  }

  async function userOfKnown(known: Validated): Promise<SchemeResult<User | TokenUser, JwtAuthInfo>> {
    const user = await resolveUser(known.payload, known.id);
    return isFailure(user) ? user : { type: "success", user, auth: known.auth };
  }

  async function firstSight(raw: string, now: number): Promise<SchemeResult<User | TokenUser, JwtAuthInfo>> {
    const valid = await validate(raw, now);
    if (isFailure(valid)) return valid;
    const { payload, tokenType } = valid;
    const id = userIdOf(payload, settings);
    if (id === null) return failed(jwtMessages.noUserId, "token_not_valid");
    const user = await resolveUser(payload, id);
    if (isFailure(user)) return user;
    const auth: JwtAuthInfo = Object.freeze({ tokenType, jti: String(payload[settings.jtiClaim]), expiresAt: (payload.exp as number) * 1000, claims: payload });
    // A blacklistable (sliding) token is checked against the blacklist on every request: never remembered here.
    if (!(blacklist !== undefined && isBlacklistable(tokenType))) {
      const success =
        users === null ? Object.freeze({ type: "success" as const, user: Object.freeze(user as TokenUser), auth }) : null;
      const window = registeredClaimsWindow(payload, settings);
      validatedTokens.set(raw, { payload, id, auth, ...window, success }, auth.expiresAt + settings.leewayMs + 1000, now);
    }
    return { type: "success", user, auth };
  }

  return { settings, authenticateRaw, cached };
}
