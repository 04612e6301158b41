/**
 * Django and Portcullis answering from one database at once: users and DRF tokens that real Django made
 * authenticate through Portcullis, hashes Portcullis upgrades and users it creates work in Django's own
 * `authenticate()`, and revoking a user's tokens removes their DRF token too.
 */
import type { Store } from "@portcullis/core";
import {
  authenticate,
  basicAuth,
  hashPassword,
  issueToken,
  listTokens,
  obtainTokenHandler,
  revokeAllTokens,
  tokenAuth,
} from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore, toSqlClient } from "../src/index.js";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase, djangoOps } from "./_django.js";
import { postgresJsClient, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("Django round trips");

let database: TestDatabase;
let client: TestClient;
let store: Store;

beforeAll(async () => {
  if (!CAN_RUN_DJANGO) return;
  database = await djangoDatabase();
  client = postgresJsClient(database.url);
  await migrate(client.client, { django: true });
  store = postgresStore(client.client, { django: true });
});

afterAll(async () => {
  await client?.close();
  await database?.drop();
});

const withToken = (key: string) => new Request("https://api.test/", { headers: { Authorization: `Token ${key}` } });
const withBasic = (username: string, password: string) =>
  new Request("https://api.test/", { headers: { Authorization: `Basic ${btoa(`${username}:${password}`)}` } });

async function tokenCheck(key: string) {
  return authenticate(withToken(key), [tokenAuth({ store })]);
}

describe.skipIf(!CAN_RUN_DJANGO)("Django mode: round trips with real Django", () => {
  it("a DRF key that Django made authenticates through Portcullis, as the token's user", async () => {
    const [made, token] = djangoOps(database, [
      { op: "create_user", username: "alice", password: "alice-pw-1", is_staff: true },
      { op: "create_token", username: "alice" },
    ]);
    const key = String(token!.key);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    const result = await tokenCheck(key);
    expect(result).toMatchObject({ status: "authenticated", scheme: "token" });
    if (result.status !== "authenticated") throw new Error("not authenticated");
    expect(result.user).toEqual({ id: String(made!.id), username: "alice", isActive: true, isStaff: true });
    expect(result.auth).toMatchObject({ id: `drf:${made!.id}`, userId: String(made!.id), name: "drf", expiresAt: null });
    expect(await tokenCheck(key.replace(/.$/, (c) => (c === "0" ? "1" : "0")))).toMatchObject({ status: "failed" });
    expect(await tokenCheck(key.toUpperCase())).toMatchObject({ status: "failed" });
  });

  it("a DRF key of an inactive Django user answers `User inactive or deleted.`", async () => {
    const [, token] = djangoOps(database, [
      { op: "create_user", username: "inactive", password: "pw-inactive", is_active: false },
      { op: "create_token", username: "inactive" },
    ]);
    const result = await tokenCheck(String(token!.key));
    expect(result).toMatchObject({ status: "failed", error: { status: 401, detail: "User inactive or deleted." } });
  });

  it("a password Django hashed logs in through Portcullis, which upgrades the hash; Django still accepts it", async () => {
    djangoOps(database, [{ op: "create_user", username: "carol", password: "carol pass phrase" }]);
    const before = String(djangoOps(database, [{ op: "user", username: "carol" }])[0]!.password);
    expect(before).toMatch(/^pbkdf2_sha256\$260000\$/); // Django 3.2's default
    const result = await authenticate(withBasic("carol", "carol pass phrase"), [basicAuth({ users: store })]);
    expect(result).toMatchObject({ status: "authenticated", user: { username: "carol" } });
    const after = djangoOps(database, [
      { op: "user", username: "carol" },
      { op: "authenticate", username: "carol", password: "carol pass phrase" },
      { op: "authenticate", username: "carol", password: "wrong" },
    ]);
    expect(String(after[0]!.password)).toMatch(/^pbkdf2_sha256\$1000000\$/);
    expect(after[1]).toEqual({ ok: true, id: after[0]!.id });
    expect(after[2]).toEqual({ ok: false, id: null });
    const wrong = await authenticate(withBasic("carol", "wrong"), [basicAuth({ users: store })]);
    expect(wrong).toMatchObject({ status: "failed", error: { detail: "Invalid username/password." } });
  });

  it("a user Portcullis created is a valid Django user (NFKC username, Django's defaults) and logs in through Django", async () => {
    const created = await store.createUser({ username: "ｄａｖｅ", passwordHash: await hashPassword("dave-pw") });
    expect(created.username).toBe("dave");
    const [row, login] = djangoOps(database, [
      { op: "user", username: "dave" },
      { op: "authenticate", username: "dave", password: "dave-pw" },
    ]);
    expect(row).toMatchObject({ id: Number(created.id), is_active: true, is_staff: false, is_superuser: false });
    expect(row).toMatchObject({ first_name: "", last_name: "", email: "", last_login: null, full_clean: "ok" });
    expect(Date.parse(String(row!.date_joined))).toBeGreaterThan(Date.now() - 60_000);
    expect(login).toEqual({ ok: true, id: Number(created.id) });
  });

  it("tokens Portcullis issues are hashed in its own table, reference auth_user, and authenticate", async () => {
    djangoOps(database, [{ op: "create_user", username: "erin", password: "erin-pw" }]);
    const login = new Request("https://api.test/api-token-auth/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "erin", password: "erin-pw" }),
    });
    const response = await obtainTokenHandler({ store, bruteForce: false })(login);
    expect(response.status).toBe(200);
    const { token: key } = (await response.json()) as { token: string };
    expect(await tokenCheck(key)).toMatchObject({ status: "authenticated", user: { username: "erin" } });
    const db = toSqlClient(client.client);
    const { rows } = await db.query("SELECT t.*, u.username FROM portcullis_django_tokens t JOIN auth_user u ON u.id = t.user_id", []);
    expect(rows.map((r) => r.username)).toContain("erin");
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it("revoking a user's tokens removes their DRF token too, and other users' tokens stay", async () => {
    const [frank, , , gina] = djangoOps(database, [
      { op: "create_user", username: "frank", password: "frank-pw" },
      { op: "create_token", username: "frank" },
      { op: "create_user", username: "gina", password: "gina-pw" },
      { op: "create_token", username: "gina" },
    ]).map((r) => r ?? {}) as [Record<string, unknown>, unknown, unknown, Record<string, unknown>];
    const frankId = String(frank.id);
    const issued = await issueToken(store, frankId, { name: "laptop" });
    expect((await listTokens(store, frankId)).map((t) => t.name)).toEqual(["drf", "laptop"]);
    expect(await revokeAllTokens(store, frankId)).toBe(2);
    expect(djangoOps(database, [{ op: "has_token", username: "frank" }, { op: "has_token", username: "gina" }])).toEqual([
      { exists: false },
      { exists: true },
    ]);
    expect(await tokenCheck(issued.key)).toMatchObject({ status: "failed" });
    expect(String(gina.key)).toMatch(/^[0-9a-f]{40}$/);
    expect(await tokenCheck(String(gina.key))).toMatchObject({ status: "authenticated", user: { username: "gina" } });
  });

  it("deleteToken('drf:<id>') removes exactly that user's DRF token", async () => {
    const [henry, token] = djangoOps(database, [
      { op: "create_user", username: "henry", password: "henry-pw" },
      { op: "create_token", username: "henry" },
    ]).map((r) => r ?? {}) as [Record<string, unknown>, Record<string, unknown>];
    expect(await store.deleteToken(`drf:${henry.id}`)).toBe(true);
    expect(await store.deleteToken(`drf:${henry.id}`)).toBe(false);
    expect(await store.deleteToken("drf:not-a-number")).toBe(false);
    expect(await tokenCheck(String(token.key))).toMatchObject({ status: "failed", error: { detail: "Invalid token." } });
  });
});
