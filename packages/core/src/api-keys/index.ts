/**
 * `@portcullis/core/api-keys`: prefixed, scoped API keys with per-key limits. Keys look like
 * `pk_live_<id>_<secret><checksum>`; only their SHA-256 digest is stored, found by the public id and compared in
 * constant time.
 * @module
 */
export type { ApiKeyAuthOptions, ApiKeyOwner } from "./api-key-auth.js";
export { apiKeyAuth, apiKeyMessages } from "./api-key-auth.js";
export type { IssueApiKeyOptions, RotateApiKeyOptions } from "./keys.js";
export {
  DEFAULT_API_KEY_PREFIX,
  DEFAULT_ROTATION_GRACE_MS,
  MAX_API_KEY_SCOPES,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
} from "./keys.js";
export type { HasScopeOptions } from "./scopes.js";
export { hasScope, isApiKeyRecord } from "./scopes.js";
export type { ApiKeyLimitOptions } from "./limits.js";
export { apiKeyQuota, perKeyRateThrottle } from "./limits.js";
export { isApiKeyFormat } from "./_format.js";
export type { ApiKeyEndpointOptions, ApiKeyEndpoints } from "./endpoints.js";
export { apiKeyEndpoints } from "./endpoints.js";
export type { ApiKeyRecord, ApiKeyRotation, ApiKeyStore, StoredApiKey } from "../store/types.js";
