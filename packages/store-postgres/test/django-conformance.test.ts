/**
 * The conformance suites in Django mode, on tables real Django made (`manage.py migrate` of the fixture project),
 * through both drivers, and the promise that Portcullis never alters Django's tables.
 */
import { runStoreConformance } from "@portcullis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore, toSqlClient } from "../src/index.js";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase } from "./_django.js";
import { pgClient, postgresJsClient, wipe, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("Django-mode conformance");
const TABLES = ["portcullis_counters", "portcullis_django_tokens", "authtoken_token", "auth_user"];

let database: TestDatabase | undefined;
const clients: Record<string, TestClient> = {};
let schemaBefore = "";

/** Django's tables as PostgreSQL describes them: columns, constraints, indexes and triggers of their own. */
async function djangoSchema(client: TestClient): Promise<string> {
  const { rows } = await toSqlClient(client.client).query(
    `SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
       coalesce(column_default, '') AS what FROM information_schema.columns
     WHERE table_name IN ('auth_user', 'authtoken_token')
     UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
     FROM pg_constraint WHERE conrelid IN ('auth_user'::regclass, 'authtoken_token'::regclass)
     UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE tablename IN ('auth_user', 'authtoken_token')
     UNION ALL SELECT 'trigger', tgrelid::regclass || ' ' || tgname FROM pg_trigger
     WHERE tgrelid IN ('auth_user'::regclass, 'authtoken_token'::regclass) AND NOT tgisinternal
     ORDER BY 1, 2`,
    [],
  );
  return rows.map((row) => `${String(row.kind)}: ${String(row.what)}`).join("\n");
}

beforeAll(async () => {
  if (!CAN_RUN_DJANGO) return;
  database = await djangoDatabase();
  clients["postgres.js"] = postgresJsClient(database.url);
  clients.pg = pgClient(database.url);
  schemaBefore = await djangoSchema(clients.pg);
  expect(await migrate(clients.pg.client, { django: true })).toEqual(["0001_counters.sql", "0003_django_tokens.sql"]);
});

afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await database?.drop();
});

describe.skipIf(!CAN_RUN_DJANGO)("Django mode: the schema", () => {
  it("migrate({ django: true }) creates only portcullis_* objects and leaves Django's tables as Django made them", async () => {
    expect(schemaBefore).toContain("auth_user.password character varying NO");
    expect(await djangoSchema(clients.pg!)).toBe(schemaBefore);
    const { rows } = await toSqlClient(clients.pg!.client).query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'portcullis%' ORDER BY 1",
      [],
    );
    expect(rows.map((row) => row.tablename)).toEqual(["portcullis_counters", "portcullis_django_tokens", "portcullis_migrations"]);
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
  });
}
