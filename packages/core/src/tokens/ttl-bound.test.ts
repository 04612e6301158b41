/** Token lifetimes whose expiry no JavaScript `Date` can hold are refused when configured, never at login. */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { obtainTokenHandler } from "../endpoints/obtain-token.js";
import { ConfigError } from "../errors.js";
import { MAX_DATE_MS, isWithinDateRange, issueToken, listTokens } from "./tokens.js";

describe("isWithinDateRange", () => {
  it("accepts what a Date holds and refuses the rest", () => {
    expect(isWithinDateRange(MAX_DATE_MS)).toBe(true);
    expect(new Date(MAX_DATE_MS).toISOString()).toBe("+275760-09-13T00:00:00.000Z");
    for (const ms of [MAX_DATE_MS + 1, Infinity, NaN]) expect(isWithinDateRange(ms), String(ms)).toBe(false);
  });
});

describe("issueToken: ttlMs within the Date range", () => {
  it("refuses an expiry past the Date range with ConfigError naming ttlMs, storing nothing", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "alice", passwordHash: "!" });
    for (const options of [{ ttlMs: 8.64e15 }, { ttlMs: 1000, now: MAX_DATE_MS }]) {
      const error = await issueToken(store, user.id, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe("ttlMs");
    }
    expect(await listTokens(store, user.id)).toEqual([]);
    const last = await issueToken(store, user.id, { ttlMs: 1000, now: MAX_DATE_MS - 1000 });
    expect(last.token.expiresAt).toBe(MAX_DATE_MS);
  });
});

describe("obtainTokenHandler: ttlMs within the Date range", () => {
  it("throws ConfigError when built, instead of answering 503 to every login", () => {
    const store = memoryStore();
    for (const ttlMs of [8.64e15, MAX_DATE_MS - Date.now() + 86_400_000]) {
      expect(() => obtainTokenHandler({ store, ttlMs, bruteForce: false })).toThrow(expect.objectContaining({ option: "ttlMs" }));
    }
    expect(() => obtainTokenHandler({ store, ttlMs: 100 * 365 * 86_400_000, bruteForce: false })).not.toThrow();
  });
});
