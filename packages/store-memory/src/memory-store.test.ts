import { runSessionStoreConformance, runStoreConformance } from "@portcullis/core/testing";
import { memoryStore } from "./memory-store.js";

runStoreConformance("memoryStore", () => memoryStore());
runSessionStoreConformance("memoryStore", () => memoryStore());
