import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext } from "../context.js";
import { guard } from "../guard.js";
import { tokenAuth } from "../schemes/token.js";
import { issueToken } from "../tokens/tokens.js";
import { apiKeyAuth, apiKeyQuota, issueApiKey, perKeyRateThrottle } from "./index.js";

const DAY = 86_400_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % DAY); // a UTC midnight
const at = (now: number): AuthContext => ({ now: () => now, clientIp: "203.0.113.9" });
const bearer = (key: string) => new Request("https://api.test/", { headers: { authorization: `Bearer ${key}` } });

describe("perKeyRateThrottle", () => {
  it("counts per key, not per owner: two keys of one owner each get the full rate", async () => {
    const store = memoryStore();
    const [a, b] = [await issueApiKey(store, { ownerId: "o" }), await issueApiKey(store, { ownerId: "o" })];
    const check = guard({ schemes: [apiKeyAuth({ store })], throttles: [perKeyRateThrottle("3/min", { store })] });
    const run = async (key: string) => {
      const out = [];
      for (let i = 0; i < 4; i++) {
        const d = await check(bearer(key), at(T0 + i));
        out.push(d.allowed ? 200 : [d.error.status, d.error.headers["Retry-After"]]);
      }
      return out;
    };
    expect(await run(a.key)).toEqual([200, 200, 200, [429, "60"]]);
    expect(await run(b.key)).toEqual([200, 200, 200, [429, "60"]]);
  });

  it("exactly 50 of 200 concurrent requests on one key pass a 50/min limit", async () => {
    const store = memoryStore();
    const { key } = await issueApiKey(store, { ownerId: "o" });
    const check = guard({ schemes: [apiKeyAuth({ store })], throttles: [perKeyRateThrottle("50/min", { store })] });
    const decisions = await Promise.all(Array.from({ length: 200 }, () => check(bearer(key), at(T0))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it("leaves requests authenticated otherwise alone", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "u", passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const check = guard({ schemes: [tokenAuth({ store })], throttles: [perKeyRateThrottle("1/min", { store })] });
    const request = () => new Request("https://api.test/", { headers: { authorization: `Token ${key}` } });
    for (let i = 0; i < 3; i++) expect((await check(request(), at(T0))).allowed).toBe(true);
  });
});

describe("apiKeyQuota", () => {
  it("allows N per UTC period, waits until the next period, and refills then", async () => {
    const store = memoryStore();
    const { key } = await issueApiKey(store, { ownerId: "o" });
    const check = guard({ schemes: [apiKeyAuth({ store })], throttles: [apiKeyQuota("2/day", { store })] });
    expect((await check(bearer(key), at(T0 + 10))).allowed).toBe(true);
    expect((await check(bearer(key), at(T0 + DAY - 2000))).allowed).toBe(true);
    const denied = await check(bearer(key), at(T0 + DAY - 1000));
    expect(denied.allowed ? 200 : [denied.error.status, denied.error.headers["Retry-After"]]).toEqual([429, "1"]);
    // A sliding window would still hold the hit at DAY - 2000; the quota refills at midnight.
    expect((await check(bearer(key), at(T0 + DAY))).allowed).toBe(true);
    expect((await check(bearer(key), at(T0 + DAY + 1))).allowed).toBe(true);
    expect((await check(bearer(key), at(T0 + DAY + 2))).allowed).toBe(false);
  });
});
