/**
 * The example Worker, end to end in real workerd (Miniflare) with real D1: bundled from `wrangler.jsonc`'s `main`
 * against the built packages, with the D1 binding and compatibility date of `wrangler.jsonc`.
 */
import type { SessionStore, Store, User } from "@portcullis/core";
import { hashPassword, issueToken } from "@portcullis/core";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { d1Store, migrate } from "@portcullis/store-d1";
import type { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, eventually, startWorkers } from "../../../packages/adapters/test/_workerd.js";
import { workerBindings } from "./_wrangler.js";

interface WranglerConfig {
  main: string;
  compatibility_date: string;
  d1_databases: { binding: string; database_id: string }[];
}

const here = new URL("../", import.meta.url);
const jsonc = readFileSync(new URL("wrangler.jsonc", here), "utf8");
const config = JSON.parse(jsonc.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "")) as WranglerConfig;
const d1 = config.d1_databases[0] as { binding: string; database_id: string };

let mf: Miniflare;
let db: D1DatabaseLike;
let store: Store & SessionStore;
let alice: User;

beforeAll(async () => {
  const { code } = await bundleWorker(fileURLToPath(new URL(config.main, here)));
  mf = startWorkers({
    example: { code, compatibilityDate: config.compatibility_date, d1Databases: { [d1.binding]: d1.database_id }, ...workerBindings() },
  });
  db = (await mf.getD1Database(d1.binding)) as unknown as D1DatabaseLike;
  await migrate(db);
  store = d1Store(db);
  alice = await store.createUser({ username: "alice", passwordHash: await hashPassword("alice-pw", { iterations: 1000 }) });
  await store.createUser({ username: "root", passwordHash: await hashPassword("root-pw", { iterations: 1000 }), isStaff: true });
});

afterAll(async () => {
  await mf?.dispose();
});

let nextIp = 1;
function call(path: string, init: { method?: string; key?: string; ip?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": init.ip ?? `203.0.113.${nextIp++}` };
  if (init.key) headers.Authorization = `Token ${init.key}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return mf.dispatchFetch(`https://example.com${path}`, { method: init.method ?? "GET", headers, body });
}

async function login(username: string, password: string): Promise<string> {
  const res = await call("/api-token-auth/", { method: "POST", body: { username, password } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe("example Worker (Hono + D1) on workerd", () => {
  it("issues a token at POST /api-token-auth/ that /api/me accepts; without it, 401 + WWW-Authenticate: Token", async () => {
    const res = await call("/api-token-auth/", { method: "POST", body: { username: "alice", password: "alice-pw" } });
    expect(res.status).toBe(200);
    const { token, expiry } = (await res.json()) as { token: string; expiry: string };
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(expiry) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const me = await call("/api/me", { key: token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: alice.id, username: "alice", isStaff: false, scheme: "token" });
    const anonymous = await call("/api/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe("Token");
    expect(await anonymous.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("/api/articles: anonymous GET 200, anonymous POST 401, authenticated POST 201", async () => {
    expect((await call("/api/articles")).status).toBe(200);
    const anonymous = await call("/api/articles", { method: "POST", body: { title: "Nope" } });
    expect(anonymous.status).toBe(401);
    const key = await login("alice", "alice-pw");
    const created = await call("/api/articles", { method: "POST", key, body: { title: "From the edge" } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ title: "From the edge", author: "alice" });
    const list = (await (await call("/api/articles")).json()) as { title: string }[];
    expect(list.map((a) => a.title)).toContain("From the edge");
  });

  it("/api/articles POST: 413 past 4 KiB (with or without Content-Length), 400 on a bad title, nothing stored", async () => {
    const key = await login("alice", "alice-pw");
    const huge = await call("/api/articles", { method: "POST", key, body: { title: "x".repeat(1_000_000) } });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ detail: "Request body exceeds 4096 bytes." });
    // A streamed body has no Content-Length: it is cut off while it is read.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"title": "${"y".repeat(10_000)}"}`));
        controller.close();
      },
    });
    const streamed = await mf.dispatchFetch("https://example.test/api/articles", {
      method: "POST",
      headers: { "CF-Connecting-IP": "203.0.113.250", Authorization: `Token ${key}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    for (const title of ["", "   ", 42, "t".repeat(201), "evil\u202Etxt", "bell\u0007"]) {
      const bad = await call("/api/articles", { method: "POST", key, body: { title } });
      expect([title, bad.status]).toEqual([title, 400]);
      expect(Object.keys((await bad.json()) as object)).toEqual(["title"]);
    }
    expect((await call("/api/articles", { method: "POST", key, body: { title: "t".repeat(200) } })).status).toBe(201);
    const list = (await (await call("/api/articles")).json()) as { title: string }[];
    expect(list.every((a) => a.title.length <= 200)).toBe(true);
  });

  it("keeps at most 100 articles, so anonymous GET /api/articles stays bounded", async () => {
    const key = await login("alice", "alice-pw");
    for (let i = 0; i < 105; i++) {
      expect((await call("/api/articles", { method: "POST", key, body: { title: `bulk ${i}` } })).status).toBe(201);
    }
    const list = (await (await call("/api/articles")).json()) as { title: string }[];
    expect(list).toHaveLength(100);
    expect(list.at(-1)?.title).toBe("bulk 104");
  });

  it("the token endpoint caps live tokens at 10 per user: the 11th login answers 403, a logout frees a slot", async () => {
    await store.createUser({ username: "carol", passwordHash: await hashPassword("carol-pw", { iterations: 1000 }) });
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) keys.push(await login("carol", "carol-pw"));
    const eleventh = await call("/api-token-auth/", { method: "POST", body: { username: "carol", password: "carol-pw" } });
    expect(eleventh.status).toBe(403);
    expect(await eleventh.json()).toEqual({ detail: "Maximum amount of tokens allowed per user exceeded." });
    expect((await call("/api/logout/", { method: "POST", key: keys[0] })).status).toBe(204);
    expect(await login("carol", "carol-pw")).toMatch(/^[0-9a-f]{40}$/);
  });

  it("/api/admin: 403 for a non-staff user, 200 for staff", async () => {
    const denied = await call("/api/admin", { key: await login("alice", "alice-pw") });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ detail: "You do not have permission to perform this action." });
    const allowed = await call("/api/admin", { key: await login("root", "root-pw") });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ message: "Welcome to the admin area, root." });
  });

  it("logout: 204, then the token is rejected", async () => {
    const key = await login("alice", "alice-pw");
    expect((await call("/api/logout/", { method: "POST", key })).status).toBe(204);
    const res = await call("/api/me", { key });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid token." });
  });

  it("logout-all: 204, then every token of the user is rejected", async () => {
    const keys = [await login("alice", "alice-pw"), await login("alice", "alice-pw")];
    expect((await call("/api/logoutall/", { method: "POST", key: keys[0] })).status).toBe(204);
    for (const key of keys) expect((await call("/api/me", { key })).status).toBe(401);
  });

  it("the anonymous throttle (30/min) counts per CF-Connecting-IP", async () => {
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await call("/api/articles", { ip: "198.51.100.7" })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    const throttled = await call("/api/articles", { ip: "198.51.100.7" });
    expect(throttled.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect((await call("/api/articles", { ip: "198.51.100.8" })).status).toBe(200);
  });

  it.each(["/api/me", "/api/logout/"])("removes an expired token in waitUntil after %s answers 401", async (path) => {
    const { key, token } = await issueToken(store, alice.id, { ttlMs: 60_000, now: Date.now() - 3_600_000 });
    const rows = async () =>
      (await db.prepare("SELECT COUNT(*) AS n FROM portcullis_tokens WHERE id = ?1").bind(token.id).first<{ n: number }>())?.n;
    expect(await rows()).toBe(1);
    const res = await call(path, { key, method: path === "/api/me" ? "GET" : "POST" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid token." });
    await eventually(async () => (await rows()) === 0);
  });
});

describe("example Worker: the Cron Trigger", () => {
  it("purges expired tokens, expired sessions and throttle counters whose window has passed", async () => {
    const bob = await store.createUser({ username: "bob-cron", passwordHash: "!" });
    const longAgo = Date.now() - 10 * 86_400_000;
    await issueToken(store, bob.id, { ttlMs: 1000, now: longAgo });
    const live = await issueToken(store, bob.id);
    await store.hit("cron-test:stale", { limit: 5, windowMs: 60_000, now: longAgo });
    const session = { userId: bob.id, createdAt: longAgo };
    await store.createSession({ ...session, id: "cron-old", digest: "0".repeat(64), expiresAt: longAgo + 1000 });
    await store.createSession({ ...session, id: "cron-live", digest: "1".repeat(64), expiresAt: Date.now() + 86_400_000 });
    const worker = await mf.getWorker("example");
    await worker.scheduled({ cron: "*/15 * * * *", scheduledTime: new Date() });
    await eventually(async () => (await store.listTokens(bob.id)).length === 1);
    expect((await store.listTokens(bob.id)).map((t) => t.id)).toEqual([live.token.id]);
    const rows = await db.prepare("SELECT count(*) AS n FROM portcullis_counters WHERE key = ?").bind("cron-test:stale").first<{ n: number }>();
    expect(rows?.n).toBe(0);
    await eventually(async () => (await store.findSession("0".repeat(64))) === null);
    expect(await store.findSession("1".repeat(64))).not.toBeNull();
  });
});
