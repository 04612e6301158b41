import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { basicAuth, guard, hashPassword, obtainTokenHandler, toResponse } from "../index.js";
import type { AuthContext, Store } from "../index.js";
import { sha256Hex } from "../internal/sha256.js";

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

/** The live hits of a brute-force counter (a dry run, at the setup's clock). */
async function countOf(store: Store, key: string): Promise<number> {
  return (await store.hit(key, { limit: 1000, windowMs: 60_000, now: 1_000_000, dryRun: true })).count;
}

const userKey = (username: string) => `login:user:${sha256Hex(username)}`;

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

  it("lets exactly 5 of 40 concurrent wrong passwords be checked (400) and answers 429 to the other 35", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => obtain(login("alice", `wrong-${i}`), ctx())));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(await countOf(store, userKey("alice"))).toBe(5);
    expect(await countOf(store, "login:ip:198.51.100.1")).toBe(5);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(429);
  });

  it("holds a slot only while a login is checked: of 12 concurrent right passwords >= 5 pass, none stays counted", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    const responses = await Promise.all(Array.from({ length: 12 }, () => obtain(login("alice", PASSWORD), ctx())));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(await countOf(store, userKey("alice"))).toBe(0);
    expect(await countOf(store, "login:ip:198.51.100.1")).toBe(0);
  });

  it("keys the per-username counter by the SHA-256 of the username, never the username itself", async () => {
    const { store, ctx } = await setup();
    const keys: string[] = [];
    const spy: Pick<Store, "hit" | "releaseHit"> = {
      hit: (key, options) => (keys.push(key), store.hit(key, options)),
      releaseHit: (key, options) => (keys.push(key), store.releaseHit(key, options)),
    };
    const typo = "Tr0ub4dor&3 typed into the username field";
    const obtain = obtainTokenHandler({ store, counters: spy });
    expect((await obtain(login(typo, "x"), ctx())).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(200);
    expect(new Set(keys)).toEqual(new Set([userKey(typo), userKey("alice"), "login:ip:198.51.100.1"]));
    expect(userKey("alice")).toMatch(/^login:user:[0-9a-f]{64}$/);
    for (const key of keys) expect(key).not.toContain("Tr0ub4dor");
    expect(await countOf(store, userKey(typo))).toBe(1);
  });

  it("gives back the slots of a login blocked by another counter", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, bruteForce: { perUsername: "5/min", perIp: "1/min" } });
    expect((await obtain(login("alice", "wrong"), ctx("203.0.113.1"))).status).toBe(400);
    expect((await obtain(login("bob", "wrong"), ctx("203.0.113.1"))).status).toBe(429);
    expect(await countOf(store, userKey("bob"))).toBe(0);
    for (let i = 2; i <= 5; i++) expect((await obtain(login("alice", "wrong"), ctx(`203.0.113.${i}`))).status).toBe(400);
    expect((await obtain(login("alice", "wrong"), ctx("203.0.113.9"))).status).toBe(429);
    expect(await countOf(store, "login:ip:203.0.113.9")).toBe(0);
    expect((await obtain(login("bob", PASSWORD), ctx("203.0.113.9"))).status).toBe(200);
  });

  it("gives back the slots when the check fails with a store error (503), so the failure is not counted", async () => {
    const { store, ctx } = await setup();
    const down = { ...store, getUserByUsername: () => Promise.reject(new Error("backend unreachable")) };
    const obtain = obtainTokenHandler({ store: down, counters: store });
    for (let i = 0; i < 8; i++) expect((await obtain(login("alice", "wrong"), ctx())).status).toBe(503);
    expect(await countOf(store, userKey("alice"))).toBe(0);
    expect(await countOf(store, "login:ip:198.51.100.1")).toBe(0);
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

  it("lets exactly 5 of 40 concurrent wrong passwords be checked (401) and answers 429 to the other 35", async () => {
    const { store, ctx } = await setup();
    const check = guard({ schemes: [basicAuth({ users: store })] });
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => check(basic("alice", `nope-${i}`), ctx())));
    const statuses = decisions.map((d) => (d.allowed ? 200 : d.error.status));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(await countOf(store, userKey("alice"))).toBe(5);
  });

  it("refuses a counters store without releaseHit", () => {
    const { hit } = memoryStore();
    const verify = async () => null;
    const counters = { hit } as unknown as Pick<Store, "hit" | "releaseHit">;
    expect(() => basicAuth({ verify, counters })).toThrow(/counters/);
  });

  it("refuses a user store without counters unless protection is turned off explicitly", () => {
    const { getUserByUsername, setPasswordHash, createToken, findToken } = memoryStore();
    const users = { getUserByUsername, setPasswordHash };
    expect(() => basicAuth({ users })).toThrow(/counters/);
    expect(() => basicAuth({ users, bruteForce: false })).not.toThrow();
    expect(() => basicAuth({ users, counters: memoryStore() })).not.toThrow();
    const tokensOnly = { ...users, createToken, findToken } as unknown as Store;
    expect(() => obtainTokenHandler({ store: tokensOnly })).toThrow(/counters/);
    expect(() => obtainTokenHandler({ store: tokensOnly, bruteForce: false })).not.toThrow();
  });

  it("is off for a custom verify without counters, and on with counters", async () => {
    const { store, ctx } = await setup();
    const verify = async (u: string, p: string) => (p === PASSWORD ? { id: u, isActive: true } : null);
    const open = guard({ schemes: [basicAuth({ verify })] });
    for (let i = 0; i < 7; i++) await open(basic("alice", "nope"), ctx());
    expect((await open(basic("alice", PASSWORD), ctx())).allowed).toBe(true);
    const protectedCheck = guard({ schemes: [basicAuth({ verify, counters: store, bruteForce: { perUsername: "2/min" } })] });
    for (let i = 0; i < 2; i++) await protectedCheck(basic("carol", "nope"), ctx());
    const blocked = await protectedCheck(basic("carol", PASSWORD), ctx());
    expect(!blocked.allowed && blocked.error.status).toBe(429);
  });
});

describe("a client over its per-IP limit never reaches the per-username counters", () => {
  it("makes no counter call for the usernames it names once the per-IP limit refused it (300 attempts, 20 reach)", async () => {
    const { store, ctx } = await setup();
    const userKeys: string[] = [];
    // The real memory store, with the keys of its `hit` calls recorded (what a sharded store would route).
    const counters = {
      hit: (key: string, options: Parameters<Store["hit"]>[1]) => (key.startsWith("login:user:") && userKeys.push(key), store.hit(key, options)),
      releaseHit: (key: string, options: { at: number }) => store.releaseHit(key, options),
      purgeCounters: (now: number) => store.purgeCounters(now),
    };
    const obtain = obtainTokenHandler({ store, counters });
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await obtain(login(`victim-neighbour-${i}`, "wrong"), ctx())).status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(280);
    expect(userKeys).toHaveLength(20);
  });
});

