import type { AuthEnvOf } from "@portcullis/adapters/hono";
import { createAuth } from "@portcullis/adapters/hono";
import type { Store, User } from "@portcullis/core";
import { allowAny, basicAuth, isAuthenticated, tokenAuth, userRateThrottle } from "@portcullis/core";
import { Hono } from "hono";
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { ALICE_PASSWORD, basic, seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

/** Defaults: Token only, isAuthenticated, 3 requests a minute per user; routes override parts of that. */
function appWithOverrides(store: Store) {
  const portcullis = createAuth({
    schemes: [tokenAuth({ store })],
    permissions: [isAuthenticated],
    throttles: [userRateThrottle("3/min", { store })],
  });
  const app = new Hono<AuthEnvOf<typeof portcullis>>();
  app.use("/api/*", portcullis.defaults);
  app.get("/api/private", (c) => {
    expectTypeOf(c.var.user).toEqualTypeOf<User>();
    return c.json({ username: c.var.user.username, scheme: c.var.authScheme });
  });
  app.get("/api/public", portcullis.route({ permissions: [allowAny] }), (c) => c.json({ user: c.var.user?.username ?? null }));
  // A route whose override changes the schemes (so `auth` is `null`, not a TokenRecord) lives on a sub-app that is
  // not typed with the defaults: Hono intersects an app's variables with a route's, and the two would conflict.
  const basicRoutes = new Hono();
  basicRoutes.get("/basic-only", portcullis.route({ schemes: [basicAuth({ users: store })] }), (c) => {
    expectTypeOf(c.var.user).toEqualTypeOf<User>();
    expectTypeOf(c.var.auth).toEqualTypeOf<null>();
    return c.json({ username: c.var.user.username, scheme: c.var.authScheme });
  });
  app.route("/api", basicRoutes);
  app.get("/api/unthrottled", portcullis.route({ throttles: [] }), (c) => c.json({ ok: true }));
  return app;
}

describe("createAuth: app-wide defaults", () => {
  it("apply to routes without an override: Token only, authenticated only", async () => {
    const app = appWithOverrides(s.store);
    const anonymous = await app.request("/api/private");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe("Token");
    const withBasic = await app.request("/api/private", { headers: basic("alice", ALICE_PASSWORD) });
    expect(withBasic.status).toBe(401);
    expect(withBasic.headers.get("WWW-Authenticate")).toBe("Token");
    const withToken = await app.request("/api/private", { headers: token(await s.tokenFor(s.alice)) });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ username: "alice", scheme: "token" });
  });

  it("throttle routes without an override (the defaults run once per request, not twice)", async () => {
    const app = appWithOverrides(s.store);
    const headers = token(await s.tokenFor(s.alice));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request("/api/private", { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe("createAuth: per-route overrides replace the defaults", () => {
  it("permissions: [allowAny] lets anonymous requests through where the defaults would answer 401", async () => {
    const app = appWithOverrides(s.store);
    const res = await app.request("/api/public");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: null });
  });

  it("other schemes: Basic is accepted and Token is not, the reverse of the defaults", async () => {
    const app = appWithOverrides(s.store);
    const withBasic = await app.request("/api/basic-only", { headers: basic("alice", ALICE_PASSWORD) });
    expect(withBasic.status).toBe(200);
    expect(await withBasic.json()).toEqual({ username: "alice", scheme: "basic" });
    const withToken = await app.request("/api/basic-only", { headers: token(await s.tokenFor(s.alice)) });
    expect(withToken.status).toBe(401);
    expect(withToken.headers.get("WWW-Authenticate")).toBe('Basic realm="api"');
  });

  it("keeps the keys it does not name (schemes and permissions) and replaces the one it does (throttles)", async () => {
    const app = appWithOverrides(s.store);
    expect((await app.request("/api/unthrottled")).status).toBe(401);
    const headers = token(await s.tokenFor(s.alice));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.request("/api/unthrottled", { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });

  it("route overrides may be registered before or after app.use and still never stack", async () => {
    const portcullis = createAuth({ schemes: [tokenAuth({ store: s.store })] });
    const app = new Hono();
    app.get("/api/early", portcullis.route({ permissions: [allowAny] }), (c) => c.text("early"));
    app.use("/api/*", portcullis.defaults);
    app.get("/api/late", portcullis.route({ permissions: [allowAny] }), (c) => c.text("late"));
    app.get("/api/closed", (c) => c.text("closed"));
    expect((await app.request("/api/early")).status).toBe(200);
    expect((await app.request("/api/late")).status).toBe(200);
    expect((await app.request("/api/closed")).status).toBe(401);
  });

  it("an override on another matching route (/api/:slug) never opens a route without one (/api/admin)", async () => {
    const portcullis = createAuth({ schemes: [tokenAuth({ store: s.store })] });
    const app = new Hono();
    app.use("/api/*", portcullis.defaults);
    app.get("/api/admin", (c) => c.text("secret admin data"));
    app.get("/api/:slug", portcullis.route({ permissions: [allowAny] }), (c) => c.text(`page ${c.req.param("slug")}`));
    const admin = await app.request("/api/admin");
    expect(admin.status).toBe(401);
    expect(await admin.text()).not.toContain("secret");
    expect((await app.request("/api/about")).status).toBe(200);
  });

  it("with other middleware between the defaults and an override, both run (fail closed, never open)", async () => {
    const portcullis = createAuth({ schemes: [tokenAuth({ store: s.store })] });
    const app = new Hono();
    app.use("/api/*", portcullis.defaults);
    app.use("/api/*", async (_c, next) => next());
    app.get("/api/open", portcullis.route({ permissions: [allowAny] }), (c) => c.text("open"));
    expect((await app.request("/api/open")).status).toBe(401);
    expect((await app.request("/api/open", { headers: token(await s.tokenFor(s.alice)) })).status).toBe(200);
  });
});

describe("createAuth: a policy built from the context", () => {
  interface Bindings {
    readonly STORE: Store;
    readonly LIMIT: number;
  }

  it("reads c.env, and is built once per env object", async () => {
    const builtFor: unknown[] = [];
    const portcullis = createAuth((c) => {
      const env = c.env as Bindings;
      builtFor.push(env);
      return { schemes: [tokenAuth({ store: env.STORE })], throttles: [userRateThrottle({ limit: env.LIMIT, windowMs: 60_000 }, { store: env.STORE })] };
    });
    const app = new Hono<{ Bindings: Bindings } & AuthEnvOf<typeof portcullis>>();
    app.use("*", portcullis.defaults);
    app.get("/me", (c) => c.json({ username: c.var.user.username }));

    const other = await seed();
    const envA: Bindings = { STORE: s.store, LIMIT: 2 };
    const envB: Bindings = { STORE: other.store, LIMIT: 100 };
    const keyA = await s.tokenFor(s.alice);
    const statusesA = [];
    for (let i = 0; i < 3; i++) statusesA.push((await app.request("/me", { headers: token(keyA) }, envA)).status);
    expect(statusesA).toEqual([200, 200, 429]);
    expect(builtFor).toEqual([envA]);

    // A token of store A means nothing to the policy built from env B.
    const wrongStore = await app.request("/me", { headers: token(keyA) }, envB);
    expect(wrongStore.status).toBe(401);
    expect(await wrongStore.json()).toEqual({ detail: "Invalid token." });
    expect((await app.request("/me", { headers: token(await other.tokenFor(other.alice)) }, envB)).status).toBe(200);
    expect(builtFor).toEqual([envA, envB]);
  });

  it("also works for route overrides given as functions of the context", async () => {
    const portcullis = createAuth({ schemes: [tokenAuth({ store: s.store })] });
    const app = new Hono<{ Bindings: { OPEN: boolean } }>();
    app.use("*", portcullis.defaults);
    app.get("/maybe", portcullis.route((c) => ({ permissions: c.env.OPEN ? [allowAny] : [isAuthenticated] })), (c) => c.text("ok"));
    expect((await app.request("/maybe", {}, { OPEN: true })).status).toBe(200);
    expect((await app.request("/maybe", {}, { OPEN: false })).status).toBe(401);
  });
});
