/**
 * `@portcullis/core/jwt`: JWT authentication compatible with djangorestframework-simplejwt, both ways (verify the
 * tokens Django minted, mint tokens Django verifies), with simplejwt's endpoints. A subpath of its own, so `jose`
 * loads only for applications that use JWT.
 * @module
 */
export type { AuthTokenType, JwtAlgorithm, JwtKeyInput, JwtSettings, JwtSettingsOptions } from "./settings.js";
export { JWT_ALGORITHMS, isJwtSettings, jwtSettings } from "./settings.js";
export type { JwtAuthInfo, JwtAuthStatelessOptions, JwtAuthStoreOptions, TokenUser } from "./jwt-auth.js";
export { jwtAuth } from "./jwt-auth.js";
export { jwtMessages } from "./claims.js";
export type { Decoded, JwtPayload, TokenType } from "./verify.js";
export { verifyToken } from "./verify.js";
export type { MintOptions, MintSubject, MintedToken } from "./mint.js";
export { mintAccessToken, mintSlidingToken, mintTokenPair } from "./mint.js";
export { passwordFingerprint } from "./revoke.js";
export type { ObtainJwtOptions } from "./obtain.js";
export { obtainJwtPairHandler, obtainSlidingJwtHandler } from "./obtain.js";
export type { RefreshJwtOptions } from "./refresh.js";
export { refreshJwtHandler, refreshSlidingJwtHandler } from "./refresh.js";
export type { BlacklistJwtOptions, VerifyJwtOptions } from "./verify-blacklist.js";
export { blacklistJwtHandler, verifyJwtHandler } from "./verify-blacklist.js";
export type { JwtCookieConfig, JwtCookieOptions } from "./jwt-cookies.js";
export { jwtCookieConfig, jwtCookies, unsetJwtCookies } from "./jwt-cookies.js";
export { jwtCookieAuth } from "./jwt-cookie-auth.js";
