// End to end: the built CLI (bin/portcullis.js -> dist/cli/main.js) run as a child process in a temporary
// Worker project, checked by opening the same persisted D1 database with Miniflare, as `wrangler dev` does.
import { tokenDigest, verifyPassword } from "@portcullis/core";
import { migrations } from "@portcullis/store-d1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginWith, requireBuiltCli, runCli, tempProject, withLocalDb } from "../test/cli-harness.js";

const DATABASE_ID = "00000000-0000-4000-8000-0000000000e2";
let project: { dir: string; remove(): void };
const keysSeen: string[] = [];

beforeAll(() => {
  requireBuiltCli();
  project = tempProject(DATABASE_ID);
});

afterAll(() => project?.remove());

/** Runs the built CLI in the project; no key ever shows on stderr. */
function cli(args: string[], input = "") {
  const run = runCli(project.dir, args, input);
  for (const key of keysSeen) expect(run.stderr).not.toContain(key);
  return run;
}

/** The key of a `Generated token <key> for user <username>` line. */
function keyOf(stdout: string, username: string): string {
  const match = new RegExp(`^Generated token ([0-9a-f]{40}) for user ${username}\\n$`).exec(stdout);
  if (!match) throw new Error(`unexpected output: ${JSON.stringify(stdout)}`);
  keysSeen.push(match[1] as string);
  return match[1] as string;
}

const withDb = <T>(work: Parameters<typeof withLocalDb<T>>[2]) => withLocalDb(project.dir, DATABASE_ID, work);
const login = (key: string) => withDb((store) => loginWith(store, key));
/** Several logins on one Miniflare instance. */
const logins = (keys: readonly string[]) => withDb((store) => Promise.all(keys.map((key) => loginWith(store, key))));

describe("portcullis (built CLI, local D1 of the project)", { timeout: 90_000 }, () => {
  it("prints help globally and for every command, and exits 2 without a command", () => {
    expect(cli(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: portcullis <command>") });
    for (const command of ["migrate", "create-user", "create-token", "list-tokens", "revoke-tokens", "import-django"]) {
      expect(cli([command, "--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining(`Usage: portcullis ${command}`) });
    }
    expect(cli([])).toMatchObject({ code: 2, stderr: expect.stringContaining("No command given.") });
  });

  it("answers a database without the schema with a hint to migrate", () => {
    const result = cli(["list-tokens", "alice", "--persist-to", "empty-state"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("run 'portcullis migrate'");
  });

  it("migrate applies the schema once", () => {
    const where = "the local D1 database portcullis (binding DB) in .wrangler/state/v3/d1";
    const applied = migrations.map((migration) => `Applied ${migration.name} to ${where}.\n`).join("");
    expect(cli(["migrate"])).toEqual({ code: 0, stdout: applied, stderr: "" });
    expect(cli(["migrate"])).toEqual({ code: 0, stdout: `No migrations to apply: ${where} is up to date.\n`, stderr: "" });
  });

  it("create-user takes the password from stdin, hashed with pbkdf2_sha256 at 1,000,000 iterations", async () => {
    const result = cli(["create-user", "alice", "--password-stdin"], "correct horse battery staple\n");
    expect(result).toMatchObject({ code: 0, stderr: "", stdout: expect.stringMatching(/^Created user alice \(id [0-9a-f]{32}\)\n$/) });
    const row = await withDb((store) => store.getUserByUsername("alice"));
    expect(row?.user).toMatchObject({ username: "alice", isActive: true, isStaff: false });
    expect(row?.passwordHash).toMatch(/^pbkdf2_sha256\$1000000\$/);
    expect(await verifyPassword("correct horse battery staple", row?.passwordHash as string)).toEqual({ valid: true, needsRehash: false });
  });

  it("create-user refuses --password, a missing terminal and a taken username", async () => {
    const refused = cli(["create-user", "mallory", "--password", "hunter2"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--password is not accepted");
    expect(refused.stderr).not.toContain("hunter2");
    expect(cli(["create-user", "mallory"])).toMatchObject({ code: 1, stderr: expect.stringContaining("No terminal to prompt") });
    expect(cli(["create-user", "alice", "--password-stdin", "--staff"], "x")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Cannot create the user: username alice already exists\n",
    });
    // Django's normalize_username (NFKC): a fullwidth look-alike is the same name, so it is refused as a duplicate.
    expect(cli(["create-user", "\uff41\uff4c\uff49\uff43\uff45", "--password-stdin"], "x")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Cannot create the user: username alice already exists\n",
    });
    expect(await withDb((store) => store.getUserByUsername("mallory"))).toBeNull();
  });

  it("create-user --staff --no-password makes a token-only staff user; --iterations is checked", async () => {
    expect(cli(["create-user", "robot", "--staff", "--no-password"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created staff user robot /) });
    const robot = await withDb((store) => store.getUserByUsername("robot"));
    expect(robot).toMatchObject({ user: { isStaff: true }, passwordHash: expect.stringMatching(/^![0-9a-f]{40}$/) });
    expect(cli(["create-user", "bad", "--iterations", "0", "--password-stdin"], "pw")).toMatchObject({ code: 2 });
    expect(cli(["create-user", "bad:name", "--password-stdin"], "pw")).toMatchObject({ code: 2, stderr: expect.stringContaining("Django's rule") });
  });

  it("create-user --django-version --hashers writes what that project's Django prefers; a bad release is a usage error", async () => {
    expect(cli(["create-user", "dora", "--password-stdin", "--django-version", "3.2", "--hashers", "pbkdf2_sha256,argon2"], "pw-dora")).toMatchObject({ code: 0 });
    const dora = await withDb((store) => store.getUserByUsername("dora"));
    expect(dora?.passwordHash).toMatch(/^pbkdf2_sha256\$260000\$[A-Za-z0-9]{22}\$/);
    const refused = cli(["create-user", "erin", "--password-stdin", "--django-version", "2.2"], "pw");
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining("--django-version: must be one of the supported releases: 3.2, 4.0") });
    expect(cli(["create-user", "erin", "--password-stdin", "--hashers", "md5"], "pw")).toMatchObject({ code: 2, stderr: expect.stringContaining("--hashers:") });
    expect(cli(["create-user", "erin", "--password-stdin", "--django-version", "4.2", "--iterations", "5"], "pw")).toMatchObject({ code: 2 });
    expect(await withDb((store) => store.getUserByUsername("erin"))).toBeNull();
  });

  it("create-token issues a key that authenticates a real request as alice", async () => {
    const key = keyOf(cli(["create-token", "alice"]).stdout, "alice");
    expect(await login(key)).toMatchObject({ username: "alice", auth: { name: null, expiresAt: null } });
  });

  it("create-token -r revokes the old keys; without -r it adds one", async () => {
    const old = keyOf(cli(["create-token", "alice"]).stdout, "alice");
    const reset = keyOf(cli(["create-token", "alice", "-r"]).stdout, "alice");
    const added = keyOf(cli(["create-token", "alice", "--name", "laptop", "--ttl", "30d"]).stdout, "alice");
    const [oldLogin, resetLogin, named] = await logins([old, reset, added]);
    expect(oldLogin).toEqual({ detail: "Invalid token." });
    expect(resetLogin).toMatchObject({ username: "alice" });
    expect(named).toMatchObject({ username: "alice", auth: { name: "laptop" } });
    const { auth } = named as { auth: { createdAt: number; expiresAt: number } };
    expect(auth.expiresAt - auth.createdAt).toBe(30 * 86_400_000);
  });

  it("list-tokens shows ids, names and times, never a key or a digest", async () => {
    const table = cli(["list-tokens", "alice"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES$/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^[0-9a-f]{24}\s+laptop\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d{4}-.*Z$/);
    const json = JSON.parse(cli(["list-tokens", "alice", "--json"]).stdout) as { name: string | null }[];
    expect(json.map((token) => token.name)).toEqual([null, "laptop"]);
    for (const key of keysSeen) {
      for (const output of [table.stdout, JSON.stringify(json)]) {
        expect(output).not.toContain(key);
        expect(output).not.toContain(tokenDigest(key));
      }
    }
  });

  it("answers an unknown user with exit code 1 and DRF's message", () => {
    expect(cli(["create-token", "nobody"])).toEqual({ code: 1, stdout: "", stderr: "Cannot create the Token: user nobody does not exist\n" });
    expect(cli(["list-tokens", "nobody"])).toEqual({ code: 1, stdout: "", stderr: "Cannot list the tokens: user nobody does not exist\n" });
    expect(cli(["revoke-tokens", "nobody"])).toEqual({ code: 1, stdout: "", stderr: "Cannot revoke the tokens: user nobody does not exist\n" });
  });

  it("refuses a bad --ttl with exit code 2, issuing nothing", async () => {
    expect(cli(["create-token", "alice", "--ttl", "30"])).toMatchObject({ code: 2, stdout: "" });
    expect(cli(["create-token", "alice", "--ttl", "100000000d"])).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("Date range") });
    expect(await withDb(async (store) => (await store.listTokens((await store.getUserByUsername("alice"))!.user.id)).length)).toBe(2);
  });

  it("escapes control and bidi characters in every field it prints; refuses them in a new token's name", async () => {
    const hostile = "pwn\u009b2J\u202Etxt.exe\u001b[31m";
    const id = "c0ffee".padEnd(24, "0");
    await withDb(async (store) => {
      const user = (await store.getUserByUsername("alice"))!.user;
      const row = { id, userId: user.id, name: hostile, createdAt: Date.now(), expiresAt: null, digest: "ab".repeat(32) };
      await store.createToken(row, { now: Date.now() });
    });
    const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
    const table = cli(["list-tokens", "alice"]);
    expect(table.stdout).not.toMatch(unsafe);
    expect(table.stdout).toContain("pwn\\u009b2J\\u202etxt.exe\\u001b[31m");
    const json = cli(["list-tokens", "alice", "--json"]).stdout;
    expect(json).not.toMatch(unsafe);
    expect((JSON.parse(json) as { name: string }[]).map((token) => token.name)).toContain(hostile);
    const unknown = cli(["list-tokens", "nobody\u202E\u009b"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: "Cannot list the tokens: user nobody\\u202e\\u009b does not exist\n" });
    const refused = cli(["create-token", "alice", "--name", "phone\u202E"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Invalid name: must not contain control, bidi/);
    await withDb(async (store) => {
      const user = (await store.getUserByUsername("alice"))!.user;
      expect((await store.listTokens(user.id)).length).toBe(3);
      await store.deleteToken(id);
    });
  });

  it("revoke-tokens revokes one token by --id, or all of them", async () => {
    const [first] = JSON.parse(cli(["list-tokens", "alice", "--json"]).stdout) as { id: string }[];
    expect(cli(["revoke-tokens", "alice", "--id", first!.id])).toMatchObject({ code: 0, stdout: `Revoked token ${first!.id} of user alice\n` });
    expect(cli(["revoke-tokens", "alice", "--id", first!.id])).toMatchObject({ code: 1, stderr: expect.stringContaining("has no token with id") });
    expect(cli(["revoke-tokens", "alice"])).toMatchObject({ code: 0, stdout: "Revoked 1 token of user alice\n" });
    expect(await logins(keysSeen)).toEqual(keysSeen.map(() => ({ detail: "Invalid token." })));
  });
});
