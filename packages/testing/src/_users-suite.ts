/**
 * Conformance tests of the user methods of `Store` (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError, type UserStore } from "@portcullis/core";
import { HASH, makeUser, uniqueName, uniqueUserId, type StoreAccessor } from "./_fixtures.js";

/** Registers the user tests. */
export function userTests(store: StoreAccessor<UserStore>): void {
  userCreationTests(store);
  userLookupTests(store);
}

function userCreationTests(store: StoreAccessor<UserStore>): void {
  describe("users: createUser", () => {
    it("createUser applies the defaults and returns no password hash", async () => {
      const username = uniqueName("alice");
      const user = await store().createUser({ username, passwordHash: HASH });
      expect(user).toEqual({ id: expect.any(String), username, isActive: true, isStaff: false });
      expect(user.id.length).toBeGreaterThan(0);
      expect(user).not.toHaveProperty("passwordHash");
    });

    it("createUser keeps explicit flags and an explicit id", async () => {
      const id = uniqueUserId();
      const user = await makeUser(store(), { id, isActive: false, isStaff: true });
      expect(user).toMatchObject({ id, isActive: false, isStaff: true });
      expect(await store().getUserById(id)).toEqual(user);
    });

    it("createUser gives every user its own id", async () => {
      const [a, b] = await Promise.all([makeUser(store()), makeUser(store())]);
      expect(a?.id).not.toBe(b?.id);
    });

    it("createUser throws ConflictError on a taken username", async () => {
      const user = await makeUser(store());
      const error = await store()
        .createUser({ username: user.username, passwordHash: HASH })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).field).toBe("username");
    });

    it("createUser throws ConflictError on a taken id", async () => {
      const user = await makeUser(store());
      const error = await makeUser(store(), { id: user.id }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).field).toBe("id");
    });

  });
}

function userLookupTests(store: StoreAccessor<UserStore>): void {
  describe("users: lookups and updates", () => {
    it("getUserByUsername matches exactly (case-sensitive) and includes the hash", async () => {
      const username = uniqueName("Bob");
      const user = await store().createUser({ username, passwordHash: HASH, isStaff: true });
      expect(await store().getUserByUsername(username)).toEqual({ user, passwordHash: HASH });
      expect(await store().getUserByUsername(username.toLowerCase())).toBeNull();
      expect(await store().getUserByUsername(username.toUpperCase())).toBeNull();
      expect(await store().getUserByUsername(`${username} `)).toBeNull();
    });

    it("getUserById returns the user without its hash", async () => {
      const user = await makeUser(store());
      const found = await store().getUserById(user.id);
      expect(found).toEqual(user);
      expect(found).not.toHaveProperty("passwordHash");
    });

    it("answers null for unknown users", async () => {
      expect(await store().getUserById(uniqueName("nobody"))).toBeNull();
      expect(await store().getUserByUsername(uniqueName("nobody"))).toBeNull();
    });

    it("answers null, never an error, for lookups no row can match (a NUL byte, a lone surrogate, 10,000 chars)", async () => {
      const user = await makeUser(store());
      for (const value of [`${user.username}\0`, "\0", "a\u0000b", "\ud800", "x".repeat(10_000)]) {
        expect(await store().getUserByUsername(value)).toBeNull();
        expect(await store().getUserById(value)).toBeNull();
      }
      expect(await store().getUserById(`${user.id}\0`)).toBeNull();
    });

    it("setPasswordHash replaces the hash of one user only", async () => {
      const [a, b] = [await makeUser(store()), await makeUser(store())];
      await store().setPasswordHash(a.id, "argon2$new");
      expect((await store().getUserByUsername(a.username))?.passwordHash).toBe("argon2$new");
      expect((await store().getUserByUsername(b.username))?.passwordHash).toBe(HASH);
    });

    it("setPasswordHash on an unknown user changes nothing", async () => {
      await expect(store().setPasswordHash(uniqueName("nobody"), HASH)).resolves.toBeUndefined();
    });
  });
}
