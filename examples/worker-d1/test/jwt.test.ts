/**
 * The example Worker's JWT routes in real workerd (Miniflare) with real D1, as `pnpm start` runs them (a
 * `SECRET_KEY` binding, as `.dev.vars` gives): obtain a pair, call a protected route with the access token,
 * refresh (rotation, the old refresh token blacklisted, its reuse revoking the family), then log out (blacklist). Without `SECRET_KEY` the JWT
 * routes are closed (503) and a Bearer token authenticates nothing.
 */
import { hashPassword } from "@portcullis/core";
import { d1Store, migrate } from "@portcullis/store-d1";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import type { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, startWorkers } from "../../../packages/adapters/test/_workerd.js";
import { workerBindings } from "./_wrangler.js";

const here = new URL("../", import.meta.url);
const config = JSON.parse(readFileSync(new URL("wrangler.jsonc", here), "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "")) as {
  main: string;
  compatibility_date: string;
};

let mf: Miniflare;
let aliceId: string;

beforeAll(async () => {
  const { code } = await bundleWorker(fileURLToPath(new URL(config.main, here)));
  const worker = { code, compatibilityDate: config.compatibility_date, ...workerBindings() };
  mf = startWorkers({
    example: { ...worker, d1Databases: { DB: "jwt-example-db" }, bindings: { SECRET_KEY: "example-test-secret-key-0123456789abcdef" } },
    nosecret: { ...worker, d1Databases: { DB: "jwt-example-db-2" } },
  });
  for (const name of ["example", "nosecret"]) {
    const db = (await mf.getD1Database("DB", name)) as unknown as D1DatabaseLike;
    await migrate(db);
    const user = await d1Store(db).createUser({ username: "alice", passwordHash: await hashPassword("alice-pw", { iterations: 1000 }) });
    if (name === "example") aliceId = user.id;
  }
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

let nextIp = 1;
async function call(path: string, init: { body?: unknown; bearer?: string; worker?: string } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": `198.51.100.${nextIp++}` };
  if (init.bearer !== undefined) headers.Authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const url = `https://example.com${path}`;
  const request = { method: init.body === undefined ? "GET" : "POST", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) };
  const res = init.worker === undefined ? await mf.dispatchFetch(url, request) : await (await mf.getWorker(init.worker)).fetch(url, request);
  return { status: res.status, challenge: res.headers.get("WWW-Authenticate"), body: (await res.json()) as Record<string, string> };
}

describe("the example Worker's JWT routes", () => {
  it("obtain pair → protected route → refresh with rotation → logout, with simplejwt's answers", async () => {
    const pair = await call("/api/token/", { body: { username: "alice", password: "alice-pw" } });
    expect(pair.status).toBe(200);
    expect(Object.keys(pair.body).sort()).toEqual(["access", "refresh"]);

    const me = await call("/api/me", { bearer: pair.body.access });
    expect(me).toMatchObject({ status: 200, body: { id: aliceId, username: "alice", scheme: "jwt" } });
    const asAccess = await call("/api/me", { bearer: pair.body.refresh });
    expect(asAccess).toMatchObject({ status: 401, challenge: "Token", body: { code: "token_not_valid" } });

    const refreshed = await call("/api/token/refresh/", { body: { refresh: pair.body.refresh } });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body).sort()).toEqual(["access", "refresh"]);
    expect((await call("/api/me", { bearer: refreshed.body.access })).status).toBe(200);
    const again = await call("/api/token/refresh/", { body: { refresh: pair.body.refresh } });
    expect(again).toMatchObject({ status: 401, body: { detail: "Token is blacklisted", code: "token_not_valid" } });
    // Presenting a rotated refresh token again is reuse: its whole family, the new refresh token too, is revoked.
    const family = await call("/api/token/refresh/", { body: { refresh: refreshed.body.refresh } });
    expect(family).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });

    const second = await call("/api/token/", { body: { username: "alice", password: "alice-pw" } });
    expect(await call("/api/token/verify/", { body: { token: second.body.refresh } })).toMatchObject({ status: 200, body: {} });
    expect(await call("/api/token/blacklist/", { body: { refresh: second.body.refresh } })).toMatchObject({ status: 200, body: {} });
    const afterLogout = await call("/api/token/refresh/", { body: { refresh: second.body.refresh } });
    expect(afterLogout).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });
    // As in simplejwt, access tokens are never blacklisted: the one of the logged-out pair lives until its exp.
    expect((await call("/api/me", { bearer: second.body.access })).status).toBe(200);
  });

  it("refuses a wrong password with simplejwt's message", async () => {
    const wrong = await call("/api/token/", { body: { username: "alice", password: "nope" } });
    expect(wrong).toMatchObject({ status: 401, body: { detail: "No active account found with the given credentials" } });
  });

  it("without SECRET_KEY: the JWT routes answer 503 and a Bearer token authenticates nothing", async () => {
    const obtain = await call("/api/token/", { body: { username: "alice", password: "alice-pw" }, worker: "nosecret" });
    expect(obtain).toEqual({ status: 503, challenge: null, body: { detail: "Authentication service unavailable." } });
    const me = await call("/api/me", { bearer: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", worker: "nosecret" });
    expect(me).toMatchObject({ status: 401, body: { detail: "Authentication credentials were not provided." } });
  });
});
