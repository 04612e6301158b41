import { requirePolicies, routePolicies, unprotectedRoutes } from "@portcullis/adapters/hono";
import type { Store } from "@portcullis/core";
import { allowAny, isAuthenticated, tokenAuth } from "@portcullis/core";
import { Hono } from "hono";
import { serveStatic } from "hono/serve-static";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});
afterEach(() => vi.restoreAllMocks());

const policies = (store: Store) => routePolicies({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });
const files: Record<string, string> = { "docs/index.txt": "public docs" };
const getContent = async (path: string) => files[path] ?? null;

describe("a registration is a registration: a policy never covers another call's handler of the same path", () => {
  it("a public serveStatic that falls through (next()) does not open a later, policy-less registration", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let internalRan = 0;
    app.get("/api/docs/*", policy({ permissions: [allowAny] }), serveStatic({ root: "docs", rewriteRequestPath: (p) => p.replace("/api/docs", ""), getContent }));
    app.get("/api/docs/*", (c) => (internalRan++, c.text("internal report")));
    expect(unprotectedRoutes(app, "/api")).toEqual([{ method: "GET", path: "/api/docs/*" }]);
    for (const path of ["/api/docs/index.txt", "/api/docs/missing.txt"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(500);
      expect(await res.text(), path).not.toContain("internal");
    }
    expect(internalRan).toBe(0);
    expect(errors).toHaveBeenCalledTimes(1); // reported once, with the route list
    expect(String(errors.mock.calls[0]?.[0])).toContain("GET /api/docs/*");
  });

  it("the same on an app checked afterwards (untracked): a policy covers only the one handler after it", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    app.get("/api/docs/*", policy({ permissions: [allowAny] }), serveStatic({ root: "docs", getContent }));
    app.get("/api/docs/*", (c) => c.text("internal report"));
    expect(unprotectedRoutes(app, "/api")).toEqual([{ method: "GET", path: "/api/docs/*" }]);
    expect(() => requirePolicies(app, "/api")).toThrow(/GET \/api\/docs\/\*/);
  });

  it("a public route that calls next() does not open a sub-app route of the same path", async () => {
    const policy = policies(s.store);
    const sub = new Hono();
    let ran = 0;
    sub.get("/report", (c) => (ran++, c.text("internal report")));
    const app = new Hono();
    requirePolicies(app, "/api");
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    app.get("/api/report", policy({ permissions: [allowAny] }), async (_c, next) => next());
    app.route("/api", sub);
    expect(unprotectedRoutes(app, "/api")).toEqual([{ method: "GET", path: "/api/report" }]);
    expect((await app.request("/api/report")).status).toBe(500);
    expect(ran).toBe(0);
    // A sub-app with a policy on its own route is fine.
    const fixedSub = new Hono();
    fixedSub.get("/report", policy(), (c) => c.text("internal report"));
    const fixed = new Hono();
    requirePolicies(fixed, "/api");
    fixed.get("/api/report", policy({ permissions: [allowAny] }), async (_c, next) => next());
    fixed.route("/api", fixedSub);
    expect(unprotectedRoutes(fixed, "/api")).toEqual([]);
    expect((await fixed.request("/api/report")).status).toBe(401);
    const ok = await fixed.request("/api/report", { headers: token(await s.tokenFor(s.alice)) });
    expect(await ok.text()).toBe("internal report");
  });

  it("a chained second registration without a path, and on() with several paths, are registrations too", () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    app.get("/api/a", policy(), async (_c, next) => next()).get((c) => c.text("second"));
    app.on(["GET", "POST"], ["/api/b", "/api/c"], policy(), (c) => c.text("on"));
    app.on("GET", "/api/c", (c) => c.text("late"));
    // A policies-only registration covers the next registration of the path (the mount pattern), not the one after.
    app.all("/api/d/*", policy({ permissions: [allowAny] }));
    app.all("/api/d/*", serveStatic({ root: "docs", getContent }));
    app.all("/api/d/*", (c) => c.text("internal"));
    expect(unprotectedRoutes(app, "/api")).toEqual([
      { method: "GET", path: "/api/a" },
      { method: "GET", path: "/api/c" },
      { method: "ALL", path: "/api/d/*" },
    ]);
  });

  it("registrations through a basePath() view of a tracked app are checked strictly (the view is untracked)", () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    const api = app.basePath("/api");
    api.get("/docs/*", policy({ permissions: [allowAny] }), serveStatic({ root: "docs", getContent }));
    api.get("/docs/*", (c) => c.text("internal report"));
    api.get("/ok", policy(), (c) => c.text("ok"));
    expect(unprotectedRoutes(app, "/api")).toEqual([{ method: "GET", path: "/api/docs/*" }]);
  });

  it("keeps one registration's middleware chain covered on a tracked app (policy, validator, handler)", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    app.post("/api/items", policy(), async (_c, next) => next(), (c) => c.text("created"));
    expect(unprotectedRoutes(app, "/api")).toEqual([]);
    expect((await app.request("/api/items", { method: "POST" })).status).toBe(401);
    const ok = await app.request("/api/items", { method: "POST", headers: token(await s.tokenFor(s.alice)) });
    expect(await ok.text()).toBe("created");
  });
});

describe("function policies see only { env }: one request never decides the policy of the next", () => {
  it("an override reading c.req is a type error and fails closed at run time, on every method", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    app.all(
      "/api/notes",
      // @ts-expect-error -- c.req is not available to a function override
      policy((c) => ({ permissions: c.req.method === "GET" ? [allowAny] : [isAuthenticated] })),
      (c) => c.text(`done ${c.req.method}`),
    );
    expect((await app.request("/api/notes")).status).toBe(500);
    const del = await app.request("/api/notes", { method: "DELETE" });
    expect(del.status).toBe(500);
    expect(await del.text()).not.toContain("done");
  });

  it("defaults reading a request header fail closed too; reading c.env still works", async () => {
    // @ts-expect-error -- c.req is not available to function defaults
    const fromHeader = routePolicies((c) => ({ schemes: [tokenAuth({ store: s.store })], permissions: c.req.header("x-open") ? [allowAny] : [isAuthenticated] }));
    const app = new Hono();
    app.get("/api/x", fromHeader(), (c) => c.text("secret"));
    expect((await app.request("/api/x", { headers: { "x-open": "1" } })).status).toBe(500);
    expect((await app.request("/api/x")).status).toBe(500);
    const fromEnv = routePolicies((c) => ({ schemes: [tokenAuth({ store: (c.env as { STORE: Store }).STORE })], permissions: [isAuthenticated] }));
    const envApp = new Hono<{ Bindings: { STORE: Store } }>();
    envApp.get("/api/x", fromEnv(), (c) => c.text("secret"));
    expect((await envApp.request("/api/x", {}, { STORE: s.store })).status).toBe(401);
    const ok = await envApp.request("/api/x", { headers: token(await s.tokenFor(s.alice)) }, { STORE: s.store });
    expect(await ok.text()).toBe("secret");
  });
});
