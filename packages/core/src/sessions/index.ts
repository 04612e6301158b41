/**
 * `@portcullis/core/sessions`: DRF's `SessionAuthentication` with Django's CSRF protection, login and logout
 * endpoints, Django's `get_token`, and read-only access to sessions that Django issued.
 * @module
 */
export type { DjangoSessionReader, SessionAuthInfo, SessionAuthOptions } from "./session-auth.js";
export { sessionAuth, sessionDigest } from "./session-auth.js";
export type { SessionLoginOptions, SessionLogoutOptions } from "./session-endpoints.js";
export { sessionLoginHandler, sessionLogoutHandler } from "./session-endpoints.js";
export type { SessionCookieOptions } from "./session-config.js";
export type { CsrfConfig, CsrfOptions } from "./csrf-check.js";
export { csrfConfig, csrfReason, isSafeMethod } from "./csrf-check.js";
export type { CsrfTokenOptions, CsrfTokenResult } from "./csrf-cookie.js";
export { csrfToken } from "./csrf-cookie.js";
export { csrfSecretOf, csrfTokenFormatError, csrfTokenMatches, maskCsrfSecret, newCsrfSecret, unmaskCsrfToken } from "./csrf-token.js";
export { parseCookieHeader } from "./cookies.js";
export type { DjangoSessionData, DjangoSessionReaderOptions, DjangoSessionSource, DjangoUserSource } from "./django-session.js";
export { decodeDjangoSessionData, decodeDjangoSignedCookie, djangoSessionAuthHash, djangoSessionReader } from "./django-session.js";
export type { DjangoLoadsOptions } from "./django-signing.js";
export { djangoDumps, djangoLoads } from "./django-signing.js";
export type { DjangoSessions, DjangoSessionsOptions, DjangoSessionTable } from "./django-session-writer.js";
export { djangoSessions } from "./django-session-writer.js";
