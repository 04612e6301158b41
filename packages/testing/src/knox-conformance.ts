/**
 * The `KnoxTokenStore` conformance suite: knox's rows found by `tokenKey` (several may share one) joined with the
 * user, the cleanup hint, the `maxPerUser` count (tokens without expiry do not count, as knox's
 * `TOKEN_LIMIT_PER_USER`), atomic under concurrency, renewal and the deletions.
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError, type KnoxTokenRecord, type KnoxTokenStore, type UserStore } from "@portcullis/core";
import { T0, makeUser, randomHex } from "./_fixtures.js";
import { suite } from "./_suite.js";
import type { ConformanceOptions } from "./conformance.js";

function newKnoxToken(userId: string, overrides: Partial<KnoxTokenRecord> = {}): KnoxTokenRecord {
  return { digest: randomHex(64), tokenKey: randomHex(8).slice(0, 15), userId, createdAt: T0, expiresAt: T0 + 3600_000, ...overrides };
}

const byDigest = (a: { token: KnoxTokenRecord }, b: { token: KnoxTokenRecord }) => a.token.digest.localeCompare(b.token.digest);

/**
 * Registers the `KnoxTokenStore` conformance tests with vitest. `makeStore` answers a store whose users the suite
 * creates through `UserStore` (knox's rows reference users).
 * @example
 * ```ts
 * runKnoxTokenStoreConformance("memoryStore", () => memoryStore());
 * ```
 */
export function runKnoxTokenStoreConformance<S extends KnoxTokenStore & UserStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (knox token store conformance)`, makeStore, options, (store) => {
    describe("knox tokens: create and find", () => {
      it("findKnoxTokens answers every row of a tokenKey joined with its user, times to the millisecond", async () => {
        const alice = await makeUser(store(), { isStaff: true });
        const bob = await makeUser(store());
        const tokenKey = randomHex(8).slice(0, 15);
        const a = newKnoxToken(alice.id, { tokenKey, createdAt: T0 + 123, expiresAt: T0 + 3600_456 });
        const b = newKnoxToken(bob.id, { tokenKey, expiresAt: null });
        expect(await store().createKnoxToken(a, { now: T0 })).toBe(true);
        expect(await store().createKnoxToken(b, { now: T0 })).toBe(true);
        const found = (await store().findKnoxTokens(tokenKey, T0)).sort(byDigest);
        const expected = [
          { token: a, user: alice, userHasExpired: false },
          { token: b, user: bob, userHasExpired: false },
        ].sort(byDigest);
        expect(found).toEqual(expected);
        expect(await store().findKnoxTokens(randomHex(7).slice(0, 13), T0)).toEqual([]);
      });

      it("createKnoxToken throws ConflictError on a duplicate digest", async () => {
        const user = await makeUser(store());
        const token = newKnoxToken(user.id);
        await store().createKnoxToken(token, { now: T0 });
        await expect(store().createKnoxToken(newKnoxToken(user.id, { digest: token.digest }), { now: T0 })).rejects.toBeInstanceOf(ConflictError);
      });

      it("userHasExpired tells whether the user holds a token with expiresAt < now (not <=)", async () => {
        const user = await makeUser(store());
        const token = newKnoxToken(user.id, { expiresAt: null });
        await store().createKnoxToken(token, { now: T0 });
        await store().createKnoxToken(newKnoxToken(user.id, { expiresAt: T0 + 10 }), { now: T0 });
        expect((await store().findKnoxTokens(token.tokenKey, T0 + 10))[0]?.userHasExpired).toBe(false);
        expect((await store().findKnoxTokens(token.tokenKey, T0 + 11))[0]?.userHasExpired).toBe(true);
      });
    });

    describe("knox tokens: the per-user limit", () => {
      it("maxPerUser counts only tokens with expiresAt > now, as knox's TOKEN_LIMIT_PER_USER", async () => {
        const user = await makeUser(store());
        await store().createKnoxToken(newKnoxToken(user.id, { expiresAt: null }), { now: T0 });
        await store().createKnoxToken(newKnoxToken(user.id, { expiresAt: T0 }), { now: T0 });
        expect(await store().createKnoxToken(newKnoxToken(user.id), { now: T0, maxPerUser: 1 })).toBe(true);
        const refused = newKnoxToken(user.id);
        expect(await store().createKnoxToken(refused, { now: T0, maxPerUser: 1 })).toBe(false);
        expect(await store().findKnoxTokens(refused.tokenKey, T0)).toEqual([]);
      });

      it("maxPerUser holds under 20 concurrent creations", async () => {
        const user = await makeUser(store());
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store().createKnoxToken(newKnoxToken(user.id), { now: T0, maxPerUser: 3 })),
        );
        expect(results.filter(Boolean)).toHaveLength(3);
      });
    });

    describe("knox tokens: renew and delete", () => {
      it("renewKnoxToken sets the expiry; answers false for an unknown digest", async () => {
        const user = await makeUser(store());
        const token = newKnoxToken(user.id);
        await store().createKnoxToken(token, { now: T0 });
        expect(await store().renewKnoxToken(token.digest, T0 + 7200_789)).toBe(true);
        expect((await store().findKnoxTokens(token.tokenKey, T0))[0]?.token.expiresAt).toBe(T0 + 7200_789);
        expect(await store().renewKnoxToken(randomHex(64), T0)).toBe(false);
      });

      it("deleteExpiredKnoxTokens deletes only that user's tokens with expiresAt < now", async () => {
        const user = await makeUser(store());
        const other = await makeUser(store());
        const live = newKnoxToken(user.id, { expiresAt: T0 + 5 });
        const gone = newKnoxToken(user.id, { expiresAt: T0 + 4 });
        const others = newKnoxToken(other.id, { expiresAt: T0 });
        for (const token of [live, gone, others, newKnoxToken(user.id, { expiresAt: null })]) await store().createKnoxToken(token, { now: T0 });
        expect(await store().deleteExpiredKnoxTokens(user.id, T0 + 5)).toBe(1);
        expect(await store().findKnoxTokens(gone.tokenKey, T0)).toEqual([]);
        expect(await store().findKnoxTokens(live.tokenKey, T0)).toHaveLength(1);
        expect(await store().findKnoxTokens(others.tokenKey, T0)).toHaveLength(1);
      });

      it("deleteKnoxToken deletes one token; deleteUserKnoxTokens all of a user's", async () => {
        const user = await makeUser(store());
        const other = await makeUser(store());
        const [a, b, c] = [newKnoxToken(user.id), newKnoxToken(user.id), newKnoxToken(other.id)];
        for (const token of [a, b, c]) await store().createKnoxToken(token, { now: T0 });
        expect(await store().deleteKnoxToken(a.digest)).toBe(true);
        expect(await store().deleteKnoxToken(a.digest)).toBe(false);
        expect(await store().deleteUserKnoxTokens(user.id)).toBe(1);
        expect(await store().findKnoxTokens(b.tokenKey, T0)).toEqual([]);
        expect(await store().findKnoxTokens(c.tokenKey, T0)).toHaveLength(1);
      });
    });
  });
}
