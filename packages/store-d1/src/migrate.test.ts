import { readdirSync, readFileSync } from "node:fs";
import type { D1Database } from "@cloudflare/workers-types/experimental/index.js";
import { ConfigError, StoreError } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, migrations } from "./index.js";
import { splitSql } from "./_split-sql.js";

const migrationsDir = new URL("../migrations/", import.meta.url);
const ALL = migrations.map((migration) => migration.name);
/** wrangler's own definition of its table (workers-sdk, packages/wrangler/src/d1/migrations/helpers.ts). */
const WRANGLER_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

let mf: Miniflare;
const names = ["FRESH", "TWICE", "WRANGLER", "CUSTOM", "BROKEN"] as const;
const dbs = {} as Record<(typeof names)[number], D1Database>;

beforeAll(async () => {
  const script = "export default { fetch() { return new Response('') } }";
  mf = new Miniflare({ modules: true, script, d1Databases: [...names] });
  for (const name of names) dbs[name] = (await mf.getD1Database(name)) as unknown as D1Database;
});

afterAll(async () => {
  await mf?.dispose();
});

const tablesOf = async (db: D1Database) =>
  (await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string }>())
    .results.map((row) => row.name);

describe("migrations", () => {
  it("src/migrations.ts holds exactly migrations/*.sql (run scripts/generate-migrations.mjs)", () => {
    const files = readdirSync(migrationsDir).filter((name) => name.endsWith(".sql")).sort();
    expect(migrations.map((migration) => migration.name)).toEqual(files);
    for (const migration of migrations) {
      expect(migration.sql).toBe(readFileSync(new URL(migration.name, migrationsDir), "utf8"));
    }
  });
});

describe("migrate", () => {
  it("applies every migration once and records it as wrangler does", async () => {
    const db = dbs.FRESH;
    expect(await migrate(db)).toEqual(ALL);
    expect(await migrate(db)).toEqual([]);
    expect(await tablesOf(db)).toEqual(expect.arrayContaining(["portcullis_users", "portcullis_tokens", "portcullis_counters"]));
    const { results } = await db.prepare("SELECT * FROM d1_migrations ORDER BY id").all();
    expect(results).toEqual(ALL.map((name, index) => ({ id: index + 1, name, applied_at: expect.any(String) })));
  });

  it("is safe to run concurrently", async () => {
    const answers = await Promise.all([migrate(dbs.TWICE), migrate(dbs.TWICE), migrate(dbs.TWICE)]);
    expect(answers.flat()).toEqual(ALL);
    expect(await migrate(dbs.TWICE)).toEqual([]);
  });

  it("skips what `wrangler d1 migrations apply` applied, in wrangler's table", async () => {
    const db = dbs.WRANGLER;
    await db.prepare(WRANGLER_TABLE).run();
    const sql = readFileSync(new URL("0001_initial.sql", migrationsDir), "utf8");
    const insert = db.prepare("INSERT INTO d1_migrations (name) values ('0001_initial.sql')");
    await db.batch([...splitSql(sql).map((statement) => db.prepare(statement)), insert]);
    expect(await migrate(db)).toEqual(ALL.slice(1));
  });

  it("honours a custom migrations table and refuses a name that is not an identifier", async () => {
    expect(await migrate(dbs.CUSTOM, { migrationsTable: "schema_log" })).toEqual(ALL);
    expect(await tablesOf(dbs.CUSTOM)).toContain("schema_log");
    await expect(migrate(dbs.CUSTOM, { migrationsTable: "x; DROP TABLE y" })).rejects.toBeInstanceOf(ConfigError);
  });

  it("rolls a failing migration back entirely and throws StoreError with D1's cause", async () => {
    const db = dbs.BROKEN;
    const bad = { name: "0002_bad.sql", sql: "CREATE TABLE half (a);\nINSERT INTO missing VALUES (1);" };
    const error = await migrate(db, { migrations: [bad] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as StoreError).cause)).toMatch(/no such table: missing/);
    expect(await tablesOf(db)).not.toContain("half");
    expect((await db.prepare("SELECT count(*) AS n FROM d1_migrations").first())?.n).toBe(0);
  });
});
