import { mountJwtEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import { jwtAuth, jwtSettings } from "@portcullis/core/jwt";
import { memoryStore } from "@portcullis/store-memory";
import { hashPassword } from "@portcullis/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";

const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function jwtApp(stateless: boolean) {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
  const jwt = jwtSettings({ signingKey: "a-django-secret-key-for-the-hono-test", rotateRefreshTokens: true });
  const scheme = stateless ? jwtAuth({ jwt, stateless: true }) : jwtAuth({ jwt, users: store });
  const policy = routePolicies({ schemes: [scheme] });
  const app = new Hono();
  requirePolicies(app, "/api"); // the JWT endpoints count as policies of their own
  mountJwtEndpoints(app, { jwt, store, claims: (user) => ({ username: user.username }) });
  app.get("/api/me", policy(), (c) => c.json({ id: c.var.user.id, username: c.var.user.username }));
  return app;
}

describe.each([false, true])("mountJwtEndpoints (stateless users: %s)", (stateless) => {
  it("logs in, authenticates, refreshes with rotation, verifies and logs out", async () => {
    const app = await jwtApp(stateless);
    const login = await app.request("/api/token/", post({ username: "alice", password: "pw-alice" }));
    expect(login.status).toBe(200);
    const { access, refresh } = (await login.json()) as { access: string; refresh: string };
    const me = await app.request("/api/me", { headers: { Authorization: `Bearer ${access}` } });
    expect(await me.json()).toMatchObject({ username: "alice" });

    const asAccess = await app.request("/api/me", { headers: { Authorization: `Bearer ${refresh}` } });
    expect(asAccess.status).toBe(401);
    expect(asAccess.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(await asAccess.json()).toEqual({
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
      messages: [{ token_class: "AccessToken", token_type: "access", message: "Token has wrong type" }],
    });

    const rotated = await app.request("/api/token/refresh/", post({ refresh }));
    const next = (await rotated.json()) as { access: string; refresh: string };
    expect(Object.keys(next)).toEqual(["access", "refresh"]);
    expect((await app.request("/api/token/verify/", post({ token: next.access }))).status).toBe(200);
    expect((await app.request("/api/token/blacklist/", post({ refresh: next.refresh }))).status).toBe(200);
    expect((await app.request("/api/token/refresh/", post({ refresh: next.refresh }))).status).toBe(401);
    expect((await app.request("/api/token/", { method: "GET" })).status).toBe(405);
  });
});
