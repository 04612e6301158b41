import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { ConfigError } from "@portcullis/core";
import { describe, expect, it } from "vitest";
import { HAS_SERVER, createDatabase, pgliteClient } from "../test/_postgres.js";
import { connect, migrate, migrations, postgresStore, toSqlClient } from "./index.js";

const root = new URL("../", import.meta.url);

describe("migrations", () => {
  it("src/migrations.ts holds exactly migrations/*.sql (regenerate with scripts/generate-migrations.mjs)", () => {
    const names = readdirSync(new URL("migrations/", root)).filter((name) => name.endsWith(".sql")).sort();
    expect(migrations.map((m) => m.name)).toEqual(names);
    for (const migration of migrations) {
      expect(migration.sql).toBe(readFileSync(new URL(`migrations/${migration.name}`, root), "utf8"));
    }
    const generator = new URL("scripts/generate-migrations.mjs", root).pathname;
    expect(() => execFileSync(process.execPath, ["--check", generator])).not.toThrow();
  });

  it("migrate applies each migration once and names what it applied", async () => {
    const { client, close } = await pgliteClient();
    try {
      expect(await migrate(client)).toEqual(["0001_counters.sql", "0002_users_tokens.sql", "0004_sessions_jwt.sql", "0006_permissions.sql", "0007_api_keys.sql", "0008_accounts.sql", "0009_knox_tokens.sql", "0010_api_key_rotation.sql"]);
      expect(await migrate(client)).toEqual([]);
      // Django mode on a database without Django's tables fails, naming the migration, and applies nothing.
      await expect(migrate(client, { django: true })).rejects.toThrow(/0003_django_tokens.sql failed/);
      const { rows } = await toSqlClient(client).query("SELECT name FROM portcullis_migrations ORDER BY name", []);
      expect(rows.map((row) => row.name)).toEqual(["0001_counters.sql", "0002_users_tokens.sql", "0004_sessions_jwt.sql", "0006_permissions.sql", "0007_api_keys.sql", "0008_accounts.sql", "0009_knox_tokens.sql", "0010_api_key_rotation.sql"]);
    } finally {
      await close();
    }
  }, 120_000);

  it.skipIf(!HAS_SERVER)("two processes migrating at once apply each migration once (real server)", async () => {
    const database = await createDatabase();
    const [a, b] = [await connect(database.url), await connect(database.url)];
    try {
      const [first, second] = await Promise.all([a.migrate(), b.migrate()]);
      expect([...first, ...second].sort()).toEqual(["0001_counters.sql", "0002_users_tokens.sql", "0004_sessions_jwt.sql", "0006_permissions.sql", "0007_api_keys.sql", "0008_accounts.sql", "0009_knox_tokens.sql", "0010_api_key_rotation.sql"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  });

  it("a failing migration leaves nothing behind (it and its record are one transaction)", async () => {
    const { client, close } = await pgliteClient();
    try {
      const broken = [{ name: "0009_broken.sql", mode: "both" as const, sql: "CREATE TABLE half (x int);\nSELECT nope;" }];
      await expect(migrate(client, { migrations: broken })).rejects.toThrow(/0009_broken.sql failed/);
      const { rows } = await toSqlClient(client).query("SELECT to_regclass('half') AS half, count(*) AS n FROM portcullis_migrations", []);
      expect(rows[0]).toMatchObject({ half: null });
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await close();
    }
  }, 120_000);

  it("postgresStore and connect reject what is not a client or a PostgreSQL URL", async () => {
    expect(() => postgresStore({} as never)).toThrow(ConfigError);
    expect(() => postgresStore(null as never)).toThrow(ConfigError);
    await expect(connect("mysql://x")).rejects.toThrow(ConfigError);
    await expect(connect("postgres://u:p@127.0.0.1/x", { max: 0 })).rejects.toThrow(/max/);
  });

  it.skipIf(!HAS_SERVER)("connect(url) opens a store on the real server, migrates it and closes", async () => {
    const database = await createDatabase();
    try {
      const db = await connect(database.url);
      expect(await db.migrate()).toEqual(["0001_counters.sql", "0002_users_tokens.sql", "0004_sessions_jwt.sql", "0006_permissions.sql", "0007_api_keys.sql", "0008_accounts.sql", "0009_knox_tokens.sql", "0010_api_key_rotation.sql"]);
      const user = await db.store.createUser({ username: "cli-user", passwordHash: "!" });
      expect(await db.store.getUserById(user.id)).toEqual(user);
      await db.close();
    } finally {
      await database.drop();
    }
  });
});
