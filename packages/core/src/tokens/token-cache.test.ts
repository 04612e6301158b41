/**
 * `tokenCache` with an injected clock, through `tokenAuth` and the logout endpoints with real Requests, on the
 * memory store. Two caches over one store stand for two isolates over one database.
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { authenticate } from "../authenticate.js";
import { logoutAllHandler, logoutHandler } from "../endpoints/logout.js";
import { ConfigError, StoreError } from "../errors.js";
import { isThenable } from "../internal/awaitable.js";
import { tokenAuth } from "../schemes/token.js";
import type { Store, TokenStore } from "../store/types.js";
import { issueToken, revokeToken, tokenDigest } from "./tokens.js";
import { tokenCache, type TokenCache } from "./token-cache.js";

const STALENESS = 5_000;

/** The real memory store, with its `findToken` calls counted (the reads a cache should save). */
function countedStore(): { store: Store; reads: () => number } {
  const store = memoryStore();
  let reads = 0;
  const findToken: TokenStore["findToken"] = (digest) => {
    reads += 1;
    return store.findToken(digest);
  };
  return { store: new Proxy(store, { get: (o, p) => (p === "findToken" ? findToken : Reflect.get(o, p)) }), reads: () => reads };
}

function isolate(cache: TokenCache, store: Store, clock: { t: number }) {
  const cached = cache.wrap(store);
  const scheme = tokenAuth({ store: cached });
  const ctx = { now: () => clock.t };
  const request = (key: string, method = "GET") => new Request("https://api.example/me", { method, headers: { Authorization: `Token ${key}` } });
  return {
    status: async (key: string) => (await authenticate(request(key), [scheme], ctx)).status,
    logout: (key: string) => logoutHandler({ store: cached })(request(key, "POST"), ctx),
    logoutAll: (key: string) => logoutAllHandler({ store: cached })(request(key, "POST"), ctx),
  };
}

async function setUp() {
  const clock = { t: 1_700_000_000_000 };
  const { store, reads } = countedStore();
  const user = await store.createUser({ username: "alice", passwordHash: "!" });
  const { key, token } = await issueToken(store, user.id, { now: clock.t });
  const cache = tokenCache({ maxStalenessMs: STALENESS, now: () => clock.t });
  return { clock, store, reads, user, key, token, cache, a: isolate(cache, store, clock) };
}

describe("tokenCache", () => {
  it("answers a repeated token within maxStalenessMs with no store read, and reads again after", async () => {
    const { clock, reads, key, a } = await setUp();
    expect(await a.status(key)).toBe("authenticated");
    clock.t += STALENESS - 1;
    expect(await a.status(key)).toBe("authenticated");
    expect(reads()).toBe(1);
    clock.t += 1;
    expect(await a.status(key)).toBe("authenticated");
    expect(reads()).toBe(2);
  });

  it("a logout handled by the same isolate takes effect at once", async () => {
    const { key, a } = await setUp();
    expect(await a.status(key)).toBe("authenticated");
    expect((await a.logout(key)).status).toBe(204);
    expect(await a.status(key)).toBe("failed");
  });

  it("logout-all and revokeToken through the cached store take effect at once", async () => {
    const { store, user, key, token, cache, a } = await setUp();
    const other = await issueToken(store, user.id);
    expect(await a.status(other.key)).toBe("authenticated");
    expect((await a.logoutAll(other.key)).status).toBe(204);
    expect(await a.status(other.key)).toBe("failed");
    const again = await issueToken(store, user.id);
    expect(await a.status(again.key)).toBe("authenticated");
    await revokeToken(cache.wrap(store), again.token.id);
    expect(await a.status(again.key)).toBe("failed");
    expect(token.id).not.toBe(again.token.id);
    expect(await a.status(key)).toBe("failed");
  });

  it("another isolate accepts a token revoked elsewhere for at most maxStalenessMs after it last read it", async () => {
    const { clock, store, key, a } = await setUp();
    const b = isolate(tokenCache({ maxStalenessMs: STALENESS, now: () => clock.t }), store, clock);
    expect(await b.status(key)).toBe("authenticated");
    const readAt = clock.t;
    clock.t += 1_000;
    expect((await a.logout(key)).status).toBe(204);
    clock.t = readAt + STALENESS - 1;
    expect(await b.status(key)).toBe("authenticated");
    clock.t = readAt + STALENESS;
    expect(await b.status(key)).toBe("failed");
  });

  it("never caches an unknown token: a token issued elsewhere works at once", async () => {
    const { store, user, reads, a } = await setUp();
    const unknown = "0".repeat(40);
    expect(await a.status(unknown)).toBe("failed");
    expect(await a.status(unknown)).toBe("failed");
    expect(reads()).toBe(2);
    const fresh = await issueToken(store, user.id);
    expect(await a.status(fresh.key)).toBe("authenticated");
  });

  it("a read in flight while a revocation runs never fills the cache", async () => {
    const { store, key, token, cache, clock } = await setUp();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new Proxy(store, {
      get: (o, p) => (p === "findToken" ? async (d: string) => { const found = await o.findToken(d); await gate; return found; } : Reflect.get(o, p)),
    });
    const cached = cache.wrap(slow);
    const scheme = tokenAuth({ store: cached });
    const pending = authenticate(new Request("https://x/", { headers: { Authorization: `Token ${key}` } }), [scheme], { now: () => clock.t });
    await cached.deleteToken(token.id);
    release();
    await pending;
    expect(cache.size).toBe(0);
  });

  it("expiry is still checked on a cached token", async () => {
    const { store, user, clock, a } = await setUp();
    const short = await issueToken(store, user.id, { ttlMs: 1_000, now: clock.t });
    expect(await a.status(short.key)).toBe("authenticated");
    clock.t += 1_000;
    expect(await a.status(short.key)).toBe("failed");
  });

  it("keeps at most maxEntries tokens, oldest out first", async () => {
    const { store, user, reads, clock } = await setUp();
    const cache = tokenCache({ maxStalenessMs: STALENESS, maxEntries: 2, now: () => clock.t });
    const a = isolate(cache, store, clock);
    const keys = await Promise.all([1, 2, 3].map(async () => (await issueToken(store, user.id)).key));
    for (const key of keys) await a.status(key);
    expect(cache.size).toBe(2);
    await a.status(keys[2] as string);
    expect(reads()).toBe(3);
    await a.status(keys[0] as string);
    expect(reads()).toBe(4);
  });

  it("requires an explicit, bounded maxStalenessMs (ConfigError naming the option)", () => {
    for (const maxStalenessMs of [undefined, 0, -1, 1.5, 60_001, Number.NaN, Infinity]) {
      expect(() => tokenCache({ maxStalenessMs } as { maxStalenessMs: number })).toThrow(ConfigError);
      expect(() => tokenCache({ maxStalenessMs } as { maxStalenessMs: number })).toThrow(/^maxStalenessMs:/);
    }
    expect(() => tokenCache(undefined as unknown as { maxStalenessMs: number })).toThrow(/^maxStalenessMs:/);
    expect(() => tokenCache({ maxStalenessMs: 1000, maxEntries: 0 })).toThrow(/^maxEntries:/);
    expect(tokenCache({ maxStalenessMs: 60_000 }).size).toBe(0);
  });

  it("passes every other store method through unchanged", async () => {
    const { store, user, cache } = await setUp();
    const wrapped = cache.wrap(store);
    expect((await wrapped.getUserById(user.id))?.username).toBe("alice");
    expect(await wrapped.listTokens(user.id)).toHaveLength(1);
  });

  it("keys entries by store: one module-level cache over two tenants never answers B with A's token", async () => {
    const { clock, key, cache, a } = await setUp();
    const tenantB = memoryStore();
    await tenantB.createUser({ username: "alice", passwordHash: "!" }); // the same id (1) in the other tenant
    const b = isolate(cache, tenantB, clock);
    expect(await a.status(key)).toBe("authenticated"); // cached for tenant A
    expect(await b.status(key)).toBe("failed");
    clock.t += 1;
    expect(await b.status(key)).toBe("failed");
    expect(await a.status(key)).toBe("authenticated");
  });
});

describe("tokenCache: direct answers and failures", () => {
  it("answers a hit directly, over a store that answers with promises as over one that answers directly", async () => {
    for (const promised of [true, false]) {
      const { store, key, cache } = await setUp();
      const digest = tokenDigest(key);
      const inner = { findToken: (d: string) => (promised ? Promise.resolve(store.findToken(d)) : store.findToken(d)) };
      const cached = cache.wrap(inner);
      const miss = cached.findToken(digest);
      expect(isThenable(miss)).toBe(promised);
      expect(await miss).not.toBeNull();
      const hit = cached.findToken(digest);
      expect(isThenable(hit)).toBe(false);
      expect(hit).toEqual(await miss);
    }
  });

  it.each([
    ["throws synchronously", () => { throw new StoreError("down"); }],
    ["rejects", () => Promise.reject(new StoreError("down"))],
  ] as const)("a store that %s on a miss: the check fails with it (503), nothing is cached, the next check reads again", async (_how, failure) => {
    const { store, key, cache, clock } = await setUp();
    let failing = true;
    const inner = { findToken: (d: string) => (failing ? failure() : store.findToken(d)), deleteToken: store.deleteToken };
    const scheme = tokenAuth({ store: cache.wrap(inner) });
    const request = () => new Request("https://api.example/me", { headers: { Authorization: `Token ${key}` } });
    const ctx = { now: () => clock.t };
    await expect(authenticate(request(), [scheme], ctx)).rejects.toBeInstanceOf(StoreError);
    expect(cache.size).toBe(0);
    failing = false;
    expect((await authenticate(request(), [scheme], ctx)).status).toBe("authenticated");
    expect(cache.size).toBe(1);
  });
});
