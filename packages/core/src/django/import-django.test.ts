import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { authenticate, basicAuth, hashPassword, tokenAuth, tokenDigest, type Store } from "../index.js";
import { DumpError, ImportInterruptedError, importDjango, importedTokenId } from "./index.js";

const KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
const OTHER_KEY = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

async function dump() {
  const hash = await hashPassword("old-django-pw", { iterations: 1000 });
  return [
    { model: "auth.user", pk: 7, fields: { username: "dj_alice", password: hash, is_active: true, is_staff: true, email: "a@x" } },
    { model: "auth.user", pk: 8, fields: { username: "dj_bob", password: "!unusable", is_active: false, is_staff: false } },
    { model: "authtoken.token", pk: KEY, fields: { user: 7, created: "2024-05-01T12:34:56.789Z" } },
    { model: "authtoken.token", pk: OTHER_KEY, fields: { user: ["dj_bob"], created: "2024-05-02T00:00:00" } },
    { model: "admin.logentry", pk: 1, fields: {} },
  ];
}

const withToken = (key: string) => new Request("https://api.test/", { headers: { authorization: `Token ${key}` } });
const withBasic = (user: string, pw: string) => new Request("https://api.test/", { headers: { authorization: `Basic ${btoa(`${user}:${pw}`)}` } });

describe("importDjango", () => {
  it("imports users with their ids, hashes and flags, and DRF tokens as digests that keep authenticating", async () => {
    const store = memoryStore();
    const result = await importDjango(store, JSON.stringify(await dump()), { now: 1_700_000_000_000 });
    expect(result).toEqual({ users: 2, tokens: 2, presentUsers: 0, presentTokens: 0, warnings: [], grants: 0, ignored: 1 });
    expect(await store.getUserById("7")).toEqual({ id: "7", username: "dj_alice", isActive: true, isStaff: true });
    const viaToken = await authenticate(withToken(KEY), [tokenAuth({ store })]);
    expect(viaToken.status === "authenticated" && viaToken.user.id).toBe("7");
    expect(viaToken.status === "authenticated" && viaToken.auth).toMatchObject({ id: importedTokenId(tokenDigest(KEY)), name: "django", expiresAt: null });
    const viaPassword = await authenticate(withBasic("dj_alice", "old-django-pw"), [basicAuth({ users: store })]);
    expect(viaPassword.status).toBe("authenticated");
    const inactive = await authenticate(withToken(OTHER_KEY), [tokenAuth({ store })]);
    expect(inactive.status === "failed" && inactive.error.detail).toBe("User inactive or deleted.");
  });

  it("is idempotent: a second run imports nothing and reports what is present", async () => {
    const store = memoryStore();
    const records = await dump();
    await importDjango(store, records);
    expect(await importDjango(store, records)).toEqual({ users: 0, tokens: 0, presentUsers: 2, presentTokens: 2, warnings: [], grants: 0, ignored: 1 });
    expect(await store.listTokens("7")).toHaveLength(1);
  });

  it("refuses a bad dump naming every problem, never a key, and writes nothing", async () => {
    const store = memoryStore();
    const records = await dump();
    const bad = [...records, { model: "authtoken.token", pk: "f".repeat(40), fields: { user: 99, created: "2024-01-01T00:00:00Z" } }];
    (bad[1] as { fields: Record<string, unknown> }).fields = { ...(bad[1] as { fields: object }).fields, is_staff: "no" };
    const error = await importDjango(store, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DumpError);
    expect((error as DumpError).problems).toEqual([expect.stringContaining("dump[1] (auth.user pk 8): fields.is_staff")]);
    const orphan = await importDjango(store, [records[0], { ...records[2], fields: { user: 99, created: "2024-01-01T00:00:00Z" } }]).catch((e: unknown) => e);
    expect((orphan as DumpError).problems).toEqual(["dump[1] (authtoken.token of user 99): user 99 is neither in the dump nor in the database"]);
    for (const e of [error, orphan]) expect(String((e as Error).message)).not.toContain(KEY);
    expect(await store.getUserById("7")).toBeNull();
    await expect(importDjango(store, "[{")).rejects.toThrow(/not valid JSON/);
  });

  it("stops on a store failure midway, says how far it got, and a second run completes it", async () => {
    const store = memoryStore();
    let failNext = true;
    const flaky: Store = {
      ...store,
      createToken: (token, options) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("connection reset"));
        }
        return store.createToken(token, options);
      },
    };
    const error = await importDjango(flaky, await dump()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportInterruptedError);
    expect(error).toMatchObject({ users: 2, tokens: 0, message: expect.stringContaining("stopped after 2 users and 0 tokens") });
    expect(await importDjango(flaky, await dump())).toMatchObject({ users: 0, tokens: 2, presentUsers: 2 });
  });

  it("checks the target's limits before writing: NUL bytes, a zero or string auth.user pk, a 129-character hash", async () => {
    const hash = await hashPassword("pw", { iterations: 1000 });
    const user = (pk: unknown, fields: Record<string, unknown> = {}) => ({
      model: "auth.user",
      pk,
      fields: { username: `u${String(pk)}`, password: hash, is_active: true, is_staff: false, ...fields },
    });
    const bad = [
      user(1), // a good record first: nothing may be written when a later one is bad
      user(2, { password: `${hash}\0` }),
      user(0),
      user("3"),
      user(4, { password: "x".repeat(129) }),
      user(5, { username: "eve\0" }),
      user(2 ** 53),
      { model: "authtoken.token", pk: KEY, fields: { user: ["ali\0ce"], created: "2024-05-01T00:00:00Z" } },
    ];
    for (const records of [bad, JSON.stringify(bad)]) {
      const store = memoryStore();
      const error = await importDjango(store, records).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DumpError);
      const problems = (error as DumpError).problems.join("\n");
      for (const at of ["dump[1]", "dump[2]", "dump[3]", "dump[4]", "dump[5]", "dump[6]", "dump[7]"]) expect(problems).toContain(at);
      expect(problems).not.toContain("dump[0]");
      expect(problems).not.toContain(KEY);
      expect(await store.getUserById("1")).toBeNull();
    }
    // The limits themselves pass: a 128-character hash, a 150-character username; a custom model may use string pks.
    const store = memoryStore();
    const edge = [user(9, { password: "x".repeat(128), username: "n".repeat(150) })];
    expect((await importDjango(store, edge)).users).toBe(1);
    const custom = [{ model: "accounts.user", pk: "a8098c1a-f86e-11da-bd1a-00112444be1e", fields: { username: "uuid", password: hash, is_active: true, is_staff: false } }];
    expect((await importDjango(store, custom, { userModel: "accounts.user" })).users).toBe(1);
  });
});

describe("importDjango: permissions and groups (dumpdata auth)", () => {
  const user = (pk: number, username: string, fields: object = {}) => ({
    model: "auth.user",
    pk,
    fields: { username, password: "!", is_active: true, is_staff: false, is_superuser: false, groups: [], user_permissions: [], ...fields },
  });

  it("resolves pks through contenttypes, grants group and user permissions, memberships and is_superuser", async () => {
    const store = memoryStore();
    const records = [
      { model: "contenttypes.contenttype", pk: 9, fields: { app_label: "blog", model: "article" } },
      { model: "auth.permission", pk: 31, fields: { name: "Can add article", content_type: 9, codename: "add_article" } },
      { model: "auth.permission", pk: 32, fields: { name: "Can change article", content_type: 9, codename: "change_article" } },
      { model: "auth.group", pk: 3, fields: { name: "editors", permissions: [32] } },
      user(1, "ann", { user_permissions: [31], groups: [3] }),
      user(2, "root", { is_superuser: true }),
    ];
    const result = await importDjango(store, records);
    expect(result).toMatchObject({ users: 2, grants: 3, ignored: 0 });
    expect([...(await store.getPermissions("1")).names].sort()).toEqual(["blog.add_article", "blog.change_article"]);
    expect(await store.getPermissions("2")).toEqual({ all: true, names: new Set() });
    expect((await importDjango(store, records)).grants).toBe(0); // idempotent
  });

  it("reads natural foreign keys (dumpdata --natural-foreign)", async () => {
    const store = memoryStore();
    const records = [
      { model: "auth.group", fields: { name: "editors", permissions: [["change_article", "blog", "article"]] } },
      user(1, "ann", { user_permissions: [["add_article", "blog", "article"]], groups: [["editors"]] }),
    ];
    expect((await importDjango(store, records)).grants).toBe(3);
    expect([...(await store.getPermissions("1")).names].sort()).toEqual(["blog.add_article", "blog.change_article"]);
  });

  it("refuses, writing nothing, a dump whose references cannot be resolved", async () => {
    const store = memoryStore();
    const records = [
      { model: "auth.permission", pk: 31, fields: { content_type: 9, codename: "add_article" } },
      user(1, "ann", { user_permissions: [31, 99], groups: [4] }),
    ];
    const error = await importDjango(store, records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DumpError);
    expect((error as DumpError).problems).toEqual([
      "dump[0] (auth.permission add_article): content type 9 is not in the dump (add contenttypes, or dump with --natural-foreign)",
      "dump[1] (auth.user pk 1): group 4 is not in the dump",
      "dump[1] (auth.user pk 1): permission 31 is not in the dump",
      "dump[1] (auth.user pk 1): permission 99 is not in the dump",
    ]);
    expect(await store.getUserById("1")).toBeNull();
  });

  it("refuses permissions for a store that cannot hold them (Django mode)", async () => {
    const { getPermissions: _, grantPermission: __, ...readOnly } = memoryStore();
    const records = [user(1, "ann", { user_permissions: [["add_article", "blog", "article"]] })];
    await expect(importDjango(readOnly, records)).rejects.toBeInstanceOf(DumpError);
  });
});
