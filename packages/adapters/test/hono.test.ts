import { auth } from "@portcullis/adapters/hono";
import type { Store, TokenRecord, User } from "@portcullis/core";
import {
  StoreError,
  allowAny,
  anonRateThrottle,
  basicAuth,
  isAdminUser,
  tokenAuth,
  userRateThrottle,
} from "@portcullis/core";
import { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { ALICE_PASSWORD, basic, seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

describe("auth() types", () => {
  it("types c.var.user and c.var.auth from the policy's schemes, with no casts", async () => {
    const app = new Hono();
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })] }), (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<User>();
      expectTypeOf(c.var.auth).toEqualTypeOf<TokenRecord>();
      expectTypeOf(c.var.authScheme).toEqualTypeOf<string>();
      return c.json({ username: c.var.user.username, tokenId: c.var.auth.id, scheme: c.var.authScheme });
    });
    const res = await app.request("/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: "alice", scheme: "token" });
  });

  it("adds `| null` only where the permissions let anonymous requests through", async () => {
    const app = new Hono();
    app.get("/open", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny] }), (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<User | null>();
      expectTypeOf(c.var.authScheme).toEqualTypeOf<string | null>();
      return c.json({ username: c.var.user?.username ?? null, scheme: c.var.authScheme });
    });
    expect(await (await app.request("/open")).json()).toEqual({ username: null, scheme: null });
  });

  it("types c.var.user as the custom user that basicAuth({ verify }) returns", async () => {
    interface Member {
      readonly memberId: number;
      readonly email: string;
      readonly isActive: boolean;
    }
    const verify = async (username: string, password: string): Promise<Member | null> =>
      username === "carol" && password === "s3cret" ? { memberId: 7, email: "carol@example.com", isActive: true } : null;
    const app = new Hono();
    app.get("/member", auth({ schemes: [basicAuth({ verify })] }), (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<Member>();
      expectTypeOf(c.var.auth).toEqualTypeOf<null>();
      // @ts-expect-error a Member has no `username`: the type is the verifier's own, not core's User
      void c.var.user.username;
      return c.json({ memberId: c.var.user.memberId, email: c.var.user.email });
    });
    const ok = await app.request("/member", { headers: basic("carol", "s3cret") });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ memberId: 7, email: "carol@example.com" });
    const bad = await app.request("/member", { headers: basic("carol", "wrong") });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ detail: "Invalid username/password." });
  });
});

describe("auth() denials", () => {
  function protectedApp(store: Store = s.store) {
    const app = new Hono();
    let handled = 0;
    app.get("/me", auth({ schemes: [tokenAuth({ store }), basicAuth({ users: store })] }), (c) => {
      handled++;
      return c.json({ username: c.var.user.username });
    });
    app.get("/admin", auth({ schemes: [tokenAuth({ store })], permissions: [isAdminUser] }), (c) => c.json({ ok: true }));
    return { app, handled: () => handled };
  }

  it("answers 401 with the first scheme's challenge without credentials", async () => {
    const { app, handled } = protectedApp();
    const res = await app.request("/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Token");
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect(handled()).toBe(0);
  });

  it("authenticates with a token or with Basic", async () => {
    const { app } = protectedApp();
    expect((await app.request("/me", { headers: token(await s.tokenFor(s.alice)) })).status).toBe(200);
    const res = await app.request("/me", { headers: basic("alice", ALICE_PASSWORD) });
    expect(await res.json()).toEqual({ username: "alice" });
  });

  it("answers 403 to an authenticated non-staff user on an isAdminUser route, 200 to staff", async () => {
    const { app } = protectedApp();
    const denied = await app.request("/admin", { headers: token(await s.tokenFor(s.alice)) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("WWW-Authenticate")).toBeNull();
    expect(await denied.json()).toEqual({ detail: "You do not have permission to perform this action." });
    expect((await app.request("/admin", { headers: token(await s.tokenFor(s.admin)) })).status).toBe(200);
  });

  it("answers 429 with Retry-After once a throttle is exhausted", async () => {
    const app = new Hono();
    const throttles = [userRateThrottle({ limit: 2, windowMs: 60_000 }, { store: s.store })];
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })], throttles }), (c) => c.text("ok"));
    const headers = token(await s.tokenFor(s.alice));
    expect((await app.request("/me", { headers })).status).toBe(200);
    expect((await app.request("/me", { headers })).status).toBe(200);
    const res = await app.request("/me", { headers });
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("60");
    expect(await res.json()).toEqual({ detail: "Request was throttled. Expected available in 60 seconds." });
  });

  // What Deno.serve, Bun.serve and @hono/node-server pass to `app.fetch` as its env.
  const runtimes: [string, (ip: string) => object][] = [
    ["Deno (info.remoteAddr)", (ip) => ({ remoteAddr: { transport: "tcp", hostname: ip } })],
    ["Bun (server.requestIP)", (ip) => ({ requestIP: () => ({ address: ip, family: "IPv4", port: 1 }) })],
    ["Node (incoming.socket)", (ip) => ({ incoming: { socket: { remoteAddress: ip } } })],
  ];
  it.each(runtimes)("counts anonymous requests by the runtime's client address: %s, never X-Forwarded-For", async (_, from) => {
    const app = new Hono();
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    app.get("/open", auth(policy), (c) => c.text("ok"));
    let n = 0;
    const spoofed = () => ({ headers: { "X-Forwarded-For": `198.51.100.${++n}` } });
    expect((await app.request("/open", spoofed(), from("192.0.2.1"))).status).toBe(200);
    expect((await app.request("/open", spoofed(), from("192.0.2.1"))).status).toBe(429);
    expect((await app.request("/open", spoofed(), from("192.0.2.2"))).status).toBe(200);
  });
});

describe("auth() fails closed", () => {
  const down = () => Promise.reject(new StoreError("backend unreachable", { cause: new Error("ECONNRESET") }));
  const store = { findToken: down, deleteToken: down, getUserByUsername: down, setPasswordHash: down, hit: down, releaseHit: down };

  it("answers 503 when the store throws StoreError, never 401 or 200", async () => {
    const app = new Hono();
    let handled = 0;
    const throttles = [anonRateThrottle("9/min", { store })];
    app.get("/me", auth({ schemes: [tokenAuth({ store })] }), (c) => (handled++, c.text("ok")));
    app.get("/basic", auth({ schemes: [basicAuth({ users: store })] }), (c) => (handled++, c.text("ok")));
    // A known client address, so that the anonymous throttle has someone to count (and must reach the store).
    const clientIp = () => "192.0.2.1";
    app.get("/open", auth({ schemes: [], permissions: [allowAny], throttles }, { clientIp }), (c) => (handled++, c.text("ok")));
    const cases: [string, Record<string, string>][] = [
      ["/me", token("0123456789abcdef0123456789abcdef01234567")],
      ["/basic", basic("alice", ALICE_PASSWORD)],
      ["/open", {}],
    ];
    for (const [path, headers] of cases) {
      const res = await app.request(path, { headers });
      expect(res.status, path).toBe(503);
      expect(await res.json(), path).toEqual({ detail: "Authentication service unavailable." });
    }
    expect(handled).toBe(0);
  });
});

describe("denials are HTTPExceptions", () => {
  it("reach app.onError, whose err.getResponse() is core's DRF response", async () => {
    const seen: number[] = [];
    const app = new Hono();
    app.onError((err, c) => {
      if (err instanceof HTTPException) {
        seen.push(err.status);
        return err.getResponse();
      }
      return c.text("unexpected", 500);
    });
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })] }), (c) => c.text("ok"));
    app.get("/admin", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [isAdminUser] }), (c) => c.text("ok"));
    const res = await app.request("/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Token");
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect((await app.request("/admin", { headers: token(await s.tokenFor(s.alice)) })).status).toBe(403);
    expect(seen).toEqual([401, 403]);
  });

  it("can be reshaped by app.onError while keeping the status and headers", async () => {
    const app = new Hono();
    app.onError((err, c) => {
      if (!(err instanceof HTTPException)) throw err;
      const original = err.getResponse();
      return c.json({ error: { status: err.status } }, original.status as 401, { "WWW-Authenticate": original.headers.get("WWW-Authenticate") ?? "" });
    });
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store, keyword: "Bearer" })] }), (c) => c.text("ok"));
    const res = await app.request("/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual({ error: { status: 401 } });
  });
});

/**
 * The policy middleware answers through `then` callbacks rather than as an async function: every way it can fail
 * is still a rejection Hono turns into the same response, and what it resolves to never becomes the response.
 */
describe("auth() middleware: failures before the guard, and what it resolves to", () => {
  it("called directly on an in-process store: a denial is a rejected promise (never a throw), an allowance runs next() once", async () => {
    const middleware = auth({ schemes: [tokenAuth({ store: s.store })] });
    const calls: string[] = [];
    const next = async () => void calls.push("next");
    for (const authorization of [undefined, "Token nope", "Token a b"]) {
      const c = new Context(new Request("http://api.test/me", authorization ? { headers: { Authorization: authorization } } : {}));
      let answer: unknown;
      expect(() => (answer = middleware(c, next))).not.toThrow();
      const error = await (answer as Promise<unknown>).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(HTTPException);
      expect((error as HTTPException).getResponse().status).toBe(401);
      expect(c.var.user).toBeUndefined();
    }
    expect(calls).toEqual([]);
    const c = new Context(new Request("http://api.test/me", { headers: token(await s.tokenFor(s.alice)) }));
    await middleware(c, next);
    expect(calls).toEqual(["next"]);
    expect(c.var.user).toMatchObject({ username: "alice" });
    expect(c.var.authScheme).toBe("token");
  });

  it("a clientIp function that throws: 503 (fail closed), reported once, the handler never runs", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let ran = false;
    const app = new Hono();
    const clientIp = () => {
      throw new Error("no socket");
    };
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })] }, { clientIp }), (c) => ((ran = true), c.text("ran")));
    const res = await app.request("/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ detail: "Authentication service unavailable." });
    expect(ran).toBe(false);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });

  it("a context-built policy that throws is the application's error (Hono's onError), never a pass", async () => {
    let ran = false;
    const app = new Hono();
    app.onError((error, c) => c.text(`onError: ${error.message}`, 500));
    const policy = () => {
      throw new Error("bad policy");
    };
    app.get("/me", auth(policy), (c) => ((ran = true), c.text("ran")));
    const res = await app.request("/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("onError: bad policy");
    expect(ran).toBe(false);
  });

  it("resolves to nothing: a later handler that only calls next() ends in Hono's 404, not in a context as response", async () => {
    const app = new Hono();
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })] }), async (_c, next) => {
      await next();
    });
    const res = await app.request("/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("404 Not Found");
  });

  it("an error thrown after next() by a later handler reaches onError once, with the variables already set", async () => {
    const app = new Hono();
    const seen: string[] = [];
    app.onError((error, c) => c.text(`onError: ${error.message}`, 500));
    app.get("/me", auth({ schemes: [tokenAuth({ store: s.store })] }), (c) => {
      seen.push(c.var.user.username);
      throw new Error("handler failed");
    });
    const res = await app.request("/me", { headers: token(await s.tokenFor(s.alice)) });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("onError: handler failed");
    expect(seen).toEqual(["alice"]);
  });
});
