/**
 * Test helpers for Portcullis stores: one conformance suite per store capability, registered with vitest (this
 * package's peer dependency; `@portcullis/core` itself never involves vitest).
 * @module
 */
export {
  runCounterStoreConformance,
  runStoreConformance,
  runTokenStoreConformance,
  runUserStoreConformance,
  type ConformanceOptions,
  type StoreConformanceOptions,
} from "./conformance.js";
export { runJwtBlacklistStoreConformance, type JwtBlacklistConformanceOptions } from "./jwt-blacklist-conformance.js";
export { runAccountStoreConformance, runPermissionStoreConformance, runSessionStoreConformance } from "./conformance.js";
export { runApiKeyStoreConformance } from "./api-keys-conformance.js";
export { runOAuth2TokenStoreConformance, type OAuth2ConformanceOptions, type OAuth2TokenSeed } from "./oauth2-conformance.js";
export { runKnoxTokenStoreConformance } from "./knox-conformance.js";
