import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runOAuth2TokenStoreConformance,
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

runOAuth2TokenStoreConformance("memoryStore", () => memoryStore(), {
  createUser: (store, username, isActive) => store.createUser({ username, passwordHash: "!", isActive }),
  insertToken: async (store, checksum, { scope, expiresAt, userId }) => {
    const row = { id: String(Math.floor(Math.random() * 1e9)), scope, expiresAt, applicationId: "7", clientId: "client-7", userId };
    await store.putOAuth2AccessToken(checksum, row);
    return { id: row.id, applicationId: row.applicationId, clientId: row.clientId };
  },
});
