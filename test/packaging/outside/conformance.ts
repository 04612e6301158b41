// Run by vitest 3 in the outside project: @portcullis/testing's suites against the packed memory store.
import { runJwtBlacklistStoreConformance, runSessionStoreConformance, runStoreConformance } from "@portcullis/testing";
import { memoryStore } from "@portcullis/store-memory";

runStoreConformance("memoryStore (packed)", () => memoryStore());
runSessionStoreConformance("memoryStore (packed)", () => memoryStore());
runJwtBlacklistStoreConformance("memoryStore (packed)", () => memoryStore());
