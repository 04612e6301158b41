/**
 * `@portcullis/adapters/fetch` in the Bun runtime, behind a real `Bun.serve`, driven with fetch.
 * Run by `runtimes.test.ts` (`bun test ./fetch.bun.ts`); vitest does not pick this file up.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { withAuth } from "@portcullis/adapters/fetch";
import type { Store } from "@portcullis/core";
import { StoreError, anonRateThrottle, basicAuth, hashPassword, isAuthenticatedOrReadOnly, issueToken, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";

const store = memoryStore();
const alice = await store.createUser({ username: "alice", passwordHash: await hashPassword("alice-pw", { iterations: 1000 }) });
const clientIp = (request: Request, server: Server) => server.requestIP(request)?.address;

function serve(storeOf: Pick<Store, "findToken" | "deleteToken" | "getUserByUsername" | "setPasswordHash" | "hit" | "releaseHit">) {
  const policy = {
    schemes: [tokenAuth({ store: storeOf }), basicAuth({ users: storeOf })],
    permissions: [isAuthenticatedOrReadOnly],
    throttles: [anonRateThrottle("2/min", { store: storeOf })],
  };
  const fetch = withAuth(policy, (request, { user, scheme }) => Response.json({ method: request.method, username: user?.username ?? null, scheme }), { clientIp });
  return { fetch, server: Bun.serve({ port: 0, hostname: "127.0.0.1", fetch }) };
}

const { fetch: handler, server } = serve(store);
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

describe("withAuth (fetch adapter) on Bun.serve", () => {
  test("the workspace packages resolve to their built dist", () => {
    expect(import.meta.resolve("@portcullis/adapters/fetch")).toMatch(/\/packages\/adapters\/dist\/fetch\.js$/);
    expect(import.meta.resolve("@portcullis/core")).toMatch(/\/packages\/core\/dist\/index\.js$/);
  });

  test("authenticates with a token and with Basic", async () => {
    const { key } = await issueToken(store, alice.id);
    const withToken = await fetch(`${base}/`, { method: "POST", headers: { Authorization: `Token ${key}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ method: "POST", username: "alice", scheme: "token" });
    const withBasic = await fetch(`${base}/`, { method: "POST", headers: { Authorization: `Basic ${btoa("alice:alice-pw")}` } });
    expect(await withBasic.json()).toEqual({ method: "POST", username: "alice", scheme: "basic" });
  });

  test("answers 401 with WWW-Authenticate: Token to an anonymous write", async () => {
    const res = await fetch(`${base}/`, { method: "POST" });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Token");
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  test("takes the client IP from server.requestIP: real requests count under 127.0.0.1, other addresses apart", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/`, { headers: { "X-Forwarded-For": `198.51.100.${i}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const fakeServer = (address: string) => ({ requestIP: () => ({ address, family: "IPv4", port: 1 }) }) as unknown as Server;
    const direct = async (address: string) => (await handler(new Request("http://local/"), fakeServer(address))).status;
    expect(await direct("127.0.0.1")).toBe(429);
    expect([await direct("192.0.2.1"), await direct("192.0.2.1"), await direct("192.0.2.1")]).toEqual([200, 200, 429]);
    expect(await direct("192.0.2.2")).toBe(200);
  });

  test("fails closed: 503 when the store throws StoreError, for credentials and for anonymous reads", async () => {
    const down = () => Promise.reject(new StoreError("backend unreachable"));
    const broken = serve({ findToken: down, deleteToken: down, getUserByUsername: down, setPasswordHash: down, hit: down, releaseHit: down });
    try {
      const url = `http://127.0.0.1:${broken.server.port}/`;
      for (const init of [{ headers: { Authorization: "Token 0123456789abcdef0123456789abcdef01234567" } }, {}]) {
        const res = await fetch(url, init);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ detail: "Authentication service unavailable." });
      }
    } finally {
      broken.server.stop(true);
    }
  });

  test("allows anonymous reads (isAuthenticatedOrReadOnly) with user null", async () => {
    const res = await handler(new Request("http://local/"), ({ requestIP: () => ({ address: "192.0.2.9" }) }) as unknown as Server);
    expect(await res.json()).toEqual({ method: "GET", username: null, scheme: null });
  });
});
