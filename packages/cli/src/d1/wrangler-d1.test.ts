// wranglerD1 against a stand-in wrangler that answers what it was sent; the real wrangler (local D1) runs the
// same SQL in examples/worker-d1/test/cli-wrangler.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store } from "@portcullis/store-d1";
import { wranglerD1 } from "./wrangler-d1.js";

// Answers each statement of --command with its text and the args, and `SELECT changes()` with 3 changes;
// SQL containing FAIL is answered with an error that quotes it.
const FAKE = `const args = process.argv.slice(2);
const sql = args[args.indexOf("--command") + 1];
if (sql.includes("FAIL")) {
  console.log(JSON.stringify({ error: { text: "near " + sql + ": syntax error" } }));
  process.exit(1);
}
const answers = sql.split("\\n;\\n").map((statement) =>
  statement === "SELECT changes() AS changes"
    ? { results: [{ changes: 3 }], success: true }
    : { results: [{ statement, args: args.filter((a) => a !== sql).join(" ") }], success: true });
console.log(JSON.stringify(answers));
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "portcullis-fake-wrangler-"));
  writeFileSync(join(dir, "fake-wrangler.mjs"), FAKE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const db = (remote = true) => wranglerD1({ database: "my-db", remote, cwd: dir, config: "w.jsonc", env: "prod", wrangler: "fake-wrangler.mjs" });

describe("wranglerD1", () => {
  it("sends one statement with its values inlined, to the database, config and env given", async () => {
    const row = await db().prepare("SELECT ?1 AS a, ?2 AS b").bind("it's", 7).first();
    expect(row).toEqual({ statement: "SELECT 'it''s' AS a, 7 AS b", args: "d1 execute my-db --remote --json --command --config w.jsonc --env prod" });
    const localRow = await db(false).prepare("SELECT 1").first<{ args: string }>();
    expect(localRow?.args).toContain("--local");
  });

  it("follows each write with SELECT changes() and answers it as meta.changes; reads have 0", async () => {
    const written = await db().prepare("DELETE FROM t WHERE id = ?1").bind("x").run();
    expect(written).toEqual({ results: [expect.objectContaining({ statement: "DELETE FROM t WHERE id = 'x'" })], meta: { changes: 3 } });
    const read = await db().prepare("SELECT 1").all();
    expect(read.meta.changes).toBe(0);
  });

  it("sends a batch as one command and answers one result per statement", async () => {
    const d = db();
    const results = (await d.batch([d.prepare("CREATE TABLE t (a)"), d.prepare("SELECT ?1").bind(null), d.prepare("INSERT INTO t VALUES (?1)").bind(1)])) as { results: unknown[]; meta: { changes: number } }[];
    expect(results.map((r) => r.meta.changes)).toEqual([3, 0, 3]);
    expect(results[1]?.results).toEqual([expect.objectContaining({ statement: "SELECT NULL" })]);
  });

  it("surfaces wrangler's error through d1Store as a StoreError, without the values it was sent", async () => {
    const store = d1Store(wranglerD1({ database: "my-db", remote: true, cwd: dir, wrangler: "fake-wrangler.mjs" }));
    const hash = "pbkdf2_sha256$1000000$FAILsalt$secret-hash-value";
    const error = await store.createUser({ username: "alice", passwordHash: hash }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const cause = String((error as StoreError).cause);
    expect(cause).toContain("syntax error");
    expect(cause).not.toContain("secret-hash-value");
  });

  it("refuses values it cannot inline", async () => {
    await expect(db().prepare("SELECT ?1").bind(true).first()).rejects.toThrow("Cannot inline a value of type boolean into SQL.");
  });
});
