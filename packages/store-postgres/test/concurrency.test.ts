/**
 * Concurrency through the real pipeline on PostgreSQL (the real server in CI, PGlite locally): 200 concurrent
 * requests against a 50/min throttle (per user, and per API key) let exactly 50 through; 100 concurrent logins with maxTokensPerUser give
 * exactly that many tokens; 40 concurrent wrong passwords get exactly 5 checks (the brute-force reservation).
 */
import type { ApiKeyStore, AuthContext, Store } from "@portcullis/core";
import { apiKeyAuth, apiKeyQuota, issueApiKey, perKeyRateThrottle } from "@portcullis/core/api-keys";
import { basicAuth, guard, hashPassword, issueToken, listTokens, obtainTokenHandler, tokenAuth, userRateThrottle } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore } from "../src/index.js";
import { HAS_SERVER, announce, createDatabase, pgliteClient, postgresJsClient, type TestClient, type TestDatabase } from "./_postgres.js";

announce("postgresStore concurrency");
const NOW = 1_700_000_000_000;
const TIMEOUT_MS = 120_000;

let database: TestDatabase | undefined;
let client: TestClient;
let store: Store & ApiKeyStore;

beforeAll(async () => {
  if (HAS_SERVER) {
    database = await createDatabase();
    client = postgresJsClient(database.url, { max: 20 });
  } else {
    client = await pgliteClient();
  }
  await migrate(client.client);
  store = postgresStore(client.client);
});

afterAll(async () => {
  await client?.close();
  await database?.drop();
});

function tally(statuses: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

const login = (username: string, password: string) =>
  new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });

describe("postgresStore under concurrency", () => {
  it("200 concurrent requests against a 50/min user throttle let exactly 50 through", async () => {
    const user = await store.createUser({ username: `u${crypto.randomUUID()}`, passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const check = guard({ schemes: [tokenAuth({ store })], throttles: [userRateThrottle("50/min", { store })] });
    const ctx: AuthContext = { clientIp: "203.0.113.1", now: () => NOW };
    const request = () => new Request("https://api.test/", { headers: { authorization: `Token ${key}` } });
    const decisions = await Promise.all(Array.from({ length: 200 }, () => check(request(), ctx)));
    expect(tally(decisions.map((d) => (d.allowed ? 200 : d.error.status)))).toEqual({ 200: 50, 429: 150 });
  }, TIMEOUT_MS);

  it("200 concurrent requests on one API key against a 50/min per-key throttle, and a 50/day quota, let exactly 50 through", async () => {
    for (const throttle of [perKeyRateThrottle("50/min", { store }), apiKeyQuota("50/day", { store })]) {
      const { key } = await issueApiKey(store, { ownerId: `o${crypto.randomUUID()}` });
      const check = guard({ schemes: [apiKeyAuth({ store })], throttles: [throttle] });
      const ctx: AuthContext = { clientIp: "203.0.113.1", now: () => NOW };
      const request = () => new Request("https://api.test/", { headers: { authorization: `Bearer ${key}` } });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => check(request(), ctx)));
      expect(tally(decisions.map((d) => (d.allowed ? 200 : d.error.status)))).toEqual({ 200: 50, 429: 150 });
    }
  }, TIMEOUT_MS);

  it("100 concurrent logins with maxTokensPerUser: 10 give exactly 10 tokens", async () => {
    const username = `u${crypto.randomUUID()}`;
    // The default hash (1,000,000 iterations): no login upgrades it, so each costs one PBKDF2 check.
    const user = await store.createUser({ username, passwordHash: await hashPassword("s3cret") });
    const obtain = obtainTokenHandler({ store, bruteForce: false, maxTokensPerUser: 10 });
    const responses = await Promise.all(Array.from({ length: 100 }, () => obtain(login(username, "s3cret"))));
    expect(tally(responses.map((r) => r.status))).toEqual({ 200: 10, 403: 90 });
    expect(await listTokens(store, user.id)).toHaveLength(10);
  }, TIMEOUT_MS);

  it("40 concurrent wrong passwords: exactly 5 are checked, the other 35 answer 429 (token endpoint and Basic)", async () => {
    for (const via of ["endpoint", "basic"] as const) {
      const username = `u${crypto.randomUUID()}`;
      await store.createUser({ username, passwordHash: await hashPassword("right", { iterations: 1000 }) });
      const ctx: AuthContext = { clientIp: `198.51.100.${via === "basic" ? 2 : 1}`, now: () => NOW };
      const statuses =
        via === "endpoint"
          ? (await Promise.all(Array.from({ length: 40 }, (_, i) => obtainTokenHandler({ store })(login(username, `no-${i}`), ctx)))).map((r) => r.status)
          : (
              await Promise.all(
                Array.from({ length: 40 }, (_, i) =>
                  guard({ schemes: [basicAuth({ users: store })] })(
                    new Request("https://api.test/", { headers: { authorization: `Basic ${btoa(`${username}:no-${i}`)}` } }),
                    ctx,
                  ),
                ),
              )
            ).map((d) => (d.allowed ? 200 : d.error.status));
      expect(tally(statuses)).toEqual(via === "endpoint" ? { 400: 5, 429: 35 } : { 401: 5, 429: 35 });
    }
  }, TIMEOUT_MS);
});
