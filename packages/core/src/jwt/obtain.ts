/**
 * simplejwt's `TokenObtainPairView` and `TokenObtainSlidingView`: `POST username + password` answers
 * `{"refresh", "access"}` (or `{"token"}`), with brute-force protection as on the token endpoint.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { throttled } from "../auth-error.js";
import { methodNotAllowed, guardedHandler } from "../endpoints/http.js";
import type { Handler } from "../endpoints/obtain-token.js";
import type { EventHook } from "../events.js";
import { checkStoreCredentials, emitLogin, throttledLogin } from "../login/credentials.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import type { BruteForceOptions } from "../login/login-throttle.js";
import { hasLoginCounters, loginThrottle } from "../login/login-throttle.js";
import { jsonResponse, toResponse } from "../response.js";
import type { CounterStore, JwtBlacklistStore, User, UserStore } from "../store/types.js";
import { emitIssued, outstandingOf, readFields, unauthorized } from "./_endpoint.js";
import { jwtMessages } from "./claims.js";
import type { MintSubject } from "./mint.js";
import { mintSlidingToken, mintTokenPair } from "./mint.js";
import type { JwtSettings } from "./settings.js";
import { settingsOf } from "./settings.js";
import type { JwtPayload } from "./verify.js";

/** Options of the obtain endpoints. */
export interface ObtainJwtOptions {
  readonly jwt: JwtSettings;
  /** Where users are checked (Django password hashes). */
  readonly store: Pick<UserStore, "getUserByUsername" | "setPasswordHash">;
  /** Records every new refresh (or sliding) token as outstanding (simplejwt's `OutstandingToken`). */
  readonly blacklist?: Pick<JwtBlacklistStore, "addOutstandingJwt">;
  /** Where brute-force counters live. Default: `store`, when it is also a counter store. */
  readonly counters?: Pick<CounterStore, "hit" | "releaseHit">;
  /** Failed logins per username (5/min) and per IP (20/min) by default; `false` turns it off. */
  readonly bruteForce?: BruteForceOptions | false;
  /** Extra claims of a user's tokens (simplejwt's `get_token` override), e.g. `(u) => ({ username: u.username })`. */
  readonly claims?: (user: User) => Readonly<Record<string, unknown>>;
  /**
   * Receives `login.succeeded` / `login.failed` (`via: "jwt-obtain"` or `"jwt-obtain-sliding"`), `token.issued`
   * (the refresh or sliding token's `jti` as `tokenId`; never a token) and `store.failed`.
   */
  readonly onEvent?: EventHook;
  /**
   * Django's release and `PASSWORD_HASHERS` (`passwordHashers({ compat, hashers })`): which hashes verify and when a
   * successful login rewrites one. Default Django 5.2's `pbkdf2_sha256` at 1,000,000 iterations.
   */
  readonly passwordHashers?: PasswordHashers;
}

type Issue = (settings: JwtSettings, subject: MintSubject, user: User, now: number) => Promise<{ response: Response; issued: JwtPayload }>;

function obtainHandler(options: ObtainJwtOptions, via: string, issue: Issue): Handler {
  const settings = settingsOf(options?.jwt);
  const { store, blacklist, claims } = options;
  if (typeof store?.getUserByUsername !== "function") throw new ConfigError("store", "must be a Portcullis user store");
  if (blacklist !== undefined && typeof blacklist.addOutstandingJwt !== "function") throw new ConfigError("blacklist", "must be a JWT blacklist store");
  if (claims !== undefined && typeof claims !== "function") throw new ConfigError("claims", "must be a function of the user");
  const throttle = loginThrottle(options.bruteForce, options.counters ?? (hasLoginCounters(store) ? store : undefined));
  const hashers = passwordHashersOf(options.passwordHashers);
  return guardedHandler(async (request: Request, ctx: AuthContext) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const fields = await readFields(request, ["username", "password"]);
    if (fields instanceof Response) return fields;
    const { username, password } = fields as { username: string; password: string };
    const outcome = await throttledLogin(throttle, username, ctx, () => checkStoreCredentials(store, username, password, ctx, hashers));
    emitLogin(ctx, via, username, outcome);
    const { user, blockedForMs } = outcome;
    if (user === null) return blockedForMs ? toResponse(throttled(blockedForMs / 1000)) : unauthorized(settings, jwtMessages.noActiveAccount);
    const passwordHash = settings.checkRevokeToken ? (await store.getUserByUsername(user.username))?.passwordHash : undefined;
    const { response, issued } = await issue(settings, { id: user.id, passwordHash }, user, nowOf(ctx));
    emitIssued(ctx, settings, user.id, issued);
    return response;
  }, options.onEvent);
}

/**
 * The obtain-pair endpoint: 200 `{"refresh", "access"}`; 401 `No active account found with the given
 * credentials` (same work for unknown, wrong and inactive); 400 field errors; 429 past the brute-force limit.
 * @example
 * const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store });
 * app.post("/api/token/", (c) => obtain(c.req.raw));
 */
export function obtainJwtPairHandler(options: ObtainJwtOptions): Handler {
  return obtainHandler(options, "jwt-obtain", async (settings, subject, user, now) => {
    const { refresh, access } = await mintTokenPair(settings, subject, { now, claims: options.claims?.(user) });
    await options.blacklist?.addOutstandingJwt(outstandingOf(settings, refresh.payload, now));
    return { response: jsonResponse({ refresh: refresh.token, access: access.token }, 200), issued: refresh.payload };
  });
}

/**
 * The sliding obtain endpoint: 200 `{"token"}`, otherwise as `obtainJwtPairHandler`.
 * @example
 * app.post("/api/token/sliding/", (c) => obtainSlidingJwtHandler({ jwt, store })(c.req.raw));
 */
export function obtainSlidingJwtHandler(options: ObtainJwtOptions): Handler {
  return obtainHandler(options, "jwt-obtain-sliding", async (settings, subject, user, now) => {
    const sliding = await mintSlidingToken(settings, subject, { now, claims: options.claims?.(user) });
    await options.blacklist?.addOutstandingJwt(outstandingOf(settings, sliding.payload, now));
    return { response: jsonResponse({ token: sliding.token }, 200), issued: sliding.payload };
  });
}
