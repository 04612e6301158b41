import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { parseJsonc } from "./jsonc.js";
import { findConfig, resolveTarget } from "./wrangler-config.js";

const root = mkdtempSync(join(tmpdir(), "portcullis-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh project directory with these files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "p-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const JSONC = `// the example's config
{
  "name": "api", /* inline */ "main": "src/index.ts",
  "d1_databases": [
    { "binding": "DB", "database_name": "portcullis", "database_id": "id-1", "migrations_dir": "x//y", },
    { "binding": "OTHER", "database_name": "other", "database_id": "id-2", "preview_database_id": "preview-2",
      "migrations_table": "schema_log" },
  ],
  "env": { "staging": { "d1_databases": [{ "binding": "DB", "database_name": "staging-db", "database_id": "id-3" }] } },
}`;

const TOML = `name = "api"
main = "src/index.ts" # comment

[[d1_databases]]
binding = "DB"
database_name = "portcullis"
database_id = "toml-id"

[env.staging]
d1_databases = [ { binding = "DB", database_name = "staging-db", database_id = "toml-staging" } ]
`;

describe("parseJsonc", () => {
  it("drops comments and trailing commas, never inside strings", () => {
    expect(parseJsonc('{ "a": "// not a comment", /* c */ "b": ["/* kept */", 1,], } // end')).toEqual({
      a: "// not a comment",
      b: ["/* kept */", 1],
    });
    expect(parseJsonc('{"q": "say \\"hi\\", ok", "r": ",]"}')).toEqual({ q: 'say "hi", ok', r: ",]" });
  });
});

describe("findConfig", () => {
  it("finds the config as wrangler does: wrangler.json, then .jsonc, then .toml, each from the directory upwards", () => {
    const dir = project({ "wrangler.jsonc": "{}", "wrangler.toml": "", "sub/deeper/.keep": "" });
    expect(findConfig(join(dir, "sub", "deeper"))).toBe(join(dir, "wrangler.jsonc"));
    writeFileSync(join(dir, "sub", "wrangler.toml"), "");
    expect(findConfig(join(dir, "sub", "deeper"))).toBe(join(dir, "wrangler.jsonc"));
    writeFileSync(join(dir, "wrangler.json"), "{}");
    expect(findConfig(join(dir, "sub"))).toBe(join(dir, "wrangler.json"));
  });

  it("takes --config relative to the working directory, and says when there is none", () => {
    const dir = project({ "conf/w.toml": TOML });
    expect(findConfig(dir, "conf/w.toml")).toBe(join(dir, "conf", "w.toml"));
    expect(() => findConfig(dir, "missing.jsonc")).toThrow(/missing\.jsonc does not exist/);
    expect(() => findConfig(join(dir, "conf"))).toThrow(CliError);
  });
});

describe("resolveTarget", () => {
  it("picks the first database, keyed by database_id, persisted under <config dir>/.wrangler/state/v3/d1", () => {
    const dir = project({ "wrangler.jsonc": JSONC, "src/.keep": "" });
    expect(resolveTarget({ cwd: join(dir, "src") })).toEqual({
      configPath: join(dir, "wrangler.jsonc"),
      binding: "DB",
      databaseName: "portcullis",
      localId: "id-1",
      migrationsTable: undefined,
      persistDir: join(dir, ".wrangler", "state", "v3", "d1"),
    });
  });

  it("picks by --binding or --database; preview_database_id keys the local database, as in wrangler", () => {
    const dir = project({ "wrangler.jsonc": JSONC });
    const other = { binding: "OTHER", databaseName: "other", localId: "preview-2", migrationsTable: "schema_log" };
    expect(resolveTarget({ cwd: dir, binding: "OTHER" })).toMatchObject(other);
    expect(resolveTarget({ cwd: dir, database: "other" })).toMatchObject(other);
    expect(() => resolveTarget({ cwd: dir, binding: "DB", database: "other" })).toThrow(
      "No D1 database with binding DB and database_name other in wrangler.jsonc; there are: DB (portcullis), OTHER (other).",
    );
  });

  it("reads --env sections and wrangler.toml", () => {
    const dir = project({ "wrangler.jsonc": JSONC });
    const toml = project({ "wrangler.toml": TOML });
    expect(resolveTarget({ cwd: dir, env: "staging" })).toMatchObject({ databaseName: "staging-db", localId: "id-3" });
    expect(resolveTarget({ cwd: toml })).toMatchObject({ binding: "DB", localId: "toml-id" });
    expect(resolveTarget({ cwd: toml, env: "staging" })).toMatchObject({ localId: "toml-staging" });
    expect(() => resolveTarget({ cwd: dir, env: "prod" })).toThrow('There is no environment "prod" in wrangler.jsonc.');
  });

  it("honours --persist-to (relative to the working directory, as wrangler's)", () => {
    const dir = project({ "wrangler.jsonc": JSONC });
    expect(resolveTarget({ cwd: dir, persistTo: "state" }).persistDir).toBe(join(dir, "state", "v3", "d1"));
  });

  it.each([
    ["no d1_databases", '{ "name": "x" }', "There are no d1_databases in wrangler.jsonc."],
    ["an entry without binding", '{ "d1_databases": [{ "database_id": "x" }] }', "The d1_databases of wrangler.jsonc are malformed"],
    ["broken JSON", '{ "d1_databases": [ }', "Cannot read "],
    ["a list", "[]", "not an object"],
  ])("explains a config with %s", (_, text, message) => {
    const dir = project({ "wrangler.jsonc": text });
    expect(() => resolveTarget({ cwd: dir })).toThrow(message);
  });
});
