/**
 * `@portcullis/adapters/fetch` with real `Request`s, in Node: the host arguments, their types, and the context.
 * (`test/bun/fetch.bun.ts` runs the same adapter on a real `Bun.serve`.)
 */
import { withAuth } from "@portcullis/adapters/fetch";
import type { Permission, TokenRecord, User } from "@portcullis/core";
import { StoreError, allowAny, anonRateThrottle, isAuthenticated, issueToken, listTokens, tokenAuth } from "@portcullis/core";
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import type { Seeded } from "./_fixtures.js";
import { seed, token } from "./_fixtures.js";

/** The shape of Bun's `Server` that the adapter's users read. */
interface HostServer {
  requestIP(request: Request): { address: string } | null;
}
const host = (address: string): HostServer => ({ requestIP: () => ({ address }) });

let s: Seeded;
beforeEach(async () => {
  s = await seed();
});

describe("withAuth (fetch)", () => {
  it("takes the host's arguments from clientIp even when the handler reads none (Bun.serve's fetch)", async () => {
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    const fetch = withAuth(policy, (_request, { user }) => Response.json({ user: user?.username ?? null }), {
      clientIp: (request, server: HostServer) => server.requestIP(request)?.address,
    });
    expectTypeOf(fetch).toEqualTypeOf<(request: Request, server: HostServer) => Promise<Response>>();
    expect((await fetch(new Request("http://local/"), host("192.0.2.1"))).status).toBe(200);
    expect((await fetch(new Request("http://local/"), host("192.0.2.1"))).status).toBe(429);
    expect((await fetch(new Request("http://local/"), host("192.0.2.2"))).status).toBe(200);
  });

  it("forwards the host's arguments to the handler after the decision, typed from the policy", async () => {
    let seen: HostServer | undefined;
    const server = host("192.0.2.3");
    const fetch = withAuth({ schemes: [tokenAuth({ store: s.store })] }, (_request, decision, hostServer: HostServer) => {
      expectTypeOf(decision.user).toEqualTypeOf<User>();
      expectTypeOf(decision.auth).toEqualTypeOf<TokenRecord>();
      seen = hostServer;
      return Response.json({ username: decision.user.username, scheme: decision.scheme });
    });
    const res = await fetch(new Request("http://local/", { headers: token(await s.tokenFor(s.alice)) }), server);
    expect(await res.json()).toEqual({ username: "alice", scheme: "token" });
    expect(seen).toBe(server);

    const both = withAuth({ schemes: [] }, (_request, _decision, _server: HostServer) => new Response("ok"), {
      clientIp: (request, hostServer: HostServer) => hostServer.requestIP(request)?.address,
    });
    expectTypeOf(both).toEqualTypeOf<(request: Request, server: HostServer) => Promise<Response>>();
  });

  it("answers core's 401 without running the handler, and shares one `unknown` identity without clientIp", async () => {
    let handled = 0;
    const closed = withAuth({ schemes: [tokenAuth({ store: s.store })] }, () => (handled++, new Response("ok")));
    const res = await closed(new Request("http://local/"));
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Token");
    expect(handled).toBe(0);

    const throttles = [anonRateThrottle("1/min", { store: s.store })];
    const open = withAuth({ schemes: [], permissions: [allowAny], throttles }, () => new Response("ok"));
    const spoofed = (ip: string) => new Request("http://local/", { headers: { "X-Forwarded-For": ip } });
    expect((await open(spoofed("198.51.100.1"))).status).toBe(200);
    expect((await open(spoofed("198.51.100.2"))).status).toBe(429);
  });

  it("passes waitUntil to core, which removes an expired token with it", async () => {
    const pending: Promise<unknown>[] = [];
    const fetch = withAuth({ schemes: [tokenAuth({ store: s.store })] }, () => new Response("ok"), {
      waitUntil: (promise) => pending.push(promise),
    });
    const { key } = await issueToken(s.store, s.alice.id, { ttlMs: 1000, now: Date.now() - 60_000 });
    const res = await fetch(new Request("http://local/", { headers: token(key) }));
    expect(await res.json()).toEqual({ detail: "Invalid token." });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(await listTokens(s.store, s.alice.id)).toEqual([]);
  });
});

describe("object-level checks from the fetch-style adapters", () => {
  const owner: Permission<User> = {
    hasPermission: () => true,
    hasObjectPermission: ({ user }, article) => (article as { ownerId: string }).ownerId === user?.id,
    message: "Not your article.",
  };
  const failing: Permission<User> = {
    hasPermission: () => true,
    hasObjectPermission: () => Promise.reject(new StoreError("down")),
  };

  it("decision.checkObjectPermissions answers null when allowed, else core's response (503 when a check throws)", async () => {
    const article = { ownerId: s.alice.id };
    const handler = async (_request: Request, decision: { checkObjectPermissions: (o: unknown) => Promise<Response | null> }) =>
      (await decision.checkObjectPermissions(article)) ?? new Response("yours");
    const fetch = withAuth({ schemes: [tokenAuth({ store: s.store })], permissions: [isAuthenticated, owner] }, handler);
    const asAlice = new Request("http://local/", { headers: token(await s.tokenFor(s.alice)) });
    expect(await (await fetch(asAlice)).text()).toBe("yours");
    const denied = await fetch(new Request("http://local/", { headers: token(await s.tokenFor(s.admin)) }));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ detail: "Not your article." });
    const broken = withAuth({ schemes: [tokenAuth({ store: s.store })], permissions: [failing] }, handler);
    expect((await broken(new Request("http://local/", { headers: token(await s.tokenFor(s.alice)) }))).status).toBe(503);
  });
});
