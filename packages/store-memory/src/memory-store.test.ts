import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runPermissionStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/testing";
import { memoryStore } from "./memory-store.js";

runStoreConformance("memoryStore", () => memoryStore());
runJwtBlacklistStoreConformance("memoryStore", () => memoryStore());
runSessionStoreConformance("memoryStore", () => memoryStore());
runPermissionStoreConformance("memoryStore", () => memoryStore());
runAccountStoreConformance("memoryStore", () => memoryStore());
runApiKeyStoreConformance("memoryStore", () => memoryStore());
