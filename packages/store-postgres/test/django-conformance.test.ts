/**
 * The conformance suites in Django mode, on tables real Django made (`manage.py migrate` of the fixture project),
 * through both drivers, and the promise that Portcullis never alters Django's tables.
 */
import { runAccountStoreConformance, runJwtBlacklistStoreConformance, runPermissionStoreConformance, runStoreConformance } from "@portcullis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore, toSqlClient } from "../src/index.js";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase, djangoSchema } from "./_django.js";
import { djangoPermissionAdmin } from "./_django-permission-admin.js";
import { pgClient, postgresJsClient, wipe, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("Django-mode conformance");
const TABLES = ["portcullis_counters", "portcullis_django_tokens", "authtoken_token", "auth_user"];
const PERMISSION_TABLES = ["auth_user_user_permissions", "auth_user_groups", "auth_group_permissions", "auth_group", ...TABLES];
const JWT_TABLES = ["portcullis_django_jwt", "token_blacklist_blacklistedtoken", "token_blacklist_outstandingtoken"];

let database: TestDatabase | undefined;
const clients: Record<string, TestClient> = {};
let schemaBefore = "";

beforeAll(async () => {
  if (!CAN_RUN_DJANGO) return;
  database = await djangoDatabase();
  clients["postgres.js"] = postgresJsClient(database.url);
  clients.pg = pgClient(database.url);
  schemaBefore = await djangoSchema(clients.pg.client);
  expect(await migrate(clients.pg.client, { django: true })).toEqual(["0001_counters.sql", "0003_django_tokens.sql", "0005_django_jwt.sql", "0007_api_keys.sql", "0009_knox_django.sql", "0010_api_key_rotation.sql"]);
});

afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await database?.drop();
});

describe.skipIf(!CAN_RUN_DJANGO)("Django mode: the schema", () => {
  it("migrate({ django: true }) creates only portcullis_* objects and leaves Django's tables as Django made them", async () => {
    expect(schemaBefore).toContain("auth_user.password character varying NO");
    expect(schemaBefore).toContain("django_session.session_key character varying NO");
    expect(schemaBefore).toContain("token_blacklist_outstandingtoken.jti character varying NO");
    expect(await djangoSchema(clients.pg!.client)).toBe(schemaBefore);
    const { rows } = await toSqlClient(clients.pg!.client).query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'portcullis%' ORDER BY 1",
      [],
    );
    expect(rows.map((row) => row.tablename)).toEqual(["portcullis_api_keys", "portcullis_counters", "portcullis_django_jwt", "portcullis_django_tokens", "portcullis_migrations"]);
    expect(await migrate(clients.pg!.client, { django: true })).toEqual([]);
  });
});

for (const label of ["postgres.js", "pg"]) {
  describe.skipIf(!CAN_RUN_DJANGO)(`Django mode on ${label}`, () => {
    runStoreConformance(`postgresStore({ django: true }) on ${label}`, async () => {
      const client = clients[label]!;
      await wipe(client, TABLES);
      return postgresStore(client.client, { django: true });
    });
    runPermissionStoreConformance(`postgresStore({ django: true }) on ${label}`, async () => {
      const client = clients[label]!;
      await wipe(client, PERMISSION_TABLES);
      return { ...postgresStore(client.client, { django: true }), ...djangoPermissionAdmin(toSqlClient(client.client)) };
    });
    runAccountStoreConformance(`postgresStore({ django: true }) on ${label}, on auth_user`, async () => {
      const client = clients[label]!;
      await wipe(client, TABLES);
      return postgresStore(client.client, { django: true });
    });
    runJwtBlacklistStoreConformance(
      `postgresStore({ django: true }) on ${label}, in simplejwt's tables`,
      async () => {
        const client = clients[label]!;
        await wipe(client, JWT_TABLES);
        return postgresStore(client.client, { django: true });
      },
      { userId: async (store) => (await store.createUser({ username: `jwt-${crypto.randomUUID()}`, passwordHash: "!" })).id },
    );
  });
}

describe.skipIf(!CAN_RUN_DJANGO)("Django mode: simplejwt's rows", () => {
  it("records a token of a user who no longer exists with user_id NULL, as simplejwt's blacklist() does", async () => {
    const client = clients.pg!;
    const store = postgresStore(client.client, { django: true });
    const jti = crypto.randomUUID().replace(/-/g, "");
    const token = { jti, userId: "987654321", family: jti, createdAt: Date.now(), expiresAt: Date.now() + 60_000 };
    expect(await store.blacklistJwt(token, Date.now())).toBe(true);
    expect(await store.isJwtBlacklisted(jti)).toBe(true);
    const { rows } = await toSqlClient(client.client).query("SELECT user_id, token FROM token_blacklist_outstandingtoken WHERE jti = $1", [jti]);
    expect(rows).toEqual([{ user_id: null, token: "" }]);
    const next = { ...token, jti: crypto.randomUUID().replace(/-/g, "") };
    const old = { ...token, jti: crypto.randomUUID().replace(/-/g, ""), family: "x" };
    expect(await store.rotateJwt(old, next, { now: Date.now(), blacklistOld: true })).toBe("rotated");
  });
});

describe.skipIf(!CAN_RUN_DJANGO)("Django mode: accounts on auth_user", () => {
  it("an e-mail lookup treats % and _ as plain characters (email__iexact is an equality, never a LIKE)", async () => {
    const store = postgresStore(clients.pg!.client, { django: true });
    const tag = crypto.randomUUID().slice(0, 8);
    const underscore = await store.createUser({ username: `u_${tag}`, passwordHash: "!" });
    const plain = await store.createUser({ username: `ux${tag}`, passwordHash: "!" });
    await store.updateAccount(underscore.id, { email: `a_b${tag}@Example.com` });
    await store.updateAccount(plain.id, { email: `axb${tag}@example.com` });
    expect((await store.findAccountsByEmail(`A_B${tag}@example.COM`)).map((a) => a.user.id)).toEqual([underscore.id]);
    expect(await store.findAccountsByEmail(`a%${tag}@example.com`)).toEqual([]);
    expect(await store.findAccountsByEmail("%")).toEqual([]);
    expect(await store.findAccountsByEmail(`a\\_b${tag}@example.com`)).toEqual([]);
    expect(await store.findAccountsByEmail(`a_b${tag}@example.com\0`)).toEqual([]);
  });

  it("setLastLogin writes a timestamptz that PostgreSQL reads as the same instant in any session time zone", async () => {
    const store = postgresStore(clients.pg!.client, { django: true });
    const user = await store.createUser({ username: `ll-${crypto.randomUUID()}`, passwordHash: "!" });
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    await store.setLastLogin(user.id, at);
    const db = toSqlClient(clients.pg!.client);
    const { rows } = await db.query("SELECT to_char(last_login AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS utc FROM auth_user WHERE id = $1::bigint", [user.id]);
    expect(rows).toEqual([{ utc: "2026-01-02 03:04:05.678000" }]);
    expect((await store.getAccount(user.id))?.lastLogin).toBe(at);
    expect(await store.getAccount("01")).toBeNull();
    expect(await store.getAccount("1 OR 1=1")).toBeNull();
  });
});
