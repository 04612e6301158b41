/**
 * Faults fail closed: a refused connection and a statement timeout become `StoreError` and a 503 (never a 200 or
 * a 401), through both drivers; a unique violation becomes `ConflictError`; no error message carries a password,
 * key or digest.
 */
import { createServer } from "node:net";
import { withAuth } from "@portcullis/adapters/fetch";
import { ConflictError, StoreError, basicAuth, issueToken, tokenAuth, tokenDigest } from "@portcullis/core";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore } from "../src/index.js";
import {
  HAS_SERVER,
  announce,
  createDatabase,
  pgClient,
  postgresJsClient,
  type TestClient,
  type TestDatabase,
} from "./_postgres.js";

announce("postgresStore faults (statement timeout)", true);

const KEY = "0123456789abcdef0123456789abcdef01234567";
const PASSWORD = "hunter2-secret-password";

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Answers of an app protected by token and Basic auth, for one request. */
async function answer(client: TestClient, authorization: string): Promise<{ status: number; body: string }> {
  const store = postgresStore(client.client);
  const app = withAuth({ schemes: [tokenAuth({ store }), basicAuth({ users: store })] }, () => new Response("secret data"));
  const response = await app(new Request("https://api.test/", { headers: { authorization } }));
  return { status: response.status, body: await response.text() };
}

function expectCleanStoreError(error: unknown): void {
  expect(error).toBeInstanceOf(StoreError);
  const text = `${(error as Error).message} ${(error as Error).stack ?? ""}`;
  for (const secret of [KEY, tokenDigest(KEY), PASSWORD]) expect(text).not.toContain(secret);
}

describe("connection refused", () => {
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
  });

  it.each(["postgres.js", "pg"])("through %s: StoreError, and 503 for token and Basic requests", async (driver) => {
    const url = `postgres://portcullis:portcullis@127.0.0.1:${await closedPort()}/nowhere`;
    const client = driver === "pg" ? pgClient(url) : postgresJsClient(url, { connect_timeout: 5 });
    clients.push(client);
    const store = postgresStore(client.client);
    expectCleanStoreError(await (async () => store.findToken(tokenDigest(KEY)))().catch((e: unknown) => e));
    expectCleanStoreError(await store.hit("k", { limit: 1, windowMs: 1000, now: 1 }).catch((e: unknown) => e));
    for (const authorization of [`Token ${KEY}`, `Basic ${btoa(`alice:${PASSWORD}`)}`]) {
      const { status, body } = await answer(client, authorization);
      expect(status).toBe(503);
      expect(body).not.toContain("secret data");
      for (const secret of [KEY, PASSWORD]) expect(body).not.toContain(secret);
    }
  });
});

describe.skipIf(!HAS_SERVER)("statement timeout and unique violations (real server)", () => {
  let database: TestDatabase;
  let locker: TestClient;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    database = await createDatabase();
    locker = postgresJsClient(database.url, { max: 1 });
    await migrate(locker.client);
  });

  afterAll(async () => {
    for (const client of [...clients, locker]) await client?.close();
    await database?.drop();
  });

  it.each(["postgres.js", "pg"])("through %s: a statement timeout is a StoreError and a 503", async (driver) => {
    const timeout = { statement_timeout: 200 };
    const client = driver === "pg" ? pgClient(database.url, timeout) : postgresJsClient(database.url, { connection: timeout });
    clients.push(client);
    const store = postgresStore(client.client);
    const user = await store.createUser({ username: `u-${driver}`, passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    // Hold a lock that every token check must wait for, in a transaction of another connection.
    const sql = locker.client as Sql;
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const transaction = sql.begin(async (tx) => {
      await tx.unsafe("LOCK TABLE portcullis_tokens IN ACCESS EXCLUSIVE MODE");
      locked();
      await held;
    });
    await isLocked;
    try {
      const error = await (async () => store.findToken(tokenDigest(key)))().catch((e: unknown) => e);
      expectCleanStoreError(error);
      expect(String((error as StoreError).cause)).toMatch(/statement timeout/);
      expect((await answer(client, `Token ${key}`)).status).toBe(503);
    } finally {
      release();
      await transaction;
    }
    expect((await answer(client, `Token ${key}`)).status).toBe(200);
  });

  it("a unique violation is a ConflictError naming the field, never the value", async () => {
    const store = postgresStore(locker.client);
    const user = await store.createUser({ username: "taken", passwordHash: "!" });
    const digest = tokenDigest(KEY);
    await store.createToken({ id: "t1", digest, userId: user.id, name: null, createdAt: 1, expiresAt: null }, { now: 1 });
    const error = await store
      .createToken({ id: "t2", digest, userId: user.id, name: null, createdAt: 1, expiresAt: null }, { now: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe("digest");
    expect((error as Error).message).not.toContain(digest);
    const orphan = await store
      .createToken({ id: "t3", digest: "ab".repeat(32), userId: "nobody", name: null, createdAt: 1, expiresAt: null }, { now: 1 })
      .catch((e: unknown) => e);
    expectCleanStoreError(orphan);
  });
});
