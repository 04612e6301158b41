/**
 * Store capabilities: a counters-only store passes the counter suite alone, and a mixed deployment (users and
 * tokens from one store object, counters from another) runs the whole pipeline and the token endpoint.
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import {
  basicAuth,
  guard,
  hashPassword,
  obtainTokenHandler,
  timeoutStore,
  tokenAuth,
  userRateThrottle,
  type AuthContext,
  type CounterStore,
  type TokenStore,
  type UserStore,
} from "../src/index.js";
import { runCounterStoreConformance, runTokenStoreConformance, runUserStoreConformance } from "@portcullis/testing";

/** A store with the counter methods only (as a Redis or Durable Object store has), and a log of its calls. */
function countersOnly(): CounterStore & { readonly calls: string[] } {
  const backing = memoryStore();
  const calls: string[] = [];
  return {
    calls,
    hit: (key, options) => (calls.push(`hit ${key}`), backing.hit(key, options)),
    releaseHit: (key, options) => (calls.push(`release ${key}`), backing.releaseHit(key, options)),
    purgeCounters: (now) => backing.purgeCounters(now),
  };
}

/** Users and tokens of a memory store, without its counter methods. */
function usersAndTokensOnly(): UserStore & TokenStore {
  const { createUser, getUserByUsername, getUserById, setPasswordHash, ...rest } = memoryStore();
  const { createToken, findToken, listTokens, deleteToken, deleteUserTokens, deleteExpiredTokens } = rest;
  return { createUser, getUserByUsername, getUserById, setPasswordHash, createToken, findToken, listTokens, deleteToken, deleteUserTokens, deleteExpiredTokens };
}

runCounterStoreConformance("a counters-only store", () => countersOnly());
runUserStoreConformance("users of a users-and-tokens store", () => usersAndTokensOnly());
runTokenStoreConformance("tokens of a users-and-tokens store", () => usersAndTokensOnly());
runCounterStoreConformance("a counters-only store behind timeoutStore", () => timeoutStore(countersOnly(), { timeoutMs: 1000 }));

describe("a mixed deployment: users and tokens in one store, counters in another", () => {
  async function setup() {
    const store = usersAndTokensOnly();
    const counters = countersOnly();
    await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
    const ctx: AuthContext = { clientIp: "198.51.100.7", now: () => 1_700_000_000_000 };
    return { store, counters, ctx };
  }

  const login = (password: string) =>
    new Request("https://api.test/api-token-auth/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password }),
    });

  it("issues a token through the endpoint, authenticates it, throttles it, and counts only in the counter store", async () => {
    const { store, counters, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, counters });
    const response = await obtain(login("pw-alice"), ctx);
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };

    const check = guard({
      schemes: [tokenAuth({ store }), basicAuth({ users: store, counters })],
      throttles: [userRateThrottle("2/min", { store: counters })],
    });
    const me = () => new Request("https://api.test/api/me", { headers: { authorization: `Token ${token}` } });
    const first = await check(me(), ctx);
    expect(first.allowed && first.user.username).toBe("alice");
    expect((await check(me(), ctx)).allowed).toBe(true);
    const third = await check(me(), ctx);
    expect(!third.allowed && third.error.status).toBe(429);
    expect(counters.calls.filter((call) => call.startsWith("hit throttle:"))).toHaveLength(3);
    expect(counters.calls.some((call) => call.startsWith("hit login:"))).toBe(true);
  });

  it("counts failed logins in the counter store: the sixth wrong password is refused with 429", async () => {
    const { store, counters, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, counters });
    for (let i = 0; i < 5; i++) expect((await obtain(login("wrong"), ctx)).status).toBe(400);
    expect((await obtain(login("pw-alice"), ctx)).status).toBe(429);
    const basic = guard({ schemes: [basicAuth({ users: store, counters })] });
    const request = new Request("https://api.test/", { headers: { authorization: `Basic ${btoa("alice:pw-alice")}` } });
    const decision = await basic(request, ctx);
    expect(!decision.allowed && decision.error.status).toBe(429);
  });
});
