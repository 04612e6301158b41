/**
 * Conformance tests of `AccountStore` (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError } from "@portcullis/core";
import type { AccountStore, UserStore } from "@portcullis/core";
import { HASH, T0, makeUser, uniqueName, type StoreAccessor } from "./_fixtures.js";

/** Registers the account tests. */
export function accountTests(store: StoreAccessor<UserStore & AccountStore>): void {
  describe("accounts", () => {
    it("a new user has an empty e-mail and names and no last login; an unknown id is null", async () => {
      const user = await makeUser(store());
      expect(await store().getAccount(user.id)).toEqual({ user, passwordHash: HASH, email: "", firstName: "", lastName: "", lastLogin: null });
      expect(await store().getAccount(`${user.id}9`)).toBeNull();
    });

    it("updateAccount changes only the given fields; setLastLogin keeps the instant; setPasswordHash shows", async () => {
      const user = await makeUser(store());
      await store().updateAccount(user.id, { email: "Zoë@Example.com", firstName: "Zoë" });
      await store().updateAccount(user.id, { lastName: "Q" });
      await store().updateAccount(user.id, { firstName: undefined, email: undefined });
      await store().setLastLogin(user.id, T0 + 1234);
      await store().setPasswordHash(user.id, `${HASH}x`);
      const account = await store().getAccount(user.id);
      expect(account).toEqual({ user, passwordHash: `${HASH}x`, email: "Zoë@Example.com", firstName: "Zoë", lastName: "Q", lastLogin: T0 + 1234 });
    });

    it("updateAccount renames, and refuses a taken username with ConflictError", async () => {
      const a = await makeUser(store());
      const b = await makeUser(store());
      const name = uniqueName("renamed");
      await store().updateAccount(a.id, { username: name });
      expect((await store().getUserByUsername(name))?.user.id).toBe(a.id);
      await expect(store().updateAccount(b.id, { username: name })).rejects.toBeInstanceOf(ConflictError);
    });

    it("findAccountsByEmail matches case-insensitively, only active users, never a blank e-mail, within the limit", async () => {
      const email = `${uniqueName("mail")}@example.com`;
      const active = await makeUser(store());
      const inactive = await makeUser(store(), { isActive: false });
      const other = await makeUser(store());
      await store().updateAccount(active.id, { email: email.toUpperCase() });
      await store().updateAccount(inactive.id, { email });
      await store().updateAccount(other.id, { email: `x${email}` });
      expect((await store().findAccountsByEmail(email)).map((a) => a.user.id)).toEqual([active.id]);
      expect(await store().findAccountsByEmail("")).toEqual([]);
      expect(await store().findAccountsByEmail("%")).toEqual([]);
      expect(await store().findAccountsByEmail(email, { limit: 0 })).toEqual([]);
    });
  });
}
