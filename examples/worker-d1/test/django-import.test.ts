/**
 * The Django migration path, end to end: a `manage.py dumpdata auth.user authtoken.token` file is imported with
 * the built `portcullis` CLI into the local D1 of a copy of this example's project, then the example Worker runs
 * in real workerd (Miniflare) on that very database (the CLI's `d1Persist` and database id), where the old DRF
 * key and the old Django passwords work, and the outdated hashes are upgraded after the logins.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, eventually } from "../../../packages/adapters/test/_workerd.js";
import { requireBuiltCli, runCli } from "../../../packages/cli/test/cli-harness.js";
import { workerBindings } from "./_wrangler.js";

interface WranglerConfig {
  main: string;
  compatibility_date: string;
  d1_databases: { binding: string; database_id: string }[];
}

interface Vector {
  readonly algorithm: string;
  readonly password: string;
  readonly encoded: string;
}

const here = new URL("../", import.meta.url);
const jsonc = readFileSync(new URL("wrangler.jsonc", here), "utf8");
const config = JSON.parse(jsonc.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "")) as WranglerConfig;
const d1 = config.d1_databases[0] as { binding: string; database_id: string };

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL("../../../packages/core/test/vectors/django-password-hashes.json", import.meta.url), "utf8"),
);
/** Django's own `pbkdf2_sha256` rows below today's 1,000,000 iterations, with their passwords. */
function djangoRow(iterations: number, password: string): Vector {
  const row = vectors.find((v) => v.password === password && v.encoded.startsWith(`pbkdf2_sha256$${iterations}$`));
  if (row === undefined) throw new Error(`no pbkdf2_sha256$${iterations} vector for ${password}`);
  return row;
}
const ada = { pk: 7, username: "ada", ...djangoRow(870_000, "hunter2") }; // Django 5.0's default count
const grace = { pk: 8, username: "grace", ...djangoRow(100_000, "correct horse battery staple") };
const DRF_KEY = "4c2a9e1f0b7d3e5a6c8b9d0e1f2a3b4c5d6e7f80"; // DRF's format: 40 lowercase hex

const userRecord = (user: typeof ada) => ({
  model: "auth.user",
  pk: user.pk,
  fields: {
    password: user.encoded,
    last_login: "2025-11-02T09:15:00.120Z",
    is_superuser: false,
    username: user.username,
    first_name: "",
    last_name: "",
    email: `${user.username}@example.com`,
    is_staff: false,
    is_active: true,
    date_joined: "2021-03-04T05:06:07.890Z",
    groups: [],
    user_permissions: [],
  },
});

/** What `python manage.py dumpdata auth.user authtoken.token --indent 2` writes. */
const DUMP = [
  userRecord(ada),
  userRecord(grace),
  { model: "authtoken.token", pk: DRF_KEY, fields: { user: ada.pk, created: "2024-05-01T12:00:00.000Z" } },
];

let dir: string;
let mf: Miniflare;
let db: D1DatabaseLike;

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), "portcullis-django-"));
  copyFileSync(new URL("wrangler.jsonc", here), join(dir, "wrangler.jsonc"));
  writeFileSync(join(dir, "dump.json"), JSON.stringify(DUMP, null, 2));
});

afterAll(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const passwordHashOf = async (username: string) =>
  (await db.prepare("SELECT password_hash AS h FROM portcullis_users WHERE username = ?1").bind(username).first<{ h: string }>())?.h;

let nextIp = 1;
function call(path: string, init: { method?: string; authorization?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": `203.0.113.${nextIp++}` };
  if (init.authorization) headers.Authorization = init.authorization;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return mf.dispatchFetch(`https://example.com${path}`, { method: init.method ?? "GET", headers, body });
}

const basic = (username: string, password: string) => `Basic ${btoa(`${username}:${password}`)}`;

describe("Django → Portcullis: dumpdata, import-django, the example Worker in workerd", () => {
  it("imports the dump with the built CLI into the project's local D1", { timeout: 60_000 }, () => {
    expect(runCli(dir, ["migrate"])).toMatchObject({ code: 0, stderr: "" });
    const imported = runCli(dir, ["import-django", "dump.json"]);
    expect(imported).toEqual({
      code: 0,
      stdout: "Imported 2 users and 1 tokens (0 users and 0 tokens already present)\n",
      stderr: "",
    });
    expect(imported.stdout + imported.stderr).not.toContain(DRF_KEY);
  });

  it("runs the example Worker on that database: the same d1Persist and database id", { timeout: 60_000 }, async () => {
    const { code } = await bundleWorker(fileURLToPath(new URL(config.main, here)));
    mf = new Miniflare({
      modules: true,
      script: code,
      compatibilityDate: config.compatibility_date,
      d1Databases: { [d1.binding]: d1.database_id },
      d1Persist: join(dir, ".wrangler", "state", "v3", "d1"), // where the CLI (and wrangler dev) keep it
      ...workerBindings(), // the counters' Durable Object and the Rate Limiting binding
    });
    db = (await mf.getD1Database(d1.binding)) as unknown as D1DatabaseLike;
    expect(await passwordHashOf("ada")).toBe(ada.encoded); // verbatim
    const digests = await db.prepare("SELECT digest FROM portcullis_tokens").all<{ digest: string }>();
    expect(digests.results).toHaveLength(1);
    expect(digests.results[0]?.digest).not.toBe(DRF_KEY); // stored as a digest only
  });

  it("the old DRF key authenticates: Authorization: Token <key> on GET /api/me", async () => {
    const res = await call("/api/me", { authorization: `Token ${DRF_KEY}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "7", username: "ada", isStaff: false, scheme: "token" });
  });

  it("the old password logs in through Basic, and the hash is upgraded afterwards", async () => {
    const wrong = await call("/api/me", { authorization: basic("ada", "hunter3") });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: "Invalid username/password." });
    expect(await passwordHashOf("ada")).toBe(ada.encoded);
    const res = await call("/api/me", { authorization: basic("ada", "hunter2") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "7", username: "ada", isStaff: false, scheme: "basic" });
    // The upgrade runs in waitUntil, after the response.
    await eventually(async () => (await passwordHashOf("ada")) !== ada.encoded, 15_000);
    expect(await passwordHashOf("ada")).toMatch(/^pbkdf2_sha256\$1000000\$[A-Za-z0-9]{22,}\$[A-Za-z0-9+/]{43}=$/);
  });

  it("the old password logs in at POST /api-token-auth/, whose new token works; the hash is upgraded", async () => {
    expect(await passwordHashOf("grace")).toBe(grace.encoded);
    const res = await call("/api-token-auth/", { method: "POST", body: { username: "grace", password: grace.password } });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    const me = await call("/api/me", { authorization: `Token ${token}` });
    expect(await me.json()).toEqual({ id: "8", username: "grace", isStaff: false, scheme: "token" });
    await eventually(async () => (await passwordHashOf("grace")) !== grace.encoded, 15_000);
    expect(await passwordHashOf("grace")).toMatch(/^pbkdf2_sha256\$1000000\$[A-Za-z0-9]{22,}\$[A-Za-z0-9+/]{43}=$/);
  });

  it("after the upgrade, the same password and the old DRF key still work", async () => {
    expect((await call("/api/me", { authorization: basic("ada", "hunter2") })).status).toBe(200);
    expect((await call("/api/me", { authorization: `Token ${DRF_KEY}` })).status).toBe(200);
    const res = await call("/api-token-auth/", { method: "POST", body: { username: "grace", password: grace.password } });
    expect(res.status).toBe(200);
  });
});
