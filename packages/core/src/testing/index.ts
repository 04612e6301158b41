/**
 * Test helpers for Portcullis stores: one conformance suite per store capability, registered with vitest (an
 * optional peer dependency of `@portcullis/core`).
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
