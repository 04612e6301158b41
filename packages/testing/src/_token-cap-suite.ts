/**
 * Conformance tests of `createToken` with `maxPerUser` (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError, type TokenStore, type UserStore } from "@portcullis/core";
import { T0, makeUser, newToken, type StoreAccessor } from "./_fixtures.js";

/** Registers the `maxPerUser` tests; `parallel` is the number of concurrent `createToken` calls. */
export function tokenCapTests(store: StoreAccessor<UserStore & TokenStore>, parallel: number): void {
  describe("createToken with maxPerUser", () => {
    it("refuses at the cap, storing nothing", async () => {
      const user = await makeUser(store());
      expect(await store().createToken(newToken(user.id), { now: T0, maxPerUser: 2 })).toBe(true);
      expect(await store().createToken(newToken(user.id), { now: T0, maxPerUser: 2 })).toBe(true);
      const refused = newToken(user.id);
      expect(await store().createToken(refused, { now: T0, maxPerUser: 2 })).toBe(false);
      expect(await store().findToken(refused.digest)).toBeNull();
      expect(await store().listTokens(user.id)).toHaveLength(2);
    });

    it("counts only the user's unexpired tokens (expiresAt <= now is expired)", async () => {
      const [user, other] = [await makeUser(store()), await makeUser(store())];
      for (const expiresAt of [T0 - 1, T0]) {
        await store().createToken(newToken(user.id, { expiresAt }), { now: T0 - 10 });
      }
      await store().createToken(newToken(other.id), { now: T0 });
      const live = { now: T0, maxPerUser: 1 };
      expect(await store().createToken(newToken(user.id, { expiresAt: T0 + 1 }), live)).toBe(true);
      expect(await store().createToken(newToken(user.id), live)).toBe(false);
      expect(await store().createToken(newToken(user.id), { now: T0 + 1, maxPerUser: 1 })).toBe(true);
    });

    it("still throws ConflictError on a duplicate digest below the cap", async () => {
      const user = await makeUser(store());
      const token = newToken(user.id);
      await store().createToken(token, { now: T0, maxPerUser: 5 });
      const duplicate = newToken(user.id, { digest: token.digest });
      await expect(store().createToken(duplicate, { now: T0, maxPerUser: 5 })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it(`stores exactly maxPerUser tokens out of ${parallel} concurrent calls`, async () => {
      const user = await makeUser(store());
      const cap = 5;
      const calls = Array.from({ length: parallel }, () =>
        store().createToken(newToken(user.id), { now: T0, maxPerUser: cap }),
      );
      const answers = await Promise.all(calls);
      expect(answers.filter(Boolean)).toHaveLength(cap);
      expect(await store().listTokens(user.id)).toHaveLength(cap);
    });
  });
}
