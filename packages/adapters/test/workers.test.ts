/**
 * `@portcullis/adapters/workers` in real workerd (Miniflare) with real D1: the fixture Worker is bundled from
 * the built packages, as wrangler would bundle it.
 */
import type { Store, User } from "@portcullis/core";
import { hashPassword, issueToken } from "@portcullis/core";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { d1Store, migrate } from "@portcullis/store-d1";
import type { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerBundle } from "./_workerd.js";
import { bundleWorker, eventually, startWorkers, workspaceInputs } from "./_workerd.js";

const ENTRY = fileURLToPath(new URL("./fixtures/d1-worker.ts", import.meta.url));
const URL_BASE = "https://api.example.com";

let bundle: WorkerBundle;
let mf: Miniflare;
let db: D1DatabaseLike;
let store: Store;
let alice: User;

beforeAll(async () => {
  bundle = await bundleWorker(ENTRY);
  const worker = { code: bundle.code, compatibilityDate: "2026-04-01" };
  mf = startWorkers({
    main: { ...worker, d1Databases: { DB: "main-db" } },
    unmigrated: { ...worker, d1Databases: { DB: "empty-db" } },
  });
  db = (await mf.getD1Database("DB", "main")) as unknown as D1DatabaseLike;
  await migrate(db);
  store = d1Store(db);
  alice = await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
});

afterAll(async () => {
  await mf?.dispose();
});

let nextIp = 1;
/** A request from a client IP of its own, unless one is given, so throttles never mix tests. */
function call(path: string, init: { method?: string; ip?: string; key?: string } = {}) {
  const { method = "GET", ip = `203.0.113.${nextIp++}`, key } = init;
  const headers: Record<string, string> = { "CF-Connecting-IP": ip };
  if (key) headers.Authorization = `Token ${key}`;
  return mf.dispatchFetch(`${URL_BASE}${path}`, { method, headers });
}

const tokenRowCount = async (id: string) =>
  (await db.prepare("SELECT COUNT(*) AS n FROM portcullis_tokens WHERE id = ?1").bind(id).first<{ n: number }>())?.n;

describe("withAuth on workerd with D1", () => {
  it("runs the built packages (dist), never their sources", () => {
    const inputs = workspaceInputs(bundle);
    for (const pkg of ["core", "adapters", "store-d1"]) {
      expect(inputs[pkg]?.filter((file) => file.startsWith("dist/")).length, pkg).toBeGreaterThan(0);
      expect(inputs[pkg]?.filter((file) => file.startsWith("src/")), pkg).toEqual([]);
    }
    expect(inputs.adapters).toContain("dist/workers.js");
  });

  it("authenticates a token from D1 and hands the decision to the handler", async () => {
    const { key, token } = await issueToken(store, alice.id);
    const res = await call("/", { method: "POST", key });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: "POST", username: "alice", tokenId: token.id, scheme: "token" });
  });

  it("answers 401 with WWW-Authenticate: Token to an anonymous write and to a bad token", async () => {
    const anonymous = await call("/", { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe("Token");
    expect(await anonymous.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect(anonymous.headers.get("Cache-Control")).toBe("no-store");
    const bad = await call("/", { key: "0123456789abcdef0123456789abcdef01234567" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("Cache-Control")).toBe("no-store");
    expect(await bad.json()).toEqual({ detail: "Invalid token." });
  });

  it("builds the policy once per env, not per request", async () => {
    const builds = [];
    for (let i = 0; i < 3; i++) builds.push((await call("/")).headers.get("X-Policy-Builds"));
    expect(builds).toEqual(["1", "1", "1"]);
  });

  it("counts anonymous requests per CF-Connecting-IP", async () => {
    const fromA = [];
    for (let i = 0; i < 4; i++) fromA.push(await call("/", { ip: "198.51.100.1" }));
    expect(fromA.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(fromA[3]?.headers.get("Retry-After")).toMatch(/^(59|60)$/);
    expect((await call("/", { ip: "198.51.100.2" })).status).toBe(200);
    // Authenticated requests from the exhausted IP are not anonymous, so that throttle lets them through.
    const { key } = await issueToken(store, alice.id);
    expect((await call("/", { ip: "198.51.100.1", key })).status).toBe(200);
  });

  it("removes an expired token in waitUntil after answering 401", async () => {
    const { key, token } = await issueToken(store, alice.id, { ttlMs: 1000, now: Date.now() - 60_000 });
    expect(await tokenRowCount(token.id)).toBe(1);
    const res = await call("/", { key });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Invalid token." });
    await eventually(async () => (await tokenRowCount(token.id)) === 0);
  });

  it("fails closed: 503 when D1 fails (no tables), whether or not the request has credentials", async () => {
    const unmigrated = await mf.getWorker("unmigrated");
    const attempts = [
      { headers: { "CF-Connecting-IP": "192.0.2.1", Authorization: "Token 0123456789abcdef0123456789abcdef01234567" } },
      { headers: { "CF-Connecting-IP": "192.0.2.2" } }, // anonymous read: allowed, but its throttle cannot count
    ];
    for (const init of attempts) {
      const res = await unmigrated.fetch(`${URL_BASE}/`, init);
      expect(res.status).toBe(503);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(await res.json()).toEqual({ detail: "Authentication service unavailable." });
    }
  });
});
