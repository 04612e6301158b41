/**
 * 200 concurrent requests against a 50-per-minute throttle let exactly 50 through, through `guard()` with
 * `userRateThrottle`, `anonRateThrottle` and the per-API-key limits, on the memory store and on real D1 (Miniflare's, started here).
 */
import type { D1Database } from "@cloudflare/workers-types/experimental/index.js";
import type { ApiKeyStore, Store } from "@portcullis/core";
import { apiKeyAuth, apiKeyQuota, issueApiKey, perKeyRateThrottle } from "@portcullis/core/api-keys";
import { allowAny, anonRateThrottle, guard, issueToken, tokenAuth, userRateThrottle } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate } from "../src/index.js";

const REQUESTS = 200;
const LIMIT = 50;

let mf: Miniflare;
let d1: Store & ApiKeyStore;

async function startD1(): Promise<void> {
  await mf?.dispose();
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", d1Databases: ["DB"] });
  const db = (await mf.getD1Database("DB")) as unknown as D1Database;
  await migrate(db);
  d1 = d1Store(db);
}

beforeAll(startD1);

/**
 * Whether a failure is Miniflare's own transport losing step, not the store's. Its Node-side D1 proxy makes its
 * synchronous calls (`prepare`, `bind`) through a worker thread, and under CI load its assertion that a reply
 * answers the call just made (`message?.id === id` in `SynchronousFetcher.fetch`) has failed; every later call of
 * that Miniflare then fails the same way. Seen in 2 of the 8 CI runs of 2026-12-05, never locally.
 */
function isMiniflareTransportRace(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e.name === "AssertionError" && e.stack?.includes("SynchronousFetcher")) return true;
  }
  return false;
}

/**
 * Runs a test once more on a fresh Miniflare when (and only when) Miniflare's transport lost step, and says so.
 * Any other failure, a wrong count above all, fails the test at once.
 */
function onceMoreOnTransportRace(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      if (!isMiniflareTransportRace(error)) throw error;
      console.warn("[store-d1] Miniflare's synchronous D1 proxy lost a reply (its own assertion); running the test once more on a fresh Miniflare");
      await startD1();
      await body();
    }
  };
}

afterAll(async () => {
  await mf?.dispose();
});

async function burst(check: ReturnType<typeof guard>, request: () => Request, clientIp: string) {
  const now = 1_700_000_000_000;
  const decisions = await Promise.all(Array.from({ length: REQUESTS }, () => check(request(), { clientIp, now: () => now })));
  const allowed = decisions.filter((d) => d.allowed).length;
  const statuses = new Set(decisions.flatMap((d) => (d.allowed ? [] : [d.error.status])));
  return { allowed, statuses };
}

describe.each([
  ["memoryStore", () => memoryStore()],
  ["d1Store (Miniflare D1)", () => d1],
])("%s: 200 concurrent requests, 50/min", (_name, storeOf) => {
  it("a user throttle lets exactly 50 through and answers 429 to the rest", onceMoreOnTransportRace(async () => {
    const store = storeOf();
    const user = await store.createUser({ username: `u${crypto.randomUUID()}`, passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const check = guard({ schemes: [tokenAuth({ store })], throttles: [userRateThrottle(`${LIMIT}/min`, { store })] });
    const request = () => new Request("https://api.test/", { headers: { authorization: `Token ${key}` } });
    const { allowed, statuses } = await burst(check, request, "203.0.113.1");
    expect(allowed).toBe(LIMIT);
    expect([...statuses]).toEqual([429]);
  }));

  it("an anon throttle lets exactly 50 through per client IP", onceMoreOnTransportRace(async () => {
    const store = storeOf();
    const scope = `anon-${crypto.randomUUID()}`;
    const check = guard({ schemes: [], permissions: [allowAny], throttles: [anonRateThrottle(`${LIMIT}/min`, { store, scope })] });
    const request = () => new Request("https://api.test/");
    const first = await burst(check, request, "198.51.100.7");
    expect(first.allowed).toBe(LIMIT);
    const other = await burst(check, request, "198.51.100.8");
    expect(other.allowed).toBe(LIMIT);
  }));

  it.each([
    ["a per-key throttle", (store: Store & ApiKeyStore) => perKeyRateThrottle(`${LIMIT}/min`, { store })],
    ["a per-key quota", (store: Store & ApiKeyStore) => apiKeyQuota(`${LIMIT}/day`, { store })],
  ])("%s on one API key lets exactly 50 through", (_label, throttleOf) => onceMoreOnTransportRace(async () => {
    const store = storeOf();
    const { key } = await issueApiKey(store, { ownerId: `o${crypto.randomUUID()}` });
    const check = guard({ schemes: [apiKeyAuth({ store })], throttles: [throttleOf(store)] });
    const request = () => new Request("https://api.test/", { headers: { authorization: `Bearer ${key}` } });
    const { allowed, statuses } = await burst(check, request, "203.0.113.2");
    expect(allowed).toBe(LIMIT);
    expect([...statuses]).toEqual([429]);
  })(), 120_000);
});
