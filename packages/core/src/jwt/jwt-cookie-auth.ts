/**
 * `jwtCookieAuth`: dj-rest-auth's `JWTCookieAuthentication`. The `Authorization` header is read first, exactly as
 * `jwtAuth` reads it; only a request WITHOUT that header falls back to the access cookie, and a token taken from
 * the cookie must pass Django's CSRF check first (403 `CSRF Failed: <reason>`), as a session would.
 * @module
 */
import type { AuthContext } from "../context.js";
import { permissionDenied } from "../auth-error.js";
import type { Scheme, SchemeResult } from "../schemes/types.js";
import { SKIP } from "../schemes/types.js";
import { requestCookie } from "../sessions/cookies.js";
import { csrfConfig, csrfReason, type CsrfOptions } from "../sessions/csrf-check.js";
import type { User } from "../store/types.js";
import { rawTokenOf } from "./_header.js";
import { jwtMessages } from "./claims.js";
import { failed, jwtAuthenticator, type JwtAuthInfo, type JwtAuthStatelessOptions, type JwtAuthStoreOptions, type TokenUser } from "./jwt-auth.js";
import { jwtCookieConfig, type JwtCookieOptions } from "./jwt-cookies.js";

/** What `jwtCookieAuth` adds to `jwtAuth`'s options. */
interface CookieOptions {
  /** dj-rest-auth's `JWT_AUTH_*` settings; `accessCookie` names the cookie read. */
  readonly cookies: JwtCookieOptions;
  /** Django's CSRF settings (trusted origins, cookie and header names) for cookie-authenticated requests. */
  readonly csrf?: CsrfOptions;
}

/**
 * JWT authentication from the `Authorization` header, else from the access cookie with Django's CSRF check.
 * @example
 * const jwt = jwtSettings({ signingKey: env.SECRET_KEY });
 * const scheme = jwtCookieAuth({ jwt, users: store, cookies: { accessCookie: "my-app-auth" } });
 */
export function jwtCookieAuth(options: JwtAuthStoreOptions & CookieOptions): Scheme<User, JwtAuthInfo>;
export function jwtCookieAuth(options: JwtAuthStatelessOptions & CookieOptions): Scheme<TokenUser, JwtAuthInfo>;
export function jwtCookieAuth(options: (JwtAuthStoreOptions | JwtAuthStatelessOptions) & CookieOptions): Scheme<User | TokenUser, JwtAuthInfo> {
  const { settings, authenticateRaw } = jwtAuthenticator(options);
  const cookies = jwtCookieConfig(options.cookies);
  const csrf = csrfConfig(options.csrf);

  async function authenticate(request: Request, ctx: AuthContext): Promise<SchemeResult<User | TokenUser, JwtAuthInfo>> {
    const header = request.headers.get("authorization");
    let raw: string | false | null;
    if (header === null) {
      if (cookies.accessCookie === null) return SKIP;
      raw = requestCookie(request, cookies.accessCookie);
      if (cookies.enforceCsrfOnUnauthenticated || (raw !== null && cookies.useCsrf)) {
        const reason = await csrfReason(request, csrf);
        if (reason !== null) {
          const detail = `CSRF Failed: ${reason}`;
          return { type: "failure", detail, error: permissionDenied(detail) };
        }
      }
    } else {
      raw = rawTokenOf(header, settings.authHeaderTypes);
      if (raw === false) return failed(jwtMessages.badHeader, "bad_authorization_header");
    }
    if (raw === null) return SKIP;
    return authenticateRaw(raw, ctx);
  }

  return { name: options.name ?? "jwt-cookie", authenticate, challenge: () => settings.challenge };
}
