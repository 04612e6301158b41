/**
 * `obtainTokenHandler`: DRF's `obtain_auth_token` view (`POST username + password → token`), issuing a new
 * hashed token on every login.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { throttled, unauthenticated } from "../auth-error.js";
import { basicAuth } from "../schemes/basic.js";
import { checkStoreCredentials, emitLogin, throttledLogin } from "../login/credentials.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import type { Compat } from "../compat/compat.js";
import { emit, type EventHook } from "../events.js";
import type { BruteForceOptions } from "../login/login-throttle.js";
import { hasLoginCounters, loginThrottle } from "../login/login-throttle.js";
import { jsonResponse, toResponse } from "../response.js";

import type { CounterStore, TokenStore, UserStore } from "../store/types.js";
import { TokenLimitError, isWithinDateRange, issueToken } from "../tokens/tokens.js";
import { parseBody } from "./body.js";
import { validateCredentials } from "./fields.js";
import { guardedHandler, methodNotAllowed } from "./http.js";

/** Options of `obtainTokenHandler`. */
export interface ObtainTokenOptions {
  /** Where users are checked and tokens stored. */
  readonly store: UserStore & TokenStore;
  /**
   * Where brute-force counters live. Default: `store`, when it is also a counter store. Without one,
   * `bruteForce: false` must be said explicitly, else `ConfigError`.
   */
  readonly counters?: Pick<CounterStore, "hit" | "releaseHit">;
  /** Lifetime of issued tokens in ms; omitted for tokens that never expire (DRF). */
  readonly ttlMs?: number;
  /**
   * Refuse a login (403) when the user already holds this many unexpired tokens. Default
   * {@link DEFAULT_MAX_TOKENS_PER_USER} (100): every login mints a stored token, so without a cap one account
   * could grow the token table without end; 100 is far above what one person's devices need. `null` for no cap.
   */
  readonly maxTokensPerUser?: number | null;
  /**
   * Brute-force protection: failed logins per username (default 5/min) and per client IP (default 20/min),
   * counted in `counters`; past the limit, 429 with `Retry-After`. `false` turns it off.
   */
  readonly bruteForce?: BruteForceOptions | false;
  /** Receives `login.*`, `token.issued` and `store.failed` events (see `AuthEvent`). */
  readonly onEvent?: EventHook;
  /**
   * Runs DRF's default authentication before the view, as `obtain_auth_token` does: an `Authorization: Basic`
   * header that fails (a stale password, a malformed header) answers 403 with Basic's detail, before the method
   * and the body are looked at. Other headers (`Token ...`) are ignored. Default `true`; `false` ignores the header.
   */
  readonly basicHeader?: boolean;
  /**
   * Django's release and `PASSWORD_HASHERS` (`passwordHashers({ compat, hashers })`): which hashes verify and when a
   * successful login rewrites one. Default Django 5.2's `pbkdf2_sha256` at 1,000,000 iterations.
   */
  readonly passwordHashers?: PasswordHashers;
  /** The DRF release the `Authorization: Basic` check answers as (`compat({ drf })`); default the hashers' compat. */
  readonly compat?: Compat;
}

/**
 * DRF's default `authentication_classes` (`SessionAuthentication`, then `BasicAuthentication`) as the token view
 * runs them: a failing Basic header answers 403, since the first class has no challenge.
 */
function basicHeaderCheck(options: ObtainTokenOptions) {
  const { store, bruteForce, counters, passwordHashers, compat } = options;
  const scheme = basicAuth({ users: store, passwordHashers, compat, ...(bruteForce === undefined ? {} : { bruteForce }), ...(counters ? { counters } : {}) });
  return async (request: Request, ctx: AuthContext): Promise<Response | null> => {
    const result = await scheme.authenticate(request, ctx);
    if (result.type !== "failure") return null;
    return toResponse(result.error ?? unauthenticated("authentication_failed", result.detail, undefined));
  };
}

/** A `(request, ctx?) → Promise<Response>` handler. */
export type Handler = (request: Request, ctx?: AuthContext) => Promise<Response>;

const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };

/** The default `maxTokensPerUser` of the token endpoint. */
export const DEFAULT_MAX_TOKENS_PER_USER = 100;

/**
 * The token endpoint. 200 `{"token": key, "expiry": iso | null}`; 400 with DRF's field errors or
 * `Unable to log in with provided credentials.` (same work for an unknown user, a wrong password and an inactive
 * user); 403 at `maxTokensPerUser` (100 live tokens by default); 405, 413, 415 for the wrong method, size or
 * media type; 503 if the store fails. Every answer carries `Cache-Control: no-store` and `Pragma: no-cache`.
 * Unlike DRF's get-or-create, every login issues a new token: keys are stored hashed and cannot be shown again.
 * @example
 * const obtain = obtainTokenHandler({ store, ttlMs: 30 * 86_400_000 });
 * app.post("/api-token-auth/", (c) => obtain(c.req.raw));
 */
export function obtainTokenHandler(options: ObtainTokenOptions): Handler {
  const { store, ttlMs } = options ?? ({} as ObtainTokenOptions);
  const cap = options?.maxTokensPerUser === undefined ? DEFAULT_MAX_TOKENS_PER_USER : options.maxTokensPerUser;
  const maxTokensPerUser = cap === null ? undefined : cap;
  if (typeof store?.getUserByUsername !== "function") throw new ConfigError("store", "must be a Portcullis store");
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) throw new ConfigError("ttlMs", "must be a positive integer");
  // Checked against today's clock: a lifetime whose expiry no Date can hold would fail every login (503).
  if (ttlMs !== undefined && !isWithinDateRange(Date.now() + ttlMs)) {
    throw new ConfigError("ttlMs", "puts the expiry past the end of JavaScript's Date range (year 275760)");
  }
  if (maxTokensPerUser !== undefined && !(Number.isSafeInteger(maxTokensPerUser) && maxTokensPerUser > 0)) {
    throw new ConfigError("maxTokensPerUser", "must be a positive integer");
  }
  const throttle = loginThrottle(options.bruteForce, options.counters ?? (hasLoginCounters(store) ? store : undefined));
  const hashers = passwordHashersOf(options.passwordHashers);
  const staleHeader = options.basicHeader === false ? null : basicHeaderCheck(options);
  return guardedHandler(async (request, ctx) => {
    const refused = await staleHeader?.(request, ctx);
    if (refused) return refused;
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status);
    const credentials = validateCredentials(body.data);
    if (!credentials.ok) return jsonResponse(credentials.errors, 400);
    const { username, password } = credentials;
    const outcome = await throttledLogin(throttle, username, ctx, () => checkStoreCredentials(store, username, password, ctx, hashers));
    emitLogin(ctx, "token-endpoint", username, outcome);
    const { user, blockedForMs } = outcome;
    if (user === null) {
      return blockedForMs ? toResponse(throttled(blockedForMs / 1000)) : jsonResponse(BAD_CREDENTIALS, 400);
    }
    try {
      const now = nowOf(ctx);
      const { key, token } = await issueToken(store, user.id, { ttlMs: ttlMs ?? null, maxTokensPerUser, now });
      emit(ctx, { type: "token.issued", userId: user.id, tokenId: token.id, expiresAt: token.expiresAt });
      const expiry = token.expiresAt === null ? null : new Date(token.expiresAt).toISOString();
      return jsonResponse({ token: key, expiry }, 200); // no-store, no-cache: RFC 6749 §5.1
    } catch (error) {
      if (error instanceof TokenLimitError) return jsonResponse({ detail: error.message }, 403);
      throw error;
    }
  }, options.onEvent);
}
