import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { basicAuth, guard, hashPassword, obtainTokenHandler, toResponse } from "../index.js";
import type { AuthContext } from "../index.js";

const PASSWORD = "correct horse";

async function setup() {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  await store.createUser({ username: "bob", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  let now = 1_000_000;
  const ctx = (clientIp = "198.51.100.1"): AuthContext => ({ clientIp, now: () => now });
  return { store, ctx, advance: (ms: number) => (now += ms) };
}

function login(username: string, password: string): Request {
  return new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
}

function basic(username: string, password: string): Request {
  const token = btoa(`${username}:${password}`);
  return new Request("https://api.test/api/me", { headers: { authorization: `Basic ${token}` } });
}

describe("brute-force protection of obtainTokenHandler (on by default)", () => {
  it("answers 429 to the sixth wrong password in a minute, and to the right one until the window passes", async () => {
    const { store, ctx, advance } = await setup();
    const obtain = obtainTokenHandler({ store });
    for (let i = 0; i < 5; i++) {
      expect((await obtain(login("alice", `wrong-${i}`), ctx())).status).toBe(400);
      advance(1_000);
    }
    const sixth = await obtain(login("alice", "wrong-6"), ctx());
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toBe("55");
    expect(await sixth.json()).toEqual({ detail: "Request was throttled. Expected available in 55 seconds." });
    const right = await obtain(login("alice", PASSWORD), ctx());
    expect(right.status).toBe(429);
    expect(await right.text()).not.toContain(PASSWORD);
    advance(55_000);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(200);
  });

  it("counts per username from any IP, and leaves other users alone", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    for (let i = 0; i < 5; i++) await obtain(login("alice", "wrong"), ctx(`203.0.113.${i}`));
    expect((await obtain(login("alice", PASSWORD), ctx("192.0.2.99"))).status).toBe(429);
    expect((await obtain(login("bob", PASSWORD), ctx("192.0.2.99"))).status).toBe(200);
  });

  it("counts per client IP across usernames", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, bruteForce: { perUsername: null, perIp: "3/min" } });
    for (const name of ["u1", "u2", "u3"]) expect((await obtain(login(name, "x"), ctx("203.0.113.9"))).status).toBe(400);
    expect((await obtain(login("bob", PASSWORD), ctx("203.0.113.9"))).status).toBe(429);
    expect((await obtain(login("bob", PASSWORD), ctx("203.0.113.10"))).status).toBe(200);
  });

  it("does not count successful logins", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    for (let i = 0; i < 12; i++) expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(200);
  });

  it("can be turned off", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, bruteForce: false });
    for (let i = 0; i < 8; i++) expect((await obtain(login("alice", "wrong"), ctx())).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(200);
  });

  it("rejects a malformed rate when the handler is built", async () => {
    const { store } = await setup();
    expect(() => obtainTokenHandler({ store, bruteForce: { perUsername: "5/10m" } })).toThrow(/bruteForce.perUsername/);
  });
});

describe("brute-force protection of basicAuth with a store (on by default)", () => {
  it("answers 429 with Retry-After after five failures, for the right password too", async () => {
    const { store, ctx, advance } = await setup();
    const check = guard({ schemes: [basicAuth({ users: store })] });
    for (let i = 0; i < 5; i++) {
      const decision = await check(basic("alice", "nope"), ctx());
      expect(!decision.allowed && decision.error.status).toBe(401);
    }
    const blocked = await check(basic("alice", PASSWORD), ctx());
    expect(blocked.allowed).toBe(false);
    const response = toResponse(!blocked.allowed ? blocked.error : (undefined as never));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    advance(60_000);
    expect((await check(basic("alice", PASSWORD), ctx())).allowed).toBe(true);
  });

  it("is off for a custom verify without a store, and on with bruteForce.store", async () => {
    const { store, ctx } = await setup();
    const verify = async (u: string, p: string) => (p === PASSWORD ? { id: u, isActive: true } : null);
    const open = guard({ schemes: [basicAuth({ verify })] });
    for (let i = 0; i < 7; i++) await open(basic("alice", "nope"), ctx());
    expect((await open(basic("alice", PASSWORD), ctx())).allowed).toBe(true);
    const protectedCheck = guard({ schemes: [basicAuth({ verify, bruteForce: { store, perUsername: "2/min" } })] });
    for (let i = 0; i < 2; i++) await protectedCheck(basic("carol", "nope"), ctx());
    const blocked = await protectedCheck(basic("carol", PASSWORD), ctx());
    expect(!blocked.allowed && blocked.error.status).toBe(429);
  });
});
