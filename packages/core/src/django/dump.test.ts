import { describe, expect, it } from "vitest";
import { DumpError, djangoTime, parseDump } from "./dump.js";

const KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
const HASH = "pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=";

const user = (pk: unknown, fields: Record<string, unknown> = {}) => ({
  model: "auth.user",
  pk,
  fields: { password: HASH, last_login: null, is_superuser: false, username: `user${String(pk)}`, email: "", is_staff: false, is_active: true, ...fields },
});
const token = (pk: unknown, fields: Record<string, unknown> = {}) => ({
  model: "authtoken.token",
  pk,
  fields: { user: 1, created: "2024-05-01T12:34:56.789Z", ...fields },
});

/** The problems of a dump that must be refused. */
function problems(records: unknown): string[] {
  try {
    parseDump(typeof records === "string" ? records : JSON.stringify(records));
  } catch (error) {
    expect(error).toBeInstanceOf(DumpError);
    expect((error as DumpError).message).toMatch(/^The dump was not imported \(nothing was written\):/);
    return [...(error as DumpError).problems];
  }
  throw new Error("expected the dump to be refused");
}

describe("parseDump", () => {
  it("reads users and tokens, keeping what Portcullis stores and ignoring other models", () => {
    const dump = parseDump(
      JSON.stringify([
        user(1, { username: "alice", is_staff: true }),
        user(2, { username: "bob", is_active: false, password: "!unusable" }),
        { model: "auth.group", pk: 1, fields: { name: "editors" } },
        token(KEY),
        token("a".repeat(40), { user: ["bob"], created: "2020-01-02T03:04:05" }),
      ]),
    );
    expect(dump.users).toEqual([
      { index: 0, id: "1", username: "alice", passwordHash: HASH, isActive: true, isStaff: true, isSuperuser: false },
      { index: 1, id: "2", username: "bob", passwordHash: "!unusable", isActive: false, isStaff: false, isSuperuser: false },
    ]);
    expect(dump.tokens).toEqual([
      { index: 3, key: KEY, user: { id: "1" }, createdAt: Date.UTC(2024, 4, 1, 12, 34, 56, 789) },
      { index: 4, key: "a".repeat(40), user: { username: "bob" }, createdAt: Date.UTC(2020, 0, 2, 3, 4, 5) },
    ]);
    expect(dump.ignored).toBe(0); // auth.group is read now (permissions and groups of dumpdata auth)
    expect(dump.permissions.groups.get("editors")).toEqual([]);
  });

  it("reads a custom user model with --user-model (labels compare case-insensitively)", () => {
    const dump = parseDump(JSON.stringify([{ ...user(7), model: "Accounts.User" }, user(8)]), "accounts.user");
    expect(dump.users.map((u) => u.id)).toEqual(["7"]);
    expect(dump.ignored).toBe(1);
  });

  it.each([
    ["not JSON", "[{", "the file is not valid JSON"],
    ["not a list", { model: "auth.user" }, "the file is not a JSON list of records (as manage.py dumpdata writes)"],
    ["a record that is not an object", [user(1), 5], 'dump[1]: not a dumpdata record (an object with "model", "pk" and "fields")'],
    ["a record without model", [{ pk: 1, fields: {} }], "dump[0]: not a dumpdata record"],
    ["a user without pk", [{ model: "auth.user", fields: user(1).fields }], "dump[0] (auth.user pk ?): no pk (dumped with --natural-primary?)"],
    ["a user without username", [user(3, { username: undefined })], "dump[0] (auth.user pk 3): fields.username: Invalid input: expected string"],
    ["a blank username", [user(3, { username: "" })], "dump[0] (auth.user pk 3): fields.username:"],
    ["is_active as a string", [user(3, { is_active: "true" })], "dump[0] (auth.user pk 3): fields.is_active: Invalid input: expected boolean"],
    ["is_staff missing", [user(3, { is_staff: undefined })], "dump[0] (auth.user pk 3): fields.is_staff:"],
    ["a password that is not a string", [user(3, { password: null })], "dump[0] (auth.user pk 3): fields.password:"],
    ["a negative pk", [user(-1)], "dump[0] (auth.user pk -1): pk: must be a positive integer"],
    ["a zero pk", [user(0)], "dump[0] (auth.user pk 0): pk: must be a positive integer"],
    ["a string auth.user pk", [user("1")], "dump[0] (auth.user pk 1): pk: must be a positive integer"],
    ["a fractional pk", [user(1.5)], "dump[0] (auth.user pk 1.5): pk: must be a positive integer"],
    ["a NUL in a hash", [user(1, { password: "pbkdf2_sha256$1$s$h\0" })], "dump[0] (auth.user pk 1): fields.password: must not contain a NUL byte"],
    ["a 129-character hash", [user(1, { password: "x".repeat(129) })], "dump[0] (auth.user pk 1): fields.password: Too big"],
    ["fields missing", [{ model: "auth.user", pk: 4 }], "dump[0] (auth.user pk 4): fields: Invalid input: expected object"],
    ["a token key with a space", [user(1), token("abc def")], "dump[1] (authtoken.token of user 1): pk: must be a token key"],
    ["a token key too long", [user(1), token("a".repeat(41))], "dump[1] (authtoken.token of user 1): pk: must be a token key"],
    ["a token without user", [user(1), token(KEY, { user: undefined })], "dump[1] (authtoken.token): fields.user: must be a user pk"],
    ["a token user of the wrong type", [user(1), token(KEY, { user: true })], "dump[1] (authtoken.token): fields.user: must be a user pk"],
    ["a bad created", [user(1), token(KEY, { created: "yesterday" })], "dump[1] (authtoken.token of user 1): fields.created: must be an ISO 8601 datetime"],
    ["an impossible date", [user(1), token(KEY, { created: "2024-02-30T25:00:00Z" })], "dump[1] (authtoken.token of user 1): fields.created: must be an ISO 8601 datetime"],
    ["a pk twice", [user(1), user(1, { username: "other" })], "dump[1]: the same pk (1) as dump[0]"],
    ["a username twice", [user(1, { username: "x" }), user(2, { username: "x" })], "dump[1]: the same username (x) as dump[0]"],
    ["a key twice", [user(1), token(KEY), token(KEY)], "dump[2]: the same token key as dump[1]"],
  ])("refuses %s, naming the record", (_, records, message) => {
    const found = problems(records);
    expect(found.some((problem) => problem.startsWith(message))).toBe(true);
  });

  it("reports every bad record, and never a token key", () => {
    const found = problems([user(1, { is_staff: 1 }), token(`${KEY} x`), user(2, { username: 9 })]);
    expect(found).toHaveLength(3);
    expect(found.join("\n")).not.toContain(KEY);
  });
});

describe("djangoTime", () => {
  it.each([
    ["2024-05-01T12:34:56.789Z", Date.UTC(2024, 4, 1, 12, 34, 56, 789)],
    ["2024-05-01T12:34:56.789123Z", Date.UTC(2024, 4, 1, 12, 34, 56, 789)],
    ["2024-05-01T12:34:56+02:00", Date.UTC(2024, 4, 1, 10, 34, 56)],
    ["2024-05-01T12:34:56", Date.UTC(2024, 4, 1, 12, 34, 56)],
    ["2024-05-01T12:34", Date.UTC(2024, 4, 1, 12, 34)],
  ])("%s", (text, ms) => {
    expect(djangoTime(text)).toBe(ms);
  });

  it.each(["", "2024-05-01", "2024-05-01 12:34:56", "1714566896", "2024-13-01T00:00:00Z"])("refuses %j", (text) => {
    expect(djangoTime(text)).toBeNaN();
  });
});
