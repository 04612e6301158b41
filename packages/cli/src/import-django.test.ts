// End to end: `portcullis import-django` (the built CLI) on a dumpdata fixture, then the imported DRF key and
// Django password checked through core's tokenAuth and verifyPassword on the same local D1 database.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyPassword } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginWith, requireBuiltCli, runCli, tempProject, withLocalDb } from "../test/cli-harness.js";
import { importedTokenId } from "@portcullis/core/django";

const DATABASE_ID = "00000000-0000-4000-8000-0000000000d1";
/** A Django test vector (tests/auth_tests/test_hashers.py): pbkdf2_sha256 of "letmein". */
const HASH = "pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=";
const ALICE_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
const BOB_KEY = "0123456789abcdef0123456789abcdef01234567";
const KEYS = [ALICE_KEY, BOB_KEY];

const user = (pk: number, username: string, extra: Record<string, unknown> = {}) => ({
  model: "auth.user",
  pk,
  fields: { password: HASH, last_login: null, is_superuser: false, username, first_name: "", last_name: "", email: "", is_staff: false, is_active: true, date_joined: "2023-01-01T00:00:00Z", groups: [], user_permissions: [], ...extra },
});
const token = (key: string, userPk: number | [string], created = "2024-05-01T12:34:56.789Z") => ({
  model: "authtoken.token",
  pk: key,
  fields: { user: userPk, created },
});

const DUMP = [user(1, "dj_alice", { is_staff: true }), user(2, "dj_bob", { is_active: false }), token(ALICE_KEY, 1), token(BOB_KEY, ["dj_bob"])];

let project: { dir: string; remove(): void };

beforeAll(() => {
  requireBuiltCli();
  project = tempProject(DATABASE_ID);
  expect(runCli(project.dir, ["migrate"]).code).toBe(0);
});

afterAll(() => project?.remove());

/** Writes a fixture into the project and imports it; no key is ever printed. */
function importDump(name: string, records: unknown) {
  writeFileSync(join(project.dir, name), typeof records === "string" ? records : JSON.stringify(records, null, 1));
  const run = runCli(project.dir, ["import-django", name]);
  for (const key of KEYS) expect(run.stdout + run.stderr).not.toContain(key);
  return run;
}

const withDb = <T>(work: Parameters<typeof withLocalDb<T>>[2]) => withLocalDb(project.dir, DATABASE_ID, work);

/** Every row of the Portcullis tables, as text. */
const everything = () =>
  withDb(async (_, db) => {
    const users = await db.prepare("SELECT * FROM portcullis_users ORDER BY id").all();
    const tokens = await db.prepare("SELECT * FROM portcullis_tokens ORDER BY id").all();
    return { users: users.results, tokens: tokens.results };
  });

describe("portcullis import-django (built CLI)", { timeout: 90_000 }, () => {
  it("refuses a malformed dump, naming the record, and writes nothing", async () => {
    const bad = [user(7, "dj_carol"), user(8, "dj_dave", { is_staff: "yes" }), token(ALICE_KEY, 99)];
    const run = importDump("bad.json", bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("The dump was not imported (nothing was written):");
    expect(run.stderr).toContain("dump[1] (auth.user pk 8): fields.is_staff: Invalid input: expected boolean");
    expect(importDump("orphan.json", [user(7, "dj_carol"), token(ALICE_KEY, 99)]).stderr).toContain(
      "dump[1] (authtoken.token of user 99): user 99 is neither in the dump nor in the database",
    );
    expect(importDump("broken.json", "[{").stderr).toContain("the file is not valid JSON");
    expect(await everything()).toEqual({ users: [], tokens: [] });
  });

  it("imports users with their ids, hashes and flags, and tokens as digests only", async () => {
    expect(importDump("dump.json", DUMP)).toEqual({ code: 0, stdout: "Imported 2 users and 2 tokens (0 users and 0 tokens already present)\n", stderr: "" });
    const rows = await everything();
    expect(rows.users).toMatchObject([
      { id: "1", username: "dj_alice", password_hash: HASH, is_active: 1, is_staff: 1 },
      { id: "2", username: "dj_bob", password_hash: HASH, is_active: 0, is_staff: 0 },
    ]);
    expect(JSON.stringify(rows)).not.toContain(ALICE_KEY);
    expect(JSON.stringify(rows)).not.toContain(BOB_KEY);
  });

  it("keeps the DRF key working through tokenAuth and the Django password through verifyPassword", async () => {
    const [alice, bob, hash] = await withDb(async (store) => [
      await loginWith(store, ALICE_KEY),
      await loginWith(store, BOB_KEY),
      (await store.getUserByUsername("dj_alice"))?.passwordHash,
    ]);
    expect(alice).toMatchObject({
      username: "dj_alice",
      user: { id: "1", isStaff: true },
      auth: { name: "django", createdAt: Date.UTC(2024, 4, 1, 12, 34, 56, 789), expiresAt: null },
    });
    expect((alice as { auth: { id: string } }).auth.id).toMatch(/^[0-9a-f]{24}$/);
    expect(bob).toEqual({ detail: "User inactive or deleted." });
    expect(await verifyPassword("letmein", hash as string)).toEqual({ valid: true, needsRehash: true });
    expect((await verifyPassword("letmeout", hash as string)).valid).toBe(false);
  });

  it("is idempotent: a second run imports nothing", async () => {
    const before = await everything();
    expect(importDump("dump.json", DUMP)).toEqual({ code: 0, stdout: "Imported 0 users and 0 tokens (2 users and 2 tokens already present)\n", stderr: "" });
    expect(await everything()).toEqual(before);
    expect(before.tokens.map((row) => row.id)).toEqual(expect.arrayContaining([importedTokenId(String(before.tokens[0]?.digest))]));
  });

  it("refuses a username taken under another id, and imports only what is new", async () => {
    const conflict = importDump("conflict.json", [user(5, "dj_alice"), user(6, "dj_erin")]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain("dump[0] (auth.user pk 5): username dj_alice already exists with another id (1)");
    const more = importDump("more.json", [...DUMP, user(6, "dj_erin", { is_staff: true })]);
    expect(more).toMatchObject({ code: 0, stdout: "Imported 1 users and 0 tokens (2 users and 2 tokens already present)\n" });
    expect((await everything()).users.map((row) => row.username)).toEqual(["dj_alice", "dj_bob", "dj_erin"]);
  });
});
