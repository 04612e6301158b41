import { mountTokenEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import type { Store } from "@portcullis/core";
import { listTokens, tokenAuth } from "@portcullis/core";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { ALICE_PASSWORD, seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

function apiApp(store: Store, options: { ttlMs?: number } = {}) {
  const policy = routePolicies({ schemes: [tokenAuth({ store })] });
  const app = new Hono();
  requirePolicies(app, "/api"); // the token endpoints decide access themselves, so they count as policies
  mountTokenEndpoints(app, { store, ...options });
  app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));
  return app;
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

async function obtain(app: App, username = "alice", password = ALICE_PASSWORD): Promise<string> {
  const res = await app.request("/api-token-auth/", post({ username, password }));
  expect(res.status).toBe(200);
  const { token: key } = (await res.json()) as { token: string };
  return key;
}

describe("mountTokenEndpoints", () => {
  it("obtain: 200 with a key that authenticates the API", async () => {
    const app = apiApp(s.store, { ttlMs: 3_600_000 });
    const res = await app.request("/api-token-auth/", post({ username: "alice", password: ALICE_PASSWORD }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiry: string };
    expect(body.token).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(body.expiry) - Date.now()).toBeGreaterThan(3_500_000);
    const me = await app.request("/api/me", { headers: token(body.token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ username: "alice" });
  });

  it("obtain: DRF's 400, 405 and 415 answers", async () => {
    const app = apiApp(s.store);
    const wrong = await app.request("/api-token-auth/", post({ username: "alice", password: "nope" }));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
    const missing = await app.request("/api-token-auth/", post({ password: "x" }));
    expect(await missing.json()).toEqual({ username: ["This field is required."] });
    const get = await app.request("/api-token-auth/");
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    const text = await app.request("/api-token-auth/", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" });
    expect(text.status).toBe(415);
  });

  it("logout: 204, then that token is rejected and the user's other tokens still work", async () => {
    const app = apiApp(s.store);
    const first = await obtain(app);
    const second = await obtain(app);
    const res = await app.request("/api/logout/", { method: "POST", headers: token(first) });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const rejected = await app.request("/api/me", { headers: token(first) });
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({ detail: "Invalid token." });
    expect((await app.request("/api/me", { headers: token(second) })).status).toBe(200);
  });

  it("logout-all: 204, then every token of the user is rejected, other users' are not", async () => {
    const app = apiApp(s.store);
    const keys = [await obtain(app), await obtain(app), await s.tokenFor(s.alice)];
    const adminKey = await s.tokenFor(s.admin);
    const res = await app.request("/api/logoutall/", { method: "POST", headers: token(keys[0] as string) });
    expect(res.status).toBe(204);
    for (const key of keys) expect((await app.request("/api/me", { headers: token(key) })).status).toBe(401);
    expect(await listTokens(s.store, s.alice.id)).toEqual([]);
    expect((await app.request("/api/me", { headers: token(adminKey) })).status).toBe(200);
  });

  it("logout without a token: 401 with the Token challenge", async () => {
    const app = apiApp(s.store);
    for (const path of ["/api/logout/", "/api/logoutall/"]) {
      const res = await app.request(path, { method: "POST" });
      expect(res.status, path).toBe(401);
      expect(res.headers.get("WWW-Authenticate"), path).toBe("Token");
    }
  });

  it("takes custom paths and a store built from c.env (once per env)", async () => {
    const built: unknown[] = [];
    const app = new Hono<{ Bindings: { STORE: Store } }>();
    const paths = { obtain: "/auth/token", logout: "/auth/logout", logoutAll: "/auth/logout-all" };
    mountTokenEndpoints(app, { store: (c) => (built.push(c.env), (c.env as { STORE: Store }).STORE), paths });
    const env = { STORE: s.store };
    const res = await app.request("/auth/token", post({ username: "alice", password: ALICE_PASSWORD }), env);
    expect(res.status).toBe(200);
    const { token: key } = (await res.json()) as { token: string };
    expect((await app.request("/auth/logout", { method: "POST", headers: token(key) }, env)).status).toBe(204);
    expect((await app.request("/auth/logout-all", { method: "POST", headers: token(key) }, env)).status).toBe(401);
    expect((await app.request("/api-token-auth/", post({}), env)).status).toBe(404);
    expect(built).toEqual([env]);
  });
});

describe("mountTokenEndpoints options", () => {
  it("keyword: Bearer makes logout accept Bearer tokens", async () => {
    const app = new Hono();
    mountTokenEndpoints(app, { store: s.store, keyword: "Bearer" });
    const key = await obtain(app);
    const logout = await app.request("/api/logout/", { method: "POST", headers: { Authorization: `Bearer ${key}` } });
    expect(logout.status).toBe(204);
    expect(await listTokens(s.store, s.alice.id)).toEqual([]);
  });

  it("clientIp and bruteForce reach the login endpoint's protection", async () => {
    const app = new Hono();
    const clientIp = (c: { req: { header(name: string): string | undefined } }) => c.req.header("x-test-client");
    mountTokenEndpoints(app, { store: s.store, clientIp, bruteForce: { perUsername: null, perIp: "2/min" } });
    const wrong = (ip: string) => app.request("/api-token-auth/", post({ username: "nobody", password: "x" }, { "x-test-client": ip }));
    expect([(await wrong("192.0.2.1")).status, (await wrong("192.0.2.1")).status, (await wrong("192.0.2.1")).status]).toEqual([
      400, 400, 429,
    ]);
    expect((await wrong("192.0.2.2")).status).toBe(400);
  });
});
