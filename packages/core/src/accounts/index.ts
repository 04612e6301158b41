/**
 * `@portcullis/core/accounts`: Django's password reset tokens and password validators, and dj-rest-auth's
 * endpoints (login, logout, user, password change, reset and reset confirm) in its three modes.
 * @module
 */
export type { PasswordResetTokens, PasswordResetTokensOptions, ResetTokenSubject } from "./reset-token.js";
export { decodeUid, encodeUid, passwordResetTokens } from "./reset-token.js";
export type { DjangoPasswordValidatorsOptions, PasswordUser, PasswordValidator } from "./validators.js";
export { djangoPasswordValidators, validatePassword } from "./validators.js";
export { commonPasswords } from "./common-passwords.js";
export type { PasswordResetMessage, RestAuthHandlers, RestAuthMode, RestAuthOptions, RestAuthRateLimits, RestAuthStore } from "./rest-auth.js";
export { restAuthHandlers } from "./rest-auth.js";
