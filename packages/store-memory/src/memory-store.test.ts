import { runJwtBlacklistStoreConformance, runSessionStoreConformance, runStoreConformance } from "@portcullis/testing";
import { memoryStore } from "./memory-store.js";

runStoreConformance("memoryStore", () => memoryStore());
runJwtBlacklistStoreConformance("memoryStore", () => memoryStore());
runSessionStoreConformance("memoryStore", () => memoryStore());
