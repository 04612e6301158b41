/**
 * @portcullis/store-memory: an in-memory Portcullis `Store` for tests and single-process servers.
 * @module
 */
export { memoryStore, type MemoryStoreOptions } from "./memory-store.js";
