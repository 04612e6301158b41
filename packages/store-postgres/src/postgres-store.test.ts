import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runKnoxTokenStoreConformance,
  runPermissionStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/testing";
import { afterAll, beforeAll } from "vitest";
import {
  HAS_SERVER,
  announce,
  createDatabase,
  pgClient,
  pgliteClient,
  postgresJsClient,
  wipe,
  type TestClient,
  type TestDatabase,
} from "../test/_postgres.js";
import { migrate, postgresStore } from "./index.js";

// The conformance suites of every capability, on the real server through both drivers (postgres.js and pg), or
// locally without PORTCULLIS_PG_URL on PGlite.
announce("postgresStore conformance");
const TABLES = [
  "portcullis_counters",
  "portcullis_tokens",
  "portcullis_sessions",
  "portcullis_jwt_outstanding",
  "portcullis_user_permissions",
  "portcullis_user_groups",
  "portcullis_group_permissions",
  "portcullis_api_keys",
  "portcullis_accounts",
  "portcullis_users",
];

let database: TestDatabase | undefined;
const clients: Record<string, TestClient> = {};

beforeAll(async () => {
  if (HAS_SERVER) {
    database = await createDatabase();
    clients["postgres.js"] = postgresJsClient(database.url);
    clients.pg = pgClient(database.url);
  } else {
    clients.PGlite = await pgliteClient();
  }
  const first = Object.values(clients)[0]!;
  await migrate(first.client);
});

afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await database?.drop();
});

for (const label of HAS_SERVER ? ["postgres.js", "pg"] : ["PGlite"]) {
  runStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, TABLES);
    return postgresStore(client.client);
  });
  runStoreConformance(`postgresStore({ permissionsWithUser: true }) on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, TABLES);
    return postgresStore(client.client, { permissionsWithUser: true });
  });
  runPermissionStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, TABLES);
    return postgresStore(client.client);
  });
  runSessionStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, ["portcullis_sessions", "portcullis_users"]);
    return postgresStore(client.client);
  });
  runJwtBlacklistStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, ["portcullis_jwt_outstanding"]);
    return postgresStore(client.client);
  });
  runApiKeyStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, ["portcullis_api_keys"]);
    return postgresStore(client.client);
  });
  runKnoxTokenStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, ["portcullis_knox_tokens", "portcullis_users"]);
    return postgresStore(client.client);
  });
  runAccountStoreConformance(`postgresStore on ${label}`, async () => {
    const client = clients[label]!;
    await wipe(client, ["portcullis_accounts", "portcullis_users"]);
    return postgresStore(client.client);
  });
}
