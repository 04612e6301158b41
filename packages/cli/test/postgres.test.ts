// End to end: the built CLI against a real PostgreSQL server (`--database-url`), in Portcullis's own tables and in
// Django mode on tables real Django made; every result is checked through the store or through Django itself.
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase, djangoOps } from "../../store-postgres/test/_django.js";
import { HAS_SERVER, announce, createDatabase, type TestDatabase } from "../../store-postgres/test/_postgres.js";
import { loginWith, requireBuiltCli, runCli } from "./cli-harness.js";

announce("portcullis --database-url", true);
announceDjango("portcullis --database-url --django");

const PASSWORD = "correct horse battery staple";
const cwd = tmpdir();

/** Runs the built CLI with the URL in the environment (never in argv, as the README recommends). */
function cli(database: TestDatabase, args: string[], input = "") {
  const run = runCli(cwd, args, input, { ...process.env, PORTCULLIS_DATABASE_URL: database.url });
  expect(`${run.stdout}${run.stderr}`).not.toContain(`:${new URL(database.url).password}@`);
  return run;
}

const keyOf = (stdout: string, username: string) =>
  new RegExp(`^Generated token ([0-9a-f]{40}) for user ${username}\\n$`).exec(stdout)?.[1] ?? "";

async function withStore<T>(database: TestDatabase, django: boolean, work: (store: ReturnType<typeof postgresStore>) => Promise<T>) {
  const sql = postgres(database.url, { max: 2, onnotice: () => undefined });
  try {
    return await work(postgresStore(sql, { django }));
  } finally {
    await sql.end();
  }
}

describe("portcullis --database-url to a server that cannot be reached", { timeout: 60_000 }, () => {
  const silent = createServer(() => undefined); // accepts connections and never answers
  beforeAll(async () => {
    requireBuiltCli();
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it("gives up after the connect timeout with exit code 3 and one clear message, never the password", async () => {
    const { port } = silent.address() as AddressInfo;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    for (const [where, maxMs] of [[port, 15_000], [closedPort, 5_000]] as const) {
      const started = Date.now();
      const env = { ...process.env, PORTCULLIS_DATABASE_URL: `postgres://someone:s3cret-pw@127.0.0.1:${where}/nowhere` };
      const run = runCli(cwd, ["list-tokens", "alice"], "", env);
      expect(Date.now() - started, String(where)).toBeLessThan(maxMs);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^Cannot reach the PostgreSQL database nowhere on 127\.0\.0\.1:\d+ \(waited at most 10 s\)/);
      expect(`${run.stdout}${run.stderr}`).not.toContain("s3cret-pw");
    }
  });
});

describe.skipIf(!HAS_SERVER)("portcullis --database-url (built CLI, real PostgreSQL)", { timeout: 120_000 }, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    requireBuiltCli();
    database = await createDatabase("portcullis_cli");
  });
  afterAll(() => database?.drop());

  it("migrates, creates a user and a token that authenticates, lists and revokes it", async () => {
    expect(cli(database, ["migrate"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Applied .* to the PostgreSQL database portcullis_cli_\w+ on 127\.0\.0\.1:5432\.\n/) });
    expect(cli(database, ["migrate"]).stdout).toMatch(/^No migrations to apply/);
    expect(cli(database, ["create-user", "alice", "--password-stdin"], `${PASSWORD}\n`)).toMatchObject({ code: 0, stderr: "" });
    const created = cli(database, ["create-token", "alice", "--name", "laptop"]);
    const key = keyOf(created.stdout, "alice");
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(await withStore(database, false, (store) => loginWith(store, key))).toMatchObject({ username: "alice" });
    expect(cli(database, ["list-tokens", "alice"]).stdout).toContain("laptop");
    expect(cli(database, ["revoke-tokens", "alice"])).toMatchObject({ code: 0, stdout: "Revoked 1 token of user alice\n" });
    expect(await withStore(database, false, (store) => loginWith(store, key))).toEqual({ detail: "Invalid token." });
  });

  it("grant, revoke, add-to-group and remove-from-group change what getPermissions answers", async () => {
    expect(cli(database, ["create-user", "carol", "--no-password"])).toMatchObject({ code: 0 });
    const held = () => withStore(database, false, async (store) => {
      const id = (await store.getUserByUsername("carol"))!.user.id;
      return [...(await store.getPermissions(id)).names].sort();
    });
    expect(cli(database, ["grant", "carol", "blog.add_article"])).toMatchObject({ code: 0, stdout: "Granted blog.add_article to user carol\n" });
    expect(cli(database, ["grant", "carol", "blog.add_article"]).stdout).toBe("User carol already has blog.add_article\n");
    expect(cli(database, ["grant", "editors", "blog.change_article", "--group"]).stdout).toBe("Granted blog.change_article to group editors\n");
    expect(cli(database, ["add-to-group", "carol", "editors"]).stdout).toBe("Added user carol to group editors\n");
    expect(await held()).toEqual(["blog.add_article", "blog.change_article"]);
    expect(cli(database, ["revoke", "carol", "blog.add_article"]).stdout).toBe("Revoked blog.add_article from user carol\n");
    expect(cli(database, ["remove-from-group", "carol", "editors"]).stdout).toBe("Removed user carol from group editors\n");
    expect(await held()).toEqual([]);
    expect(cli(database, ["grant", "carol", "add_article"])).toMatchObject({ code: 2, stderr: expect.stringContaining("app_label.codename") });
    expect(cli(database, ["grant", "nobody", "blog.add_article"])).toMatchObject({ code: 1, stderr: expect.stringContaining("user nobody does not exist") });
  });

  it("issues a scoped API key that authenticates, lists it without the key, rotates with a grace period, revokes", async () => {
    const { apiKeyAuth, hasScope } = await import("@portcullis/core/api-keys");
    const { guard } = await import("@portcullis/core");
    expect(cli(database, ["migrate"]).code).toBe(0);
    const created = cli(database, ["create-api-key", "org_7", "--name", "ci", "--scopes", "articles:read,users:read", "--ttl", "30d"]);
    const key = /^Generated API key (pk_live_\S+)\n$/.exec(created.stdout)?.[1] ?? "";
    expect(created.stderr).toContain("It is shown only now.");
    const id = key.slice(8, 20);
    const check = (credential: string) =>
      withStore(database, false, async (store) => {
        const decision = await guard({ schemes: [apiKeyAuth({ store })], permissions: [hasScope("articles:read")] })(
          new Request("https://api.test/", { headers: { authorization: `Bearer ${credential}` } }),
        );
        return decision.allowed ? decision.user : decision.error.detail;
      });
    expect(await check(key)).toEqual({ id: "org_7" });
    const listed = cli(database, ["list-api-keys", "org_7", "--json"]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id, name: "ci", scopes: ["articles:read", "users:read"] }]);
    expect(listed.stdout).not.toContain(key.slice(21));
    const rotated = cli(database, ["rotate-api-key", id, "--grace", "0"]);
    const next = /^Generated API key (pk_live_\S+)\n$/.exec(rotated.stdout)?.[1] ?? "";
    expect(await check(key)).toBe("Invalid API key.");
    expect(await check(next)).toEqual({ id: "org_7" });
    expect(cli(database, ["rotate-api-key", next.slice(8, 20)])).toMatchObject({ code: 0 });
    expect(cli(database, ["rotate-api-key", next.slice(8, 20)])).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("has already been rotated") });
    expect(cli(database, ["revoke-api-key", next.slice(8, 20)])).toMatchObject({ code: 0, stdout: `Revoked API key ${next.slice(8, 20)}\n` });
    expect(await check(next)).toBe("Invalid API key.");
    expect(cli(database, ["create-api-key", "org_7", "--scopes", "bad scope"])).toMatchObject({ code: 2 });
    expect(cli(database, ["revoke-api-key", "nope"])).toMatchObject({ code: 1 });
  });

  it("refuses D1 options beside a database URL, and --django without one, as usage mistakes", () => {
    expect(cli(database, ["list-tokens", "alice", "--remote"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--remote applies to D1") });
    const run = runCli(cwd, ["list-tokens", "alice", "--django"], "", { ...process.env, PORTCULLIS_DATABASE_URL: "" });
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining("--django applies to PostgreSQL") });
  });
});

describe.skipIf(!CAN_RUN_DJANGO)("portcullis --database-url --django (built CLI, tables real Django made)", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    requireBuiltCli();
    database = await djangoDatabase();
  });
  afterAll(() => database?.drop());

  it("refuses to write permissions in Django mode (Django's admin owns auth_permission and its links)", () => {
    expect(cli(database, ["create-user", "dora", "--no-password", "--django"])).toMatchObject({ code: 0 });
    expect(cli(database, ["grant", "dora", "blog.add_article", "--django"])).toMatchObject({ code: 1, stderr: expect.stringContaining("read-only for permissions") });
  });

  it("creates a user Django logs in, and revoke-tokens removes the user's DRF token too", async () => {
    expect(cli(database, ["migrate", "--django"])).toMatchObject({ code: 0, stdout: expect.stringContaining("(Django mode)") });
    expect(cli(database, ["create-user", "bob", "--password-stdin", "--django"], PASSWORD)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created user bob /) });
    expect(djangoOps(database, [{ op: "authenticate", username: "bob", password: PASSWORD }])[0]).toMatchObject({ ok: true });
    djangoOps(database, [{ op: "create_token", username: "bob" }]);
    const key = keyOf(cli(database, ["create-token", "bob", "--django"]).stdout, "bob");
    expect(await withStore(database, true, (store) => loginWith(store, key))).toMatchObject({ username: "bob" });
    expect(cli(database, ["list-tokens", "bob", "--django"]).stdout.split("\n").filter((line) => line !== "")).toHaveLength(3);
    expect(cli(database, ["revoke-tokens", "bob", "--django"])).toMatchObject({ code: 0, stdout: "Revoked 2 tokens of user bob\n" });
    expect(djangoOps(database, [{ op: "has_token", username: "bob" }])[0]).toEqual({ exists: false });
  });
});
