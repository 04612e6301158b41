import { exempt, mountTokenEndpoints, requirePolicies, routePolicies, unprotectedRoutes } from "@portcullis/adapters/hono";
import type { Store } from "@portcullis/core";
import { ConfigError, allowAny, isAuthenticated, tokenAuth } from "@portcullis/core";
import { Hono } from "hono";
import { every, except, some } from "hono/combine";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { mount } from "hono/mount";
import { beforeEach, describe, expect, it } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

const policies = (store: Store) => routePolicies({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });
const legacyApp = (request: Request) => new Response(`legacy ${new URL(request.url).pathname}`);

describe("unprotectedRoutes: the startup and test check", () => {
  it("lists every route under the prefix registered without a policy, and nothing else", () => {
    const policy = policies(s.store);
    const app = new Hono();
    app.get("/", (c) => c.text("home")); // outside the prefix
    app.get("/apidocs", (c) => c.text("docs")); // a sibling, not under /api
    app.get("/api/me", policy(), (c) => c.text("me"));
    app.get("/api/forgotten", (c) => c.text("oops"));
    app.post("/api/me", (c) => c.text("a second registration needs its own policy"));
    app.get("/api/chained", policy(), (c) => c.text("get")).put((c) => c.text("put, chained without a policy"));
    app.get("*", (c) => c.text("catch-all")); // can match /api/... too
    app.get("/:section/:id", (c) => c.text("params")); // can match /api/... too
    expect(unprotectedRoutes(app, "/api")).toEqual([
      { method: "GET", path: "/api/forgotten" },
      { method: "POST", path: "/api/me" },
      { method: "PUT", path: "/api/chained" },
      { method: "GET", path: "/*" },
      { method: "GET", path: "/:section/:id" },
    ]);
    expect(unprotectedRoutes(app, ["/nothing-here"])).toEqual([
      { method: "GET", path: "/*" },
      { method: "GET", path: "/:section/:id" },
    ]);
  });

  it("sees sub-apps (app.route, with and without onError), basePath apps, mounts, and strict: false paths", () => {
    const policy = policies(s.store);
    const sub = new Hono();
    sub.get("/ok", policy(), (c) => c.text("ok"));
    sub.get("/bad", (c) => c.text("bad"));
    const wrapped = new Hono();
    wrapped.onError((err) => (err instanceof HTTPException ? err.getResponse() : new Response(null, { status: 500 })));
    wrapped.get("/ok", policy(), (c) => c.text("ok"));
    const app = new Hono({ strict: false });
    app.route("/api/sub", sub);
    app.route("/api/wrapped", wrapped);
    app.get("/api/slash/", (c) => c.text("slash"));
    app.mount("/api/legacy", legacyApp);
    app.use("/api/covered/*", policy());
    app.mount("/api/covered", legacyApp);
    app.all("/api/new-mount/*", policy(), mount(legacyApp));
    const api = new Hono().basePath("/api");
    api.get("/base", (c) => c.text("base"));
    expect(unprotectedRoutes(app, "/api/")).toEqual([
      { method: "GET", path: "/api/sub/bad" },
      { method: "GET", path: "/api/slash/" },
      { method: "ALL", path: "/api/legacy/*" },
    ]);
    expect(unprotectedRoutes(api, "/api/*")).toEqual([{ method: "GET", path: "/api/base" }]);
  });

  it("does not count a policy hidden inside every/some/except, nor unmarked middleware; exempt() skips middleware", () => {
    const policy = policies(s.store);
    const app = new Hono();
    app.use("/api/*", cors());
    app.use("/api/*", exempt(cors()));
    app.get("/api/every", every(policy(), async (_c, next) => next()), (c) => c.text("every"));
    app.get("/api/some", some(policy(), () => true), (c) => c.text("some"));
    app.get("/api/except", except("/api/except", policy()), (c) => c.text("except"));
    expect(unprotectedRoutes(app, "/api").map((r) => r.path)).toEqual(["/api/*", "/api/every", "/api/some", "/api/except"]);
  });

  it("refuses prefixes that are not literal paths", () => {
    const app = new Hono();
    expect(() => unprotectedRoutes(app, "api")).toThrow(TypeError);
    expect(() => unprotectedRoutes(app, "/:tenant")).toThrow(TypeError);
  });
});

describe("requirePolicies: a forgotten policy is never served", () => {
  it("throws ConfigError naming the routes when they are already registered", () => {
    const app = new Hono();
    app.get("/api/me", policies(s.store)(), (c) => c.text("me"));
    app.get("/api/forgotten", (c) => c.text("oops"));
    expect(() => requirePolicies(app, "/api")).toThrow(ConfigError);
    expect(() => requirePolicies(app, "/api")).toThrow(/GET \/api\/forgotten/);
  });

  it("called first, answers 500 to every request while a later route lacks a policy, and never runs it", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    app.get("/api/public", policy({ permissions: [allowAny] }), (c) => c.text("public"));
    expect((await app.request("/api/public")).status).toBe(200);

    const late = new Hono();
    requirePolicies(late, "/api");
    let ran = 0;
    late.get("/api/public", policy({ permissions: [allowAny] }), (c) => c.text("public"));
    late.get("/api/:slug", (c) => (ran++, c.text("forgotten")));
    for (const path of ["/api/admin", "/api/public", "/elsewhere"]) {
      const res = await late.request(path);
      expect(res.status, path).toBe(500);
      expect(await res.json(), path).toEqual({ detail: "Server misconfigured." });
    }
    expect(ran).toBe(0);
  });

  it("a policy inside some(...) is refused, so the combinator cannot let an anonymous request through", async () => {
    const app = new Hono();
    requirePolicies(app, "/api");
    let ran = 0;
    app.get("/api/some", some(policies(s.store)(), () => true), (c) => (ran++, c.text("reached")));
    expect((await app.request("/api/some")).status).toBe(500);
    expect(ran).toBe(0);
  });

  it("lets exempt middleware, mounts behind a policy and the token endpoints through", async () => {
    const policy = policies(s.store);
    const app = new Hono();
    requirePolicies(app, "/api");
    app.use("/api/*", exempt(cors()));
    app.use("/api/legacy/*", policy());
    app.mount("/api/legacy", legacyApp);
    app.get("/api/every", every(policy(), async (_c, next) => next()), (c) => c.text("every")); // runs, but not counted
    expect((await app.request("/api/legacy/x")).status).toBe(500);
    const fixed = new Hono();
    requirePolicies(fixed, "/api");
    fixed.use("/api/*", exempt(cors()));
    fixed.use("/api/legacy/*", policy());
    fixed.mount("/api/legacy", legacyApp);
    mountTokenEndpoints(fixed, { store: s.store });
    expect((await fixed.request("/api/logout/", { method: "POST" })).status).toBe(401);
    expect((await fixed.request("/api/legacy/x")).status).toBe(401);
    const ok = await fixed.request("/api/legacy/x", { headers: token(await s.tokenFor(s.alice)) });
    expect(await ok.text()).toBe("legacy /x");
  });
});
