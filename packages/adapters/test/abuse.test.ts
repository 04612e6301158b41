/**
 * Abuse resistance through the adapters (Node): what caches are told, and how clients are identified when the
 * runtime knows no address, or an IPv6 one. (Workers and Deno repeat the cache checks in their own runtimes.)
 */
import { withAuth } from "@portcullis/adapters/fetch";
import { mountTokenEndpoints, routePolicies } from "@portcullis/adapters/hono";
import { allowAny, anonRateThrottle, basicAuth, obtainTokenHandler, tokenAuth } from "@portcullis/core";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { ALICE_PASSWORD, basic, seed, token } from "./_fixtures.js";

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

const login = (username: string, password: string): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ username, password }),
});

function expectNoStore(response: Response): void {
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

function honoApp() {
  const policy = routePolicies({ schemes: [tokenAuth({ store: s.store }), basicAuth({ users: s.store })] });
  const app = new Hono();
  mountTokenEndpoints(app, { store: s.store });
  app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));
  return app;
}

describe("cache headers on every response the library builds", () => {
  it("Hono: the token response, its errors, the logout 204 and a guard's 401", async () => {
    const app = honoApp();
    const obtained = await app.request("/api-token-auth/", login("alice", ALICE_PASSWORD));
    expect(obtained.status).toBe(200);
    expectNoStore(obtained);
    const { token: key } = (await obtained.json()) as { token: string };
    for (const res of [
      await app.request("/api-token-auth/", login("alice", "wrong")),
      await app.request("/api-token-auth/"),
      await app.request("/api-token-auth/", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" }),
      await app.request("/api/me"),
      await app.request("/api/me", { headers: token("0".repeat(40)) }),
      await app.request("/api/logout/", { method: "POST", headers: token(key) }),
    ]) {
      expect([400, 401, 405, 415, 204]).toContain(res.status);
      expectNoStore(res);
    }
  });

  it("fetch adapter: 401, 429 and core's token handler", async () => {
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    const fetch = withAuth(policy, () => Response.json({ ok: true }), { clientIp: () => "192.0.2.1" });
    expectNoStore(await fetch(new Request("http://local/", { headers: token("0".repeat(40)) })));
    await fetch(new Request("http://local/"));
    const throttled = await fetch(new Request("http://local/"));
    expect(throttled.status).toBe(429);
    expectNoStore(throttled);
    const obtain = obtainTokenHandler({ store: s.store });
    expectNoStore(await obtain(new Request("http://local/", login("alice", ALICE_PASSWORD))));
  });
});

describe("client identity through the adapters", () => {
  it("Hono without a runtime address: 25 failed logins for unknown users lock nobody out", async () => {
    const app = honoApp();
    for (let i = 0; i < 25; i++) expect((await app.request("/api-token-auth/", login(`ghost-${i}`, "x"))).status).toBe(400);
    expect((await app.request("/api-token-auth/", login("alice", ALICE_PASSWORD))).status).toBe(200);
    expect((await app.request("/api/me", { headers: basic("alice", ALICE_PASSWORD) })).status).toBe(200);
  });

  it("fetch adapter without clientIp: Basic auth is not locked out globally", async () => {
    const fetch = withAuth({ schemes: [basicAuth({ users: s.store })] }, () => Response.json({ ok: true }));
    for (let i = 0; i < 25; i++) {
      const headers = basic(`ghost-${i}`, "x");
      expect((await fetch(new Request("http://local/", { headers }))).status).toBe(401);
    }
    expect((await fetch(new Request("http://local/", { headers: basic("alice", ALICE_PASSWORD) }))).status).toBe(200);
  });

  it("fetch adapter: clients rotating addresses within one IPv6 /64 share the anonymous limit", async () => {
    let address = "";
    const policy = { schemes: [], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    const fetch = withAuth(policy, () => Response.json({ ok: true }), { clientIp: () => address });
    const from = async (ip: string) => ((address = ip), (await fetch(new Request("http://local/"))).status);
    expect(await from("2001:db8:1234:5678::1")).toBe(200);
    expect(await from("2001:db8:1234:5678::2")).toBe(429);
    expect(await from("::ffff:192.0.2.9")).toBe(200);
    expect(await from("192.0.2.9")).toBe(429);
  });
});
