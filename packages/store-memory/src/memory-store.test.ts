import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runKnoxTokenStoreConformance,
  runPermissionStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/testing";
import { memoryStore } from "./memory-store.js";

runStoreConformance("memoryStore", () => memoryStore());
runJwtBlacklistStoreConformance("memoryStore", () => memoryStore());
runSessionStoreConformance("memoryStore", () => memoryStore());
runKnoxTokenStoreConformance("memoryStore", () => memoryStore());
runPermissionStoreConformance("memoryStore", () => memoryStore());
runAccountStoreConformance("memoryStore", () => memoryStore());
runApiKeyStoreConformance("memoryStore", () => memoryStore());
