/**
 * `restAuthHandlers`: dj-rest-auth 7's endpoints (`login/`, `logout/`, `user/`, `password/change/`,
 * `password/reset/`, `password/reset/confirm/`, and with JWT `token/refresh/`) as plain `(request, ctx) =>
 * Response` handlers, in dj-rest-auth's three modes: DRF tokens (`TOKEN_MODEL`), sessions (`SESSION_LOGIN`) and
 * JWTs (`USE_JWT`, with dj-rest-auth's cookies). Fields, bodies, error shapes and statuses are dj-rest-auth's.
 * @module
 */
import type { AuthContext } from "../context.js";
import { compatOf, type Compat } from "../compat/compat.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import { ConfigError } from "../errors.js";
import type { EventHook } from "../events.js";
import { guard } from "../guard.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { guardedHandler } from "../endpoints/http.js";
import { allowAny, isAuthenticated } from "../permissions/builtin.js";
import { toResponse } from "../response.js";
import type { AnyScheme } from "../schemes/types.js";
import { tokenAuth } from "../schemes/token.js";
import { sessionAuth } from "../sessions/session-auth.js";
import type { CsrfOptions } from "../sessions/csrf-check.js";
import type { SessionCookieOptions } from "../sessions/session-config.js";
import type { DjangoSessions } from "../sessions/django-session-writer.js";
import { jwtCookieAuth } from "../jwt/jwt-cookie-auth.js";
import { jwtCookieConfig, type JwtCookieOptions } from "../jwt/jwt-cookies.js";
import { settingsOf, type JwtSettings } from "../jwt/settings.js";
import type { BruteForceOptions } from "../login/login-throttle.js";
import type { AccountStore, CounterStore, JwtBlacklistStore, SessionStore, TokenStore, UserAccount, UserStore } from "../store/types.js";
import type { PasswordResetTokens } from "./reset-token.js";
import { djangoPasswordValidators, type PasswordValidator } from "./validators.js";
import { loginHandler, logoutHandler } from "./_rest-auth-login.js";
import { passwordChangeHandler, passwordResetConfirmHandler, passwordResetHandler } from "./_rest-auth-password.js";
import { refreshHandler, userDetailsHandler } from "./_rest-auth-user.js";
import { restAuthLimiters, type RestAuthLimiters, type RestAuthRateLimits } from "./_rest-auth-limits.js";
import type { RateLimiter } from "../rate-limit/rate-limit.js";

export type { RestAuthRateLimits } from "./_rest-auth-limits.js";

/** dj-rest-auth's three modes: `TOKEN_MODEL` (DRF tokens), `SESSION_LOGIN` (Django sessions), `USE_JWT`. */
export type RestAuthMode = "token" | "session" | "jwt";

/** The store: users and accounts, plus what the mode needs (tokens, sessions, or nothing for stateless JWTs). */
export type RestAuthStore = UserStore & AccountStore & Partial<TokenStore & SessionStore & Pick<CounterStore, "hit" | "releaseHit">>;

/** What `sendPasswordReset` receives: everything Django's `password_reset_email.html` context has. */
export interface PasswordResetMessage {
  /** The address as the account holds it. */
  readonly email: string;
  readonly uid: string;
  readonly token: string;
  readonly account: UserAccount;
  /** `"https"` when the request was. */
  readonly protocol: "http" | "https";
  readonly request: Request;
}

/** Options of `restAuthHandlers` (dj-rest-auth's `REST_AUTH` settings in TypeScript naming). */
export interface RestAuthOptions {
  readonly mode: RestAuthMode;
  readonly store: RestAuthStore;
  /** Django's reset tokens: `passwordResetTokens({ secretKey, compat, ... })`. */
  readonly resetTokens: PasswordResetTokens;
  /** Sends the reset e-mail, once per matching account; not awaited by the response (never reveals an address). */
  readonly sendPasswordReset: (message: PasswordResetMessage, ctx: AuthContext) => void | Promise<void>;
  /** `USE_JWT`: the simplejwt settings (mode `"jwt"`). */
  readonly jwt?: JwtSettings;
  /** `JWT_AUTH_*`: the JWT cookies (mode `"jwt"`). */
  readonly cookies?: JwtCookieOptions;
  /** `JWT_AUTH_RETURN_EXPIRATION`: login answers `access_expiration` and `refresh_expiration`. Default `false`. */
  readonly returnExpiration?: boolean;
  /** simplejwt's `token_blacklist` app: logout blacklists the refresh token; rotation is atomic. */
  readonly blacklist?: JwtBlacklistStore;
  /** The `sessionid` cookie (mode `"session"`). */
  readonly session?: SessionCookieOptions;
  /**
   * Mode `"session"` on Django's own `django_session` (`djangoSessions({ secretKey, backend, users })`, e.g. on
   * `postgresStore(sql, { django: true })`): logins write the rows Django's `login()` writes, so a session started
   * on either half is one on the other; the store then needs no `SessionStore`.
   */
  readonly djangoSessions?: DjangoSessions;
  /** Django's CSRF settings, for sessions and cookie JWTs. */
  readonly csrf?: CsrfOptions;
  /** `AUTH_PASSWORD_VALIDATORS`; default Django's four (`djangoPasswordValidators`). */
  readonly validators?: readonly PasswordValidator[];
  /** `OLD_PASSWORD_FIELD_ENABLED`. Default `false` (dj-rest-auth's default; `true` is safer). */
  readonly oldPasswordField?: boolean;
  /** `LOGOUT_ON_PASSWORD_CHANGE`: the changing session ends too. Default `false`. */
  readonly logoutOnPasswordChange?: boolean;
  /** `ACCOUNT_LOGOUT_ON_GET`. Default `false` (GET answers 405). */
  readonly logoutOnGet?: boolean;
  /** `DEFAULT_AUTHENTICATION_CLASSES` of the views; default the mode's own scheme. */
  readonly schemes?: readonly AnyScheme[];
  /**
   * Rate limits per client IP on login, refresh, reset and reset confirm, and per e-mail address on reset (see
   * `RestAuthRateLimits` for the defaults); counted in `store` unless `rateLimits.counters` says otherwise. `false`
   * turns them all off.
   */
  readonly rateLimits?: RestAuthRateLimits | false;
  /** Failed logins per username and per IP (core's defaults); `false` turns it off. */
  readonly bruteForce?: BruteForceOptions | false;
  /** The Django release (`compat({...})`); default Django 5.2, or the compat of `passwordHashers`. */
  readonly compat?: Compat;
  /**
   * The Django half's `PASSWORD_HASHERS` (`passwordHashers({ compat, hashers })`): logins verify and rehash, and new
   * passwords are written, as that Django does. Default: the library's (Django 5.2's writer, every format read).
   */
  readonly passwordHashers?: PasswordHashers;
  /** Receives login, token and store events. */
  readonly onEvent?: EventHook;
}

/** The validated configuration shared by the handlers (internal). */
export interface RestAuthConfig extends Omit<RestAuthOptions, "jwt" | "cookies" | "validators" | "schemes" | "compat" | "passwordHashers" | "rateLimits"> {
  readonly limits: RestAuthLimiters;
  readonly jwt: JwtSettings | null;
  readonly passwordHashers: PasswordHashers;
  readonly cookies: ReturnType<typeof jwtCookieConfig>;
  readonly validators: readonly PasswordValidator[];
  readonly compat: Compat;
  /** Authenticates a request for a view: `allowAny` or `isAuthenticated`; a `Response` when refused. */
  readonly authenticate: (request: Request, ctx: AuthContext, required: boolean) => Promise<{ user: unknown; auth: unknown } | Response>;
}

/** The handlers of `restAuthHandlers`. */
export interface RestAuthHandlers {
  readonly login: Handler;
  readonly logout: Handler;
  readonly user: Handler;
  readonly passwordChange: Handler;
  readonly passwordReset: Handler;
  readonly passwordResetConfirm: Handler;
  /** `token/refresh/` (mode `"jwt"` only; `null` otherwise). */
  readonly tokenRefresh: Handler | null;
}

function defaultSchemes(options: RestAuthOptions, jwt: JwtSettings | null): readonly AnyScheme[] {
  const { store, mode } = options;
  if (mode === "token") return [tokenAuth({ store: store as TokenStore })];
  if (mode === "session") {
    const sessions = typeof store.createSession === "function" ? (store as SessionStore) : undefined;
    return [sessionAuth({ sessions, django: options.djangoSessions, cookieName: options.session?.name, csrf: options.csrf })];
  }
  const cookies = options.cookies ?? {};
  return [jwtCookieAuth({ jwt: jwt as JwtSettings, users: store, cookies, csrf: options.csrf, blacklist: options.blacklist })];
}

function validate(options: RestAuthOptions): RestAuthConfig {
  const { mode, store } = options ?? ({} as RestAuthOptions);
  if (mode !== "token" && mode !== "session" && mode !== "jwt") throw new ConfigError("mode", 'must be "token", "session" or "jwt"');
  if (typeof store?.getAccount !== "function" || typeof store.getUserByUsername !== "function") throw new ConfigError("store", "must be a store with users and accounts");
  if (mode === "token" && typeof store.createToken !== "function") throw new ConfigError("store", "mode \"token\" needs a token store");
  if (options.djangoSessions !== undefined && typeof options.djangoSessions?.start !== "function") {
    throw new ConfigError("djangoSessions", "must be djangoSessions({...})");
  }
  if (mode === "session" && typeof store.createSession !== "function" && options.djangoSessions === undefined) {
    throw new ConfigError("store", "mode \"session\" needs a session store or `djangoSessions`");
  }
  if (typeof options.resetTokens?.make !== "function") throw new ConfigError("resetTokens", "must be passwordResetTokens({...})");
  if (typeof options.sendPasswordReset !== "function") throw new ConfigError("sendPasswordReset", "must be a function");
  const jwt = mode === "jwt" ? settingsOf(options.jwt) : null;
  const hashers = passwordHashersOf(options.passwordHashers);
  const compat = options.compat === undefined ? hashers.compat : compatOf(options.compat);
  if (options.passwordHashers !== undefined && hashers.compat !== compat) {
    throw new ConfigError("passwordHashers", "must be built with the same compat as `compat`");
  }
  const schemes = options.schemes ?? defaultSchemes(options, jwt);
  const open = guard({ schemes: [...schemes], permissions: [allowAny] });
  const closed = guard({ schemes: [...schemes], permissions: [isAuthenticated] });
  return {
    ...options,
    jwt,
    compat,
    passwordHashers: hashers,
    limits: restAuthLimiters(options.rateLimits, store),
    cookies: jwtCookieConfig(options.cookies),
    validators: options.validators ?? djangoPasswordValidators({ compat }),
    authenticate: async (request, ctx, required) => {
      const decision = await (required ? closed : open)(request, ctx);
      return decision.allowed ? { user: decision.user, auth: decision.auth } : toResponse(decision.error);
    },
  };
}

/** A handler whose POSTs count against `limiter` first: over the limit, its 429 (or 503) and nothing else. */
function limited(limiter: RateLimiter, handler: (request: Request, ctx: AuthContext) => Promise<Response>) {
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    if (request.method !== "POST") return handler(request, ctx);
    const outcome = await limiter(request, ctx);
    return outcome.allowed ? handler(request, ctx) : outcome.response;
  };
}

/**
 * dj-rest-auth's endpoints for one mode. Each handler authenticates its own request first (eagerly, as DRF does).
 * @example
 * const auth = restAuthHandlers({
 *   mode: "jwt", store, jwt, blacklist: store,
 *   cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token" },
 *   resetTokens: passwordResetTokens({ secretKey: env.SECRET_KEY }),
 *   sendPasswordReset: ({ email, uid, token }) => mailer.send(email, `https://app.example.com/reset/${uid}/${token}/`),
 * });
 * app.post("/api/auth/login/", (c) => auth.login(c.req.raw));
 */
export function restAuthHandlers(options: RestAuthOptions): RestAuthHandlers {
  const config = validate(options);
  const wrap = (handler: (request: Request, ctx: AuthContext) => Promise<Response>, limiter: RateLimiter | null = null) =>
    guardedHandler(limiter === null ? handler : limited(limiter, handler), options.onEvent);
  const { limits } = config;
  return Object.freeze({
    login: wrap(loginHandler(config), limits.login),
    logout: wrap(logoutHandler(config)),
    user: wrap(userDetailsHandler(config)),
    passwordChange: wrap(passwordChangeHandler(config)),
    passwordReset: wrap(passwordResetHandler(config), limits.passwordReset),
    passwordResetConfirm: wrap(passwordResetConfirmHandler(config), limits.passwordResetConfirm),
    tokenRefresh: config.jwt === null ? null : wrap(refreshHandler(config), limits.refresh),
  });
}
