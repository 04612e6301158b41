/**
 * @portcullis/core: Django REST Framework's authentication model for Web-standard `Request`/`Response` runtimes.
 * @module
 */
export type { AuthContext } from "./context.js";
export * from "./compat/index.js";
export type { AuthEvent, EventHook, LoginFailureReason } from "./events.js";
export { ConfigError, ConflictError, PermissionDenial, PortcullisError, StoreError } from "./errors.js";
export type { AuthDenial } from "./auth-error.js";
export { allowHeader, messages, methodNotAllowed, notFound, permissionDenied, serviceUnavailable, throttled, unauthenticated } from "./auth-error.js";
export { errorToResponse, jsonResponse, toResponse } from "./response.js";
export type { AuthResult } from "./authenticate.js";
export { authenticate, firstChallenge } from "./authenticate.js";
export type { AllowedAnonymous, AllowedUser, AnonymousOf, Decision, Denied, Guard, Policy } from "./guard.js";
export { guard } from "./guard.js";

export type { AnyScheme, AuthOf, Scheme, SchemeResult, UserOf } from "./schemes/types.js";
export type {
  BasicAuthOptions,
  BasicAuthStoreOptions,
  BasicAuthVerifyOptions,
  BasicUserStore,
  VerifiedUser,
} from "./schemes/basic.js";
export { basicAuth, basicMessages } from "./schemes/basic.js";
export type { TokenAuthOptions } from "./schemes/token.js";
export { tokenAuth, tokenMessages } from "./schemes/token.js";

export type { AnyPermission, AuthenticatedPermission, Permission, PermissionCheck, RequiresUser } from "./permissions/types.js";
export { allowAny, isAdminUser, isAuthenticated, isAuthenticatedOrReadOnly } from "./permissions/builtin.js";
export type { AllOf, AnyOf } from "./permissions/combinators.js";
export { allOf, anyOf, not } from "./permissions/combinators.js";

export type { RateLimitFields, Throttle, ThrottleResult } from "./throttles/types.js";
export type { Rate, RateInput } from "./throttles/rate.js";
export { parseRate } from "./throttles/rate.js";
export type { RateThrottleOptions } from "./throttles/throttles.js";
export { anonRateThrottle, scopedRateThrottle, userRateThrottle } from "./throttles/throttles.js";
export type {
  RateLimitContext,
  RateLimiter,
  RateLimiterOptions,
  RateLimitKey,
  RateLimitOutcome,
  WithRateLimitOptions,
} from "./rate-limit/index.js";
export { rateLimiter, withHeaders, withRateLimit } from "./rate-limit/index.js";

export type { IssueTokenOptions } from "./tokens/tokens.js";
export { TokenLimitError, issueToken, listTokens, revokeAllTokens, revokeToken, tokenDigest } from "./tokens/tokens.js";

export * from "./passwords/index.js";

export { randomId } from "./store/random-id.js";
export type { TimeoutStoreOptions } from "./store/timeout-store.js";
export { timeoutStore } from "./store/timeout-store.js";
export type {
  Awaitable,
  CounterStore,
  CreateTokenOptions,
  HitOptions,
  HitResult,
  JwtBlacklistStore,
  JwtRotation,
  NewUser,
  OutstandingJwt,
  Store,
  StoredToken,
  TokenRecord,
  TokenStore,
  User,
  UserCredentials,
  UserStore,
} from "./store/types.js";

export type { Handler, ObtainTokenOptions } from "./endpoints/obtain-token.js";
export { obtainTokenHandler } from "./endpoints/obtain-token.js";
export type { LogoutOptions } from "./endpoints/logout.js";
export { logoutAllHandler, logoutHandler } from "./endpoints/logout.js";
export { MAX_BODY_BYTES } from "./endpoints/body.js";
export type { BruteForceOptions } from "./login/login-throttle.js";
export { MAX_DATE_MS, isWithinDateRange } from "./tokens/tokens.js";
export type { SessionRecord, SessionStore, StoredSession } from "./store/types.js";
export type { AccountStore, AccountUpdate, UserAccount } from "./store/types.js";
export type { ClientIdentityOptions } from "./client-identity.js";
export { DEFAULT_IPV6_PREFIX_LENGTH, canonicalIp, clientIdentity } from "./client-identity.js";
export { NO_STORE_HEADERS } from "./response.js";
export { MAX_TOKEN_NAME_LENGTH } from "./tokens/tokens.js";
export { DEFAULT_MAX_TOKENS_PER_USER } from "./endpoints/obtain-token.js";
export type { CacheableTokenStore, TokenCache, TokenCacheOptions } from "./tokens/token-cache.js";
export { tokenCache } from "./tokens/token-cache.js";

// Django model permissions and groups (#25)
export * from "./model-permissions/index.js";
export type { PermissionAdminStore, PermissionStore, PermissionSubject, UserPermissions } from "./store/types.js";

// API keys (issue #26): the capability's types here; the scheme, limits and lifecycle at `@portcullis/core/api-keys`.
export type { ApiKeyRecord, ApiKeyRotation, ApiKeyStore, StoredApiKey } from "./store/types.js";
export type { OAuth2TokenStore, StoredOAuth2AccessToken } from "./store/types.js";

// django-rest-knox (issue #26): the capability's types here; the scheme and knox's views at `@portcullis/core/knox`.
export type { FoundKnoxToken, KnoxTokenRecord, KnoxTokenStore } from "./store/types.js";
