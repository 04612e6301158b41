import { mountKnoxEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import { knoxAuth, knoxSettings } from "@portcullis/core/knox";
import { Hono } from "hono";
import { hashPassword } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { beforeEach, describe, expect, it } from "vitest";
import { ALICE_PASSWORD } from "./_fixtures.js";

let store = memoryStore();
beforeEach(async () => {
  store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword(ALICE_PASSWORD, { iterations: 1000 }) });
});

function knoxApp() {
  const settings = knoxSettings({ tokenPrefix: "app_", autoRefresh: true });
  const policy = routePolicies({ schemes: [knoxAuth({ store, settings })] });
  const app = new Hono();
  requirePolicies(app, "/api"); // knox's views decide access themselves: mounted as policies
  mountKnoxEndpoints(app, { store, settings });
  app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username, tokenKey: c.var.auth.tokenKey }));
  return app;
}

const basic = `Basic ${btoa(`alice:${ALICE_PASSWORD}`)}`;

describe("mountKnoxEndpoints", () => {
  it("login → a prefixed knox token that authenticates the API → logout revokes it", async () => {
    const app = knoxApp();
    const login = await app.request("/api/auth/login/", { method: "POST", headers: { authorization: basic } });
    expect(login.status).toBe(200);
    const { token, expiry } = (await login.json()) as { token: string; expiry: string };
    expect(token).toMatch(/^app_[0-9a-f]{64}$/);
    expect(expiry).toMatch(/Z$/);
    const me = await app.request("/api/me", { headers: { authorization: `Token ${token}` } });
    expect(await me.json()).toEqual({ username: "alice", tokenKey: token.slice(0, 15) });
    expect((await app.request("/api/auth/logout/", { method: "POST", headers: { authorization: `Token ${token}` } })).status).toBe(204);
    const after = await app.request("/api/me", { headers: { authorization: `Token ${token}` } });
    expect([after.status, after.headers.get("www-authenticate"), await after.json()]).toEqual([401, "Token", { detail: "Invalid token." }]);
  });

  it("logoutall revokes every token of the user; anonymous calls answer knox's 401", async () => {
    const app = knoxApp();
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const login = await app.request("/api/auth/login/", { method: "POST", headers: { authorization: basic } });
      tokens.push(((await login.json()) as { token: string }).token);
    }
    expect((await app.request("/api/auth/logoutall/", { method: "POST", headers: { authorization: `Token ${tokens[0]}` } })).status).toBe(204);
    for (const token of tokens) expect((await app.request("/api/me", { headers: { authorization: `Token ${token}` } })).status).toBe(401);
    const anonymous = await app.request("/api/auth/logoutall/", { method: "POST" });
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { detail: "Authentication credentials were not provided." }]);
  });
});
