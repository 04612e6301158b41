/**
 * knox in real workerd (Miniflare) with real D1, from the built packages: knox's login, a knox token through
 * `withAuth` + `knoxAuth` (SHA-512 without node:crypto), auto-refresh, logout.
 */
import { hashPassword } from "@portcullis/core";
import { issueKnoxToken, knoxSettings } from "@portcullis/core/knox";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { d1Store, migrate } from "@portcullis/store-d1";
import type { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, startWorkers, workspaceInputs, type WorkerBundle } from "./_workerd.js";

const ENTRY = fileURLToPath(new URL("./fixtures/knox-worker.ts", import.meta.url));
const BASE = "https://api.example.com";
let bundle: WorkerBundle;
let mf: Miniflare;
let db: D1DatabaseLike;

beforeAll(async () => {
  bundle = await bundleWorker(ENTRY);
  mf = startWorkers({ main: { code: bundle.code, compatibilityDate: "2026-04-01", d1Databases: { DB: "knox-db" } } });
  db = (await mf.getD1Database("DB", "main")) as unknown as D1DatabaseLike;
  await migrate(db);
  await d1Store(db).createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
});

afterAll(async () => {
  await mf?.dispose();
});

const call = async (path: string, authorization?: string, method = "GET") => {
  const response = await mf.dispatchFetch(`${BASE}${path}`, { method, headers: authorization ? { authorization } : {} });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get("www-authenticate"), body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>) };
};

describe("knox on workerd with D1", () => {
  it("runs the built knox module (dist)", () => {
    expect(workspaceInputs(bundle).core).toContain("dist/knox/index.js");
  });

  it("login → a knox token that authenticates → logout ends it", async () => {
    const login = await call("/api/auth/login/", `Basic ${btoa("alice:pw-alice")}`, "POST");
    expect(login.status).toBe(200);
    const token = String(login.body?.token);
    expect(token).toMatch(/^wk_[0-9a-f]{64}$/);
    expect(await call("/api/me", `Token ${token}`)).toMatchObject({ status: 200, body: { username: "alice", tokenKey: token.slice(0, 15) } });
    expect((await call("/api/auth/logout/", `Token ${token}`, "POST")).status).toBe(204);
    expect(await call("/api/me", `Token ${token}`)).toEqual({ status: 401, challenge: "Token", body: { detail: "Invalid token." } });
  });

  it("a token issued from Node is accepted, its expiry auto-refreshed in D1; an expired one is deleted", async () => {
    const store = d1Store(db);
    const alice = (await store.getUserByUsername("alice"))!.user;
    const settings = knoxSettings({ tokenPrefix: "wk_", tokenTtlMs: 60 * 60_000 });
    const live = (await issueKnoxToken(store, alice.id, { settings }))!;
    expect((await call("/api/me", `Token ${live.token}`)).status).toBe(200);
    const [row] = await store.findKnoxTokens(live.record.tokenKey, Date.now());
    expect(row!.token.expiresAt! - Date.now()).toBeGreaterThan(9 * 3600_000); // refreshed to now + 10 h
    const expired = (await issueKnoxToken(store, alice.id, { settings: { tokenTtlMs: 1 }, now: Date.now() - 1000 }))!;
    expect(await call("/api/me", `Token ${expired.token}`)).toEqual({ status: 401, challenge: "Token", body: { detail: "Invalid token." } });
    expect(await store.findKnoxTokens(expired.record.tokenKey, Date.now())).toEqual([]);
  });
});
