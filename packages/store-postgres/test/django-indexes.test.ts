/**
 * The index `portcullis django-indexes` prints, on tables real Django made: it is valid SQL on authtoken_token,
 * and PostgreSQL's planner uses it for the exact expression `findToken` compares (so a DRF key is an index lookup);
 * DRF keys still authenticate through it.
 */
import { tokenDigest } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { djangoIndexes, migrate, postgresStore, toSqlClient } from "../src/index.js";
import { DRF_KEY_DIGEST } from "../src/_django-tokens.js";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase, djangoOps } from "./_django.js";
import { pgClient, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("django-indexes");
let database: TestDatabase | undefined;
let client: TestClient | undefined;

beforeAll(async () => {
  if (!CAN_RUN_DJANGO) return;
  database = await djangoDatabase();
  client = pgClient(database.url, { max: 1 }); // one connection, so SET enable_seqscan applies to the EXPLAIN
  await migrate(client.client, { django: true });
});

afterAll(async () => {
  await client?.close();
  await database?.drop();
});

describe.skipIf(!CAN_RUN_DJANGO)("the DRF digest index", () => {
  it("applies, is used by the planner for findToken's expression, and DRF keys still authenticate", async () => {
    const [, token] = djangoOps(database!, [
      { op: "create_user", username: "indexed", password: "pw" },
      { op: "create_token", username: "indexed" },
    ]) as [unknown, { key: string }];
    const db = toSqlClient(client!.client);
    for (const index of djangoIndexes) await db.script(index.sql);
    const digest = tokenDigest(token.key);
    const plan = await db.script(`SET enable_seqscan = off`).then(() =>
      db.query(`EXPLAIN SELECT 1 FROM authtoken_token AS d WHERE ${DRF_KEY_DIGEST} = '${digest}'`, []),
    );
    expect(plan.rows.map((row) => String(row["QUERY PLAN"])).join("\n")).toContain("portcullis_authtoken_digest");
    await db.script("RESET enable_seqscan");
    const found = await postgresStore(client!.client, { django: true }).findToken(digest);
    expect(found?.user.username).toBe("indexed");
    for (const index of djangoIndexes) await db.script(index.reverseSql);
  });
});
