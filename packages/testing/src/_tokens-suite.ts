/**
 * Conformance tests of the token methods of `Store` (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError, type TokenStore, type UserStore } from "@portcullis/core";
import { T0, makeUser, newToken, randomHex, recordOf, type StoreAccessor } from "./_fixtures.js";

/** Registers the token tests (without `maxPerUser`, see `tokenCapTests`). */
export function tokenTests(store: StoreAccessor<UserStore & TokenStore>): void {
  tokenLookupTests(store);
  tokenDeletionTests(store);
}

function tokenLookupTests(store: StoreAccessor<UserStore & TokenStore>): void {
  describe("tokens: create, find, list", () => {
    it("createToken stores a token that findToken joins with its user", async () => {
      const user = await makeUser(store(), { isStaff: true });
      const token = newToken(user.id, { name: "laptop", expiresAt: T0 + 1000 });
      expect(await store().createToken(token, { now: T0 })).toBe(true);
      const found = await store().findToken(token.digest);
      expect(found).toEqual({ token: recordOf(token), user });
      expect(found?.token).not.toHaveProperty("digest");
      expect(found?.user).not.toHaveProperty("passwordHash");
    });

    it("findToken still returns expired tokens and answers null for unknown digests", async () => {
      const user = await makeUser(store());
      const token = newToken(user.id, { expiresAt: T0 - 1 });
      await store().createToken(token, { now: T0 });
      expect((await store().findToken(token.digest))?.token).toEqual(recordOf(token));
      expect(await store().findToken(randomHex(32))).toBeNull();
      for (const digest of [`${token.digest}\0`, "\0", "\ud800"]) expect(await store().findToken(digest)).toBeNull();
    });

    it("createToken throws ConflictError on a duplicate digest or id", async () => {
      const user = await makeUser(store());
      const token = newToken(user.id);
      await store().createToken(token, { now: T0 });
      const byDigest = await store()
        .createToken(newToken(user.id, { digest: token.digest }), { now: T0 })
        .catch((e: unknown) => e);
      expect(byDigest).toBeInstanceOf(ConflictError);
      expect((byDigest as ConflictError).field).toBe("digest");
      const byId = await store()
        .createToken(newToken(user.id, { id: token.id }), { now: T0 })
        .catch((e: unknown) => e);
      expect(byId).toBeInstanceOf(ConflictError);
      expect((byId as ConflictError).field).toBe("id");
      expect(await store().listTokens(user.id)).toEqual([recordOf(token)]);
    });

    it("listTokens lists one user's tokens oldest first, without digests", async () => {
      const [user, other] = [await makeUser(store()), await makeUser(store())];
      const tokens = [T0 + 2, T0, T0 + 1].map((createdAt) => newToken(user.id, { createdAt }));
      for (const token of tokens) await store().createToken(token, { now: T0 });
      await store().createToken(newToken(other.id), { now: T0 });
      const listed = await store().listTokens(user.id);
      expect(listed).toEqual([tokens[1], tokens[2], tokens[0]].map((t) => recordOf(t!)));
      for (const record of listed) expect(record).not.toHaveProperty("digest");
      expect(await store().listTokens(randomHex(8))).toEqual([]);
    });

  });
}

function tokenDeletionTests(store: StoreAccessor<UserStore & TokenStore>): void {
  describe("tokens: deletion", () => {
    it("deleteToken answers whether the token existed", async () => {
      const user = await makeUser(store());
      const [kept, gone] = [newToken(user.id), newToken(user.id)];
      await store().createToken(kept, { now: T0 });
      await store().createToken(gone, { now: T0 });
      expect(await store().deleteToken(gone.id)).toBe(true);
      expect(await store().deleteToken(gone.id)).toBe(false);
      expect(await store().findToken(gone.digest)).toBeNull();
      expect(await store().findToken(kept.digest)).not.toBeNull();
    });

    it("deleteUserTokens deletes every token of one user and counts them", async () => {
      const [user, other] = [await makeUser(store()), await makeUser(store())];
      for (let i = 0; i < 3; i++) await store().createToken(newToken(user.id), { now: T0 });
      const survivor = newToken(other.id);
      await store().createToken(survivor, { now: T0 });
      expect(await store().deleteUserTokens(user.id)).toBe(3);
      expect(await store().deleteUserTokens(user.id)).toBe(0);
      expect(await store().listTokens(user.id)).toEqual([]);
      expect(await store().listTokens(other.id)).toEqual([recordOf(survivor)]);
    });

    it("deleteExpiredTokens deletes tokens with expiresAt <= now", async () => {
      const user = await makeUser(store());
      const expiries = [T0 - 1, T0, T0 + 1, null];
      const tokens = expiries.map((expiresAt) => newToken(user.id, { expiresAt }));
      for (const token of tokens) await store().createToken(token, { now: T0 - 10 });
      expect(await store().deleteExpiredTokens(T0)).toBe(2);
      expect(await store().deleteExpiredTokens(T0)).toBe(0);
      expect(await store().listTokens(user.id)).toEqual([tokens[2], tokens[3]].map((t) => recordOf(t!)));
    });
  });
}
