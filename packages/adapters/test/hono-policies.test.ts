import { auth, routePolicies } from "@portcullis/adapters/hono";
import type { AuthEvent, Permission, Store, User } from "@portcullis/core";
import { StoreError, allowAny, basicAuth, isAdminUser, isAuthenticated, tokenAuth, userRateThrottle } from "@portcullis/core";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { serveStatic } from "hono/serve-static";
import { beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { ALICE_PASSWORD, basic, seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

const tokenDefaults = (store: Store) => routePolicies({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });

describe("routePolicies: each route's policy is the one on its own line", () => {
  it("policy() enforces the defaults and types c.var.user as User", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono();
    app.get("/api/me", policy(), (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<User>();
      return c.json({ username: c.var.user.username, scheme: c.var.authScheme });
    });
    const anonymous = await app.request("/api/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe("Token");
    expect((await app.request("/api/me", { headers: basic("alice", ALICE_PASSWORD) })).status).toBe(401);
    const ok = await app.request("/api/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(await ok.json()).toEqual({ username: "alice", scheme: "token" });
  });

  it("an override replaces the keys it names: allowAny is public (User | null), other schemes swap", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono();
    app.get("/api/public", policy({ permissions: [allowAny] }), (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<User | null>();
      return c.json({ user: c.var.user?.username ?? null });
    });
    app.get("/api/basic", policy({ schemes: [basicAuth({ users: s.store })] }), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<null>();
      return c.json({ scheme: c.var.authScheme });
    });
    expect(await (await app.request("/api/public")).json()).toEqual({ user: null });
    expect(await (await app.request("/api/basic", { headers: basic("alice", ALICE_PASSWORD) })).json()).toEqual({ scheme: "basic" });
    const withToken = await app.request("/api/basic", { headers: token(await s.tokenFor(s.alice)) });
    expect(withToken.status).toBe(401);
    expect(withToken.headers.get("WWW-Authenticate")).toBe('Basic realm="api"');
  });

  it("a public handler that calls next() never opens a later route: /api/:slug then /api/admin", async () => {
    const policy = tokenDefaults(s.store);
    const pages: Record<string, string> = { about: "about us" };
    const app = new Hono();
    app.get("/api/:slug", policy({ permissions: [allowAny] }), async (c, next) => {
      const page = pages[c.req.param("slug")];
      return page === undefined ? next() : c.text(page);
    });
    let adminRuns = 0;
    app.get("/api/admin", policy({ permissions: [isAdminUser] }), (c) => (adminRuns++, c.text("secret admin data")));
    expect(await (await app.request("/api/about")).text()).toBe("about us");
    const anonymous = await app.request("/api/admin");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("secret");
    expect((await app.request("/api/admin", { headers: token(await s.tokenFor(s.alice)) })).status).toBe(403);
    expect(adminRuns).toBe(0);
    expect((await app.request("/api/admin", { headers: token(await s.tokenFor(s.admin)) })).status).toBe(200);
  });

  it("serveStatic calling next() on a missing file does not open the API routes after it", async () => {
    const policy = tokenDefaults(s.store);
    const files: Record<string, string> = { "static/logo.txt": "logo" };
    const app = new Hono();
    const getContent = async (path: string) => files[path] ?? null;
    app.get("*", policy({ permissions: [allowAny] }), serveStatic({ root: "static", getContent }));
    app.get("/api/admin", policy({ permissions: [isAdminUser] }), (c) => c.text("secret admin data"));
    expect(await (await app.request("/logo.txt")).text()).toBe("logo");
    const res = await app.request("/api/admin");
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("secret");
  });

  it("an undefined override key keeps the default's value (a conditional spread or an absent config value)", async () => {
    const store = s.store;
    const policy = routePolicies({ schemes: [tokenAuth({ store })], permissions: [isAdminUser], throttles: [userRateThrottle("2/min", { store })] });
    const config: { permissions?: readonly Permission[] } = {};
    const app = new Hono();
    app.get("/api/staff", policy({ permissions: config.permissions, throttles: undefined }), (c) => c.text("staff"));
    app.get("/api/staff2", policy({ ...(config.permissions ? { permissions: config.permissions } : {}) }), (c) => c.text("staff"));
    const alice = token(await s.tokenFor(s.alice));
    expect((await app.request("/api/staff", { headers: alice })).status).toBe(403);
    expect((await app.request("/api/staff2", { headers: alice })).status).toBe(403);
    const admin = token(await s.tokenFor(s.admin));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request("/api/staff", { headers: admin })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("two policy sets in one app never switch each other's policies", async () => {
    const open = routePolicies({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny] });
    const closed = tokenDefaults(s.store);
    const app = new Hono();
    app.get("/public/*", open(), (c) => c.text("public"));
    app.get("/api/open", open({}), (c) => c.text("open"));
    app.get("/api/me", closed(), (c) => c.text("me"));
    app.get("/api/admin", closed({ permissions: [isAdminUser] }), (c) => c.text("admin"));
    expect((await app.request("/public/x")).status).toBe(200);
    expect((await app.request("/api/open")).status).toBe(200);
    expect((await app.request("/api/me")).status).toBe(401);
    expect((await app.request("/api/admin")).status).toBe(401);
  });

  it("HEAD on a GET route runs the GET route's policy", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono();
    app.get("/api/me", policy(), (c) => c.text("alice's data"));
    const anonymous = await app.request("/api/me", { method: "HEAD" });
    expect(anonymous.status).toBe(401);
    const ok = await app.request("/api/me", { method: "HEAD", headers: token(await s.tokenFor(s.alice)) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("");
  });

  it("trailing slashes with strict: false reach the same policy", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono({ strict: false });
    app.get("/api/admin", policy({ permissions: [isAdminUser] }), (c) => c.text("secret"));
    for (const path of ["/api/admin", "/api/admin/"]) expect((await app.request(path)).status, path).toBe(401);
  });
});

describe("routePolicies: sub-apps and middleware around the policy", () => {
  it("sub-apps mounted with app.route keep each route's policy, with or without their own onError", async () => {
    const policy = tokenDefaults(s.store);
    const plain = new Hono();
    plain.get("/open", policy({ permissions: [allowAny] }), (c) => c.text("open"));
    plain.get("/closed", policy(), (c) => c.text("closed"));
    const withOnError = new Hono();
    const seen: number[] = [];
    withOnError.onError((err) => (err instanceof HTTPException ? (seen.push(err.status), err.getResponse()) : new Response("?", { status: 500 })));
    withOnError.get("/open", policy({ permissions: [allowAny] }), (c) => c.text("open"));
    withOnError.get("/closed", policy(), (c) => c.text("closed"));
    const app = new Hono();
    app.route("/api/plain", plain);
    app.route("/api/wrapped", withOnError);
    for (const base of ["/api/plain", "/api/wrapped"]) {
      expect((await app.request(`${base}/open`)).status, base).toBe(200);
      expect((await app.request(`${base}/closed`)).status, base).toBe(401);
    }
    expect(seen).toEqual([401]);
  });

  it("a public route stays public with cors() and other middleware around it; a private one stays closed", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono();
    app.use("/api/*", cors());
    app.use("/api/*", async (c, next) => (await next(), c.header("X-Seen", "1")));
    app.get("/api/public", policy({ permissions: [allowAny] }), cors({ origin: "https://a.example" }), (c) => c.text("public"));
    app.get("/api/private", policy(), cors(), (c) => c.text("private"));
    const pub = await app.request("/api/public", { headers: { Origin: "https://a.example" } });
    expect(pub.status).toBe(200);
    expect(pub.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
    expect(pub.headers.get("X-Seen")).toBe("1");
    const priv = await app.request("/api/private", { headers: { Origin: "https://a.example" } });
    expect(priv.status).toBe(401);
    expect(await priv.text()).not.toContain("private");
  });
});

describe("routePolicies: object-level checks and context-built policies", () => {
  const owner: Permission<User> = {
    hasPermission: () => true,
    hasObjectPermission: ({ user }, article) => (article as { ownerId: string }).ownerId === user?.id,
    message: "Not your article.",
  };

  it("c.var.checkObjectPermissions runs the route's object checks (DRF's check_object_permissions)", async () => {
    const policy = tokenDefaults(s.store);
    const app = new Hono();
    app.get("/api/articles/mine", policy({ permissions: [isAuthenticated, owner] }), async (c) => {
      await c.var.checkObjectPermissions({ ownerId: s.alice.id });
      return c.text("yours");
    });
    expect(await (await app.request("/api/articles/mine", { headers: token(await s.tokenFor(s.alice)) })).text()).toBe("yours");
    const other = await app.request("/api/articles/mine", { headers: token(await s.tokenFor(s.admin)) });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ detail: "Not your article." });
  });

  it("an object check that fails answers 503 and reaches the policy's onEvent once (no console.error)", async () => {
    const failing: Permission<User> = { hasPermission: () => true, hasObjectPermission: () => Promise.reject(new StoreError("rows down")) };
    const events: AuthEvent[] = [];
    const app = new Hono();
    let handled = false;
    app.get("/api/articles/1", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [isAuthenticated, failing], onEvent: (e) => void events.push(e) }), async (c) => {
      await c.var.checkObjectPermissions({ ownerId: s.alice.id });
      handled = true;
      return c.text("yours");
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await app.request("/api/articles/1", { headers: token(await s.tokenFor(s.alice)) });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: "Authentication service unavailable." });
      expect(handled).toBe(false);
      expect(events.map((e) => e.type)).toEqual(["store.failed"]);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it.each([
    ["one shared error object", new StoreError("pool never connected")],
    ["a string", "boom"],
  ])("a store rejecting every request with %s: 503 each time, one store.failed per request, no console.error", async (_name, reason) => {
    const rejecting = { ...s.store, findToken: () => Promise.reject(reason) };
    const events: AuthEvent[] = [];
    const app = new Hono();
    app.get("/api/me", auth({ schemes: [tokenAuth({ store: rejecting })], onEvent: (e) => void events.push(e) }), (c) => c.text("handled"));
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const headers = token(await s.tokenFor(s.alice));
      const concurrent = await Promise.all([1, 2, 3].map(() => app.request("/api/me", { headers })));
      const later = await app.request("/api/me", { headers });
      for (const response of [...concurrent, later]) {
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ detail: "Authentication service unavailable." });
      }
      expect(events).toEqual(Array.from({ length: 4 }, () => ({ type: "store.failed", error: reason })));
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it("defaults and overrides may be functions of the context, built once per env", async () => {
    const built: unknown[] = [];
    const policy = routePolicies((c) => (built.push(c.env), { schemes: [tokenAuth({ store: (c.env as { STORE: Store }).STORE })] }));
    const app = new Hono<{ Bindings: { STORE: Store; OPEN: boolean } }>();
    app.get("/maybe", policy((c) => ({ permissions: c.env.OPEN ? [allowAny] : undefined })), (c) => c.text("ok"));
    const open = { STORE: s.store, OPEN: true };
    const closed = { STORE: s.store, OPEN: false };
    expect((await app.request("/maybe", {}, open)).status).toBe(200);
    expect((await app.request("/maybe", {}, open)).status).toBe(200);
    expect((await app.request("/maybe", {}, closed)).status).toBe(401);
    expect(built).toEqual([open, closed]);
  });

  it("refuses a misspelt override key and bad defaults when the route is registered", () => {
    const policy = tokenDefaults(s.store);
    expect(() => policy({ permisions: [allowAny] } as never)).toThrow(/permisions: is not a policy key/);
    expect(() => routePolicies({ schemes: "token" } as never)).toThrow(/schemes: must be an array/);
  });
});
