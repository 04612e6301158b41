import type { D1Database, D1DatabaseSession } from "@cloudflare/workers-types/experimental/index.js";
import { ConfigError, ConflictError, StoreError } from "@portcullis/core";
import {
  runAccountStoreConformance,
  runApiKeyStoreConformance,
  runJwtBlacklistStoreConformance,
  runKnoxTokenStoreConformance,
  runPermissionStoreConformance,
  runSessionStoreConformance,
  runStoreConformance,
} from "@portcullis/testing";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate, type D1DatabaseLike } from "./index.js";

let mf: Miniflare;
let db: D1Database;
let spare: D1Database;

beforeAll(async () => {
  const script = "export default { fetch() { return new Response('') } }";
  mf = new Miniflare({ modules: true, script, d1Databases: ["DB", "SPARE"] });
  db = (await mf.getD1Database("DB")) as unknown as D1Database;
  spare = (await mf.getD1Database("SPARE")) as unknown as D1Database;
  await migrate(db);
});

afterAll(async () => {
  await mf?.dispose();
});

/** Every row of every table of the database (skipping D1's and SQLite's own), as JSON text. */
async function dumpTables(database: D1DatabaseLike): Promise<Record<string, string>> {
  const { results } = await database
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
    .all<{ name: string }>();
  const dump: Record<string, string> = {};
  for (const { name } of results) {
    dump[name] = JSON.stringify((await database.prepare(`SELECT * FROM "${name}"`).all()).results);
  }
  return dump;
}

runStoreConformance("d1Store", async () => {
  await db.batch(["portcullis_counters", "portcullis_tokens", "portcullis_users"].map((t) => db.prepare(`DELETE FROM ${t}`)));
  return d1Store(db);
});

runJwtBlacklistStoreConformance("d1Store", async () => {
  await db.prepare("DELETE FROM portcullis_jwt_outstanding").run();
  return d1Store(db);
});
runPermissionStoreConformance("d1Store", async () => {
  const tables = ["portcullis_user_permissions", "portcullis_user_groups", "portcullis_group_permissions", "portcullis_users"];
  await db.batch(tables.map((t) => db.prepare(`DELETE FROM ${t}`)));
  return d1Store(db);
});
runSessionStoreConformance("d1Store", async () => {
  await db.batch(["portcullis_sessions", "portcullis_users"].map((t) => db.prepare(`DELETE FROM ${t}`)));
  return d1Store(db);
});

runKnoxTokenStoreConformance("d1Store", async () => {
  await db.batch(["portcullis_knox_tokens", "portcullis_users"].map((t) => db.prepare(`DELETE FROM ${t}`)));
  return d1Store(db);
});

runApiKeyStoreConformance("d1Store", async () => {
  await db.prepare("DELETE FROM portcullis_api_keys").run();
  return d1Store(db);
});

runAccountStoreConformance("d1Store", async () => {
  await db.batch(["portcullis_accounts", "portcullis_users"].map((t) => db.prepare(`DELETE FROM ${t}`)));
  return d1Store(db);
});

describe("d1Store accounts", () => {
  it("an e-mail lookup treats % and _ as plain characters and folds case beyond ASCII", async () => {
    const store = d1Store(db);
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await store.createUser({ username: `a_${tag}`, passwordHash: "!" });
    const b = await store.createUser({ username: `b_${tag}`, passwordHash: "!" });
    await store.updateAccount(a.id, { email: `zoë_${tag}@example.com` });
    await store.updateAccount(b.id, { email: `zoëx${tag}@example.com` });
    expect((await store.findAccountsByEmail(`ZOË_${tag}@EXAMPLE.com`)).map((found) => found.user.id)).toEqual([a.id]);
    expect(await store.findAccountsByEmail(`zoë%${tag}@example.com`)).toEqual([]);
    expect(await store.findAccountsByEmail("%")).toEqual([]);
  });

  it("a taken username leaves the account untouched (the rename and the account change are one batch)", async () => {
    const store = d1Store(db);
    const a = await store.createUser({ username: `c-${crypto.randomUUID()}`, passwordHash: "!" });
    const b = await store.createUser({ username: `d-${crypto.randomUUID()}`, passwordHash: "!" });
    await expect(store.updateAccount(b.id, { username: a.username, email: "new@example.com" })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.getAccount(b.id))?.email).toBe("");
  });
});

describe("d1Store", () => {
  it("accepts a D1Database and a D1DatabaseSession (type level), and rejects anything else", () => {
    const accepts = (database: D1Database | D1DatabaseSession): D1DatabaseLike => database;
    expect(d1Store(accepts(db))).toBeTypeOf("object");
    expect(d1Store(accepts(db.withSession()))).toBeTypeOf("object");
    expect(() => d1Store({} as D1DatabaseLike)).toThrow(ConfigError);
  });

  it("stores a token as its digest only: no table holds the key", async () => {
    const store = d1Store(db);
    const user = await store.createUser({ username: "dump-user", passwordHash: "pbkdf2_sha256$1$salt$hash" });
    const key = "0123456789abcdef0123456789abcdef01234567";
    const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
    const digest = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    await store.createToken({ id: "tok-1", digest, userId: user.id, name: "ci", createdAt: 1, expiresAt: null }, { now: 1 });
    await store.hit(`user:${user.id}`, { limit: 5, windowMs: 1000, now: 1 });
    const dump = await dumpTables(db);
    expect(Object.keys(dump)).toEqual(
      expect.arrayContaining(["d1_migrations", "portcullis_users", "portcullis_tokens", "portcullis_counters"]),
    );
    for (const [table, rows] of Object.entries(dump)) {
      expect(rows, table).not.toContain(key);
      if (table !== "portcullis_tokens") expect(rows, table).not.toContain(digest);
    }
    expect(dump.portcullis_tokens).toContain(digest);
  });

  it("wraps D1 failures in StoreError with D1's error as cause, without secrets in the message", async () => {
    await migrate(spare);
    const store = d1Store(spare);
    await spare.prepare("DROP TABLE portcullis_counters").run();
    await spare.prepare("DROP TABLE portcullis_tokens").run();
    const digest = "ab".repeat(32);
    const errors = await Promise.all([
      (async () => store.findToken(digest))().catch((e: unknown) => e), // thrown or rejected alike
      store.hit("k", { limit: 1, windowMs: 1000, now: 1 }).catch((e: unknown) => e),
      store.purgeCounters(1).catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBeInstanceOf(Error);
      expect(String((error as StoreError).cause)).toMatch(/no such table/);
      expect((error as StoreError).message).not.toContain(digest);
    }
  });

  it("reports UNIQUE violations as ConflictError and a token of an unknown user as StoreError", async () => {
    const store = d1Store(db);
    const user = await store.createUser({ username: "unique-user", passwordHash: "x" });
    await expect(store.createUser({ username: "unique-user", passwordHash: "x" })).rejects.toBeInstanceOf(ConflictError);
    const token = { id: "t-orphan", digest: "cd".repeat(32), userId: "no-such-user", name: null, createdAt: 1, expiresAt: null };
    await expect(store.createToken(token, { now: 1 })).rejects.toBeInstanceOf(StoreError);
    expect(await store.listTokens(user.id)).toEqual([]);
  });
});
