/**
 * `csrfToken(request)`: Django's `get_token` for a page that posts back (a form's `csrfmiddlewaretoken`, or a
 * script's `X-CSRFToken`): the secret of the request's `csrftoken` cookie (or a new one), a freshly masked token
 * for the page, and the `Set-Cookie` that (re)sets the cookie.
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { requestCookie } from "./cookies.js";
import { csrfConfig, type CsrfOptions } from "./csrf-check.js";
import { csrfSecretOf, csrfTokenFormatError, maskCsrfSecret, newCsrfSecret } from "./csrf-token.js";
import { csrfCookie } from "./session-config.js";

/** Options of `csrfToken`: the CSRF settings plus the cookie's `Secure` flag (default `"auto"`: on HTTPS). */
export interface CsrfTokenOptions extends CsrfOptions {
  readonly secure?: boolean | "auto";
}

/** What `csrfToken` answers. */
export interface CsrfTokenResult {
  /** A masked 64-character token for the page; a new mask on every call, for the same secret. */
  readonly token: string;
  /** The `Set-Cookie` value of the `csrftoken` cookie (the 32-character secret, one year, renewed on every call). */
  readonly setCookie: string;
}

/**
 * Django's `get_token`: keeps the secret of a well-formed `csrftoken` cookie (32 characters, or Django 3.2's
 * masked 64), else makes a new one; answers a masked token and the cookie to set. Send the `Set-Cookie` with
 * the page.
 * @example
 * const { token, setCookie } = csrfToken(c.req.raw);
 * c.header("Set-Cookie", setCookie, { append: true });
 * return c.html(`<input type="hidden" name="csrfmiddlewaretoken" value="${token}">`);
 */
export function csrfToken(request: Request, options: CsrfTokenOptions = {}, ctx?: AuthContext): CsrfTokenResult {
  const config = csrfConfig({ trustedOrigins: options.trustedOrigins, cookieName: options.cookieName, headerName: options.headerName, cookieDomain: options.cookieDomain });
  const cookie = requestCookie(request, config.cookieName);
  const secret = cookie !== null && csrfTokenFormatError(cookie) === null ? csrfSecretOf(cookie) : newCsrfSecret();
  return { token: maskCsrfSecret(secret), setCookie: csrfCookie(request, config, options.secure ?? "auto", secret, nowOf(ctx)) };
}
