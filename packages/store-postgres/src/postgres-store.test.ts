import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runKnoxTokenStoreConformance,
  runPermissionStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import type pg from "pg";
import { fromPg, migrate, postgresStore } from "./index.js";

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
    clients["pg (prepared)"] = pgClient(database.url);
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

// `fromPg(pool, { prepare: true })`: every statement named, the same suites.
if (HAS_SERVER) {
  const prepared = () => postgresStore(fromPg(clients["pg (prepared)"]!.client as pg.Pool, { prepare: true }));
  runStoreConformance("postgresStore on pg, named statements", async () => {
    await wipe(clients["pg (prepared)"]!, TABLES);
    return prepared();
  });
  runSessionStoreConformance("postgresStore on pg, named statements", async () => {
    await wipe(clients["pg (prepared)"]!, ["portcullis_sessions", "portcullis_users"]);
    return prepared();
  });
  runApiKeyStoreConformance("postgresStore on pg, named statements", async () => {
    await wipe(clients["pg (prepared)"]!, ["portcullis_api_keys"]);
    return prepared();
  });
}

describe.runIf(HAS_SERVER)("fromPg(client, { prepare: true })", () => {
  it("prepares each statement once per connection, under a name of its own", async () => {
    const pgModule = (await import("pg")).default;
    const client = new pgModule.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const store = postgresStore(fromPg(client, { prepare: true }));
      const user = await store.createUser({ username: `prepared-${Date.now()}`, passwordHash: "!" });
      for (let i = 0; i < 3; i++) {
        expect(await store.getUserById(user.id)).toMatchObject({ id: user.id });
        expect(await store.findToken("0".repeat(64))).toBeNull();
      }
      const { rows } = await client.query("SELECT name, statement FROM pg_prepared_statements ORDER BY name");
      const names = rows.map((row: { name: string }) => row.name);
      expect(names.every((name: string) => name.startsWith("portcullis_"))).toBe(true);
      expect(new Set(names).size).toBe(names.length);
      expect(rows.some((row: { statement: string }) => row.statement.includes("portcullis_tokens"))).toBe(true);
      // Three uses, one preparation each (unnamed statements would leave none behind).
      expect(names.length).toBeGreaterThanOrEqual(3);
      expect(names.length).toBeLessThanOrEqual(4);
    } finally {
      await client.end();
    }
  });
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

// Real concurrency on the server: rotations of one key through two drivers' pools (20 connections), racing.
describe.runIf(HAS_SERVER)("postgresStore API key rotation across connections", () => {
  it("of 40 rotations of one key from two pools exactly one succeeds, and one revoke racing 10 rotations wins or loses whole", async () => {
    await wipe(clients.pg!, ["portcullis_api_keys"]);
    const stores = [postgresStore(clients["postgres.js"]!.client), postgresStore(clients.pg!.client)];
    const key = (id: string, digest: string) => ({ id, digest, ownerId: "org", name: null, scopes: [], createdAt: 1, expiresAt: null, lastUsedAt: null });
    await stores[0]!.createApiKey(key("old000000000", "d".repeat(64)));
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => stores[i % 2]!.rotateApiKey("old000000000", key(`new${String(i).padStart(9, "0")}`, i.toString(16).padStart(64, "0")), 5, 2)),
    );
    expect(outcomes.filter((o) => o === "rotated")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "conflict")).toHaveLength(39);
    expect(await stores[1]!.listApiKeys("org")).toHaveLength(2);

    await stores[0]!.createApiKey(key("gone00000000", "e".repeat(64)));
    const raced = await Promise.all([
      stores[1]!.deleteApiKey("gone00000000"),
      ...Array.from({ length: 10 }, (_, i) => stores[i % 2]!.rotateApiKey("gone00000000", key(`rep${String(i).padStart(9, "0")}`, (i + 100).toString(16).padStart(64, "0")), 5, 2)),
    ]);
    const rotated = raced.slice(1).filter((o) => o === "rotated").length;
    expect(rotated).toBeLessThanOrEqual(1);
    expect(await stores[0]!.listApiKeys("org")).toHaveLength(2 + rotated);
  });
});

