// The `portcullis` CLI against wrangler 4, offline: the CLI and `wrangler d1 ... --local` (hence `wrangler dev`)
// use the same SQLite file, and the SQL that `--remote` sends through `wrangler d1 execute` (bound values
// inlined as literals) runs correctly, checked by sending it with `--local` instead.
import { spawnSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConflictError, issueToken, listTokens, revokeAllTokens, tokenDigest } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate } from "../../../packages/store-d1/src/index.js";
import { wranglerD1 } from "../../../packages/cli/src/d1/wrangler-d1.js";
import { d1Entry, loginWith, requireBuiltCli, runCli, tempProject, withLocalDb } from "../../../packages/cli/test/cli-harness.js";

const EXAMPLE = fileURLToPath(new URL("../", import.meta.url));
const WRANGLER = join(EXAMPLE, "node_modules", "wrangler", "bin", "wrangler.js");
const DATABASE_ID = "00000000-0000-4000-8000-00000000a001";
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const SLOW = { timeout: 180_000 };

let project: { dir: string; remove(): void };

beforeAll(() => {
  requireBuiltCli();
  project = tempProject(DATABASE_ID, [d1Entry("OTHER", "other", "00000000-0000-4000-8000-00000000a002")]);
  // The project's node_modules: the CLI finds wrangler there for --remote, as in a real project.
  symlinkSync(join(EXAMPLE, "node_modules"), join(project.dir, "node_modules"), "dir");
  // A stand-in for production: this "wrangler" turns --remote into --local and forwards to the real one.
  const forward = `import { spawnSync } from "node:child_process";
const args = process.argv.slice(2);
if (!args.includes("--remote")) { console.error("expected --remote"); process.exit(9); }
const run = spawnSync(process.execPath, [${JSON.stringify(WRANGLER)}, ...args.map((a) => (a === "--remote" ? "--local" : a))], { stdio: "inherit" });
process.exit(run.status ?? 1);
`;
  writeFileSync(join(project.dir, "remote-as-local.mjs"), forward);
});

afterAll(() => project?.remove());

/** Runs the real wrangler in the project. */
function wrangler(args: string[]) {
  const run = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: project.dir, encoding: "utf8", env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const cli = (args: string[], input = "") => runCli(project.dir, args, input, env);
const local = () => d1Store(wranglerD1({ database: "portcullis", remote: false, cwd: project.dir }));

describe("portcullis and wrangler share the local database", () => {
  it("sees what wrangler applies, and wrangler sees what the CLI writes", SLOW, () => {
    expect(wrangler(["d1", "migrations", "apply", "portcullis", "--local"]).code).toBe(0);
    expect(cli(["migrate"]).stdout).toMatch(/^No migrations to apply/);
    expect(cli(["create-user", "alice", "--password-stdin"], "s3cret\n").code).toBe(0);
    const sql = "SELECT username FROM portcullis_users";
    const seen = wrangler(["d1", "execute", "portcullis", "--local", "--json", "--command", sql]);
    expect(seen.code).toBe(0);
    expect(JSON.parse(seen.stdout)[0].results).toEqual([{ username: "alice" }]);
  });
});

describe("wranglerD1: the SQL of --remote, run with --local", () => {
  it("applies the migrations in one batch, then finds them applied", SLOW, async () => {
    const other = wranglerD1({ database: "OTHER", remote: false, cwd: project.dir });
    expect(await migrate(other)).toEqual(["0001_initial.sql", "0002_jwt_blacklist.sql"]);
    expect(await migrate(other)).toEqual([]);
    expect(cli(["migrate", "--binding", "OTHER"]).stdout).toMatch(/^No migrations to apply/);
  });

  it("round-trips quotes, semicolons, comments and unicode; a taken username is a ConflictError", SLOW, async () => {
    const store = local();
    const username = `o'brien"; DROP TABLE portcullis_users; -- ?1 :x zoë 🚪`;
    const created = await store.createUser({ username, passwordHash: "pbkdf2_sha256$1$s'a;lt$h==", isStaff: true });
    expect(await store.getUserByUsername(username)).toEqual({ user: created, passwordHash: "pbkdf2_sha256$1$s'a;lt$h==" });
    expect(await store.getUserById(created.id)).toEqual(created);
    await expect(store.createUser({ username, passwordHash: "!" })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getUserByUsername("o'brien")).toBeNull();
  });

  it("issues, finds, lists and revokes tokens with the right counts", SLOW, async () => {
    const store = local();
    const alice = (await store.getUserByUsername("alice"))!.user;
    const { key, token } = await issueToken(store, alice.id, { name: "it's mine", ttlMs: 86_400_000 });
    expect(await store.findToken(tokenDigest(key))).toEqual({ token, user: { id: alice.id, username: "alice", isActive: true, isStaff: false } });
    expect(await listTokens(store, alice.id)).toEqual([token]);
    expect(cli(["list-tokens", "alice"]).stdout).toContain("it's mine");
    expect(await revokeAllTokens(store, alice.id)).toBe(1);
    expect(await revokeAllTokens(store, alice.id)).toBe(0);
  });
});

describe("portcullis --remote (through a wrangler that forwards to --local)", () => {
  const remote = ["--remote", "--wrangler", "remote-as-local.mjs"];

  it("creates a token that authenticates, and lists it", SLOW, async () => {
    const created = cli(["create-token", "alice", "--name", "ci", ...remote]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const key = /^Generated token ([0-9a-f]{40}) for user alice\n$/.exec(created.stdout)?.[1] as string;
    expect(await withLocalDb(project.dir, DATABASE_ID, (store) => loginWith(store, key))).toMatchObject({ username: "alice" });
    const listed = cli(["list-tokens", "alice", ...remote]);
    expect(listed.stdout).toMatch(/\sci\s/);
    expect(listed.stdout).not.toContain(key);
  });

  it("answers an unknown user as locally", SLOW, () => {
    expect(cli(["create-token", "nobody", ...remote])).toEqual({ code: 1, stdout: "", stderr: "Cannot create the Token: user nobody does not exist\n" });
  });
});
