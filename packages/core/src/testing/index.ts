/**
 * Test helpers for Portcullis stores: `runStoreConformance` registers the shared store contract with vitest
 * (an optional peer dependency of `@portcullis/core`).
 * @module
 */
export { runStoreConformance, type StoreConformanceOptions } from "./conformance.js";
