import {
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/core/testing";
import { memoryStore } from "./memory-store.js";

runStoreConformance("memoryStore", () => memoryStore());
runJwtBlacklistStoreConformance("memoryStore", () => memoryStore());
runSessionStoreConformance("memoryStore", () => memoryStore());
runApiKeyStoreConformance("memoryStore", () => memoryStore());
