/**
 * @portcullis/store-memory: an in-memory Portcullis `Store` for tests and single-process servers.
 * @module
 */
export { memoryStore, type MemoryStoreOptions } from "./memory-store.js";
export type { MemoryOAuth2AccessToken, MemoryOAuth2Store } from "./_oauth2.js";
