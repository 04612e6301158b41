/**
 * Conformance tests of `SessionStore` (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  StoreError,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
  type UserStore,
} from "@portcullis/core";
import { T0, makeUser, randomHex, type StoreAccessor } from "./_fixtures.js";

/** A session as core would store it: random id and a random SHA-256-sized digest. */
function newSession(userId: string, overrides: Partial<StoredSession> = {}): StoredSession {
  return { id: randomHex(16), digest: randomHex(32), userId, createdAt: T0, expiresAt: T0 + 1000, ...overrides };
}

function recordOf({ id, userId, createdAt, expiresAt }: StoredSession): SessionRecord {
  return { id, userId, createdAt, expiresAt };
}

/** Registers the session tests. */
export function sessionTests(store: StoreAccessor<UserStore & SessionStore>): void {
  describe("sessions: create and find", () => {
    it("createSession stores a session that findSession joins with its user, without the digest", async () => {
      const user = await makeUser(store(), { isStaff: true });
      const session = newSession(user.id);
      await store().createSession(session);
      const found = await store().findSession(session.digest);
      expect(found).toEqual({ session: recordOf(session), user });
      expect(found?.session).not.toHaveProperty("digest");
      expect(found?.user).not.toHaveProperty("passwordHash");
      expect(await store().findSession(randomHex(32))).toBeNull();
    });

    it("findSession still returns an expired session (the scheme decides) and an inactive user", async () => {
      const user = await makeUser(store(), { isActive: false });
      const session = newSession(user.id, { expiresAt: T0 - 1 });
      await store().createSession(session);
      expect(await store().findSession(session.digest)).toEqual({ session: recordOf(session), user });
    });

    it("createSession throws ConflictError on a duplicate digest or id, and StoreError for an unknown user", async () => {
      const user = await makeUser(store());
      const session = newSession(user.id);
      await store().createSession(session);
      const byDigest = await store().createSession(newSession(user.id, { digest: session.digest })).catch((e: unknown) => e);
      expect(byDigest).toBeInstanceOf(ConflictError);
      expect((byDigest as ConflictError).field).toBe("digest");
      const byId = await store().createSession(newSession(user.id, { id: session.id })).catch((e: unknown) => e);
      expect(byId).toBeInstanceOf(ConflictError);
      expect((byId as ConflictError).field).toBe("id");
      const orphan = await store().createSession(newSession(randomHex(8))).catch((e: unknown) => e);
      expect(orphan).toBeInstanceOf(StoreError);
    });
  });

  describe("sessions: deletion", () => {
    it("deleteSession answers whether the session existed", async () => {
      const user = await makeUser(store());
      const [kept, gone] = [newSession(user.id), newSession(user.id)];
      await store().createSession(kept);
      await store().createSession(gone);
      expect(await store().deleteSession(gone.id)).toBe(true);
      expect(await store().deleteSession(gone.id)).toBe(false);
      expect(await store().findSession(gone.digest)).toBeNull();
      expect(await store().findSession(kept.digest)).not.toBeNull();
    });

    it("deleteUserSessions deletes every session of one user and counts them", async () => {
      const [user, other] = [await makeUser(store()), await makeUser(store())];
      const mine = [newSession(user.id), newSession(user.id), newSession(user.id)];
      for (const session of mine) await store().createSession(session);
      const survivor = newSession(other.id);
      await store().createSession(survivor);
      expect(await store().deleteUserSessions(user.id)).toBe(3);
      expect(await store().deleteUserSessions(user.id)).toBe(0);
      for (const session of mine) expect(await store().findSession(session.digest)).toBeNull();
      expect(await store().findSession(survivor.digest)).not.toBeNull();
    });

    it("deleteExpiredSessions deletes sessions with expiresAt <= now", async () => {
      const user = await makeUser(store());
      const sessions = [T0 - 1, T0, T0 + 1].map((expiresAt) => newSession(user.id, { expiresAt }));
      for (const session of sessions) await store().createSession(session);
      expect(await store().deleteExpiredSessions(T0)).toBe(2);
      expect(await store().deleteExpiredSessions(T0)).toBe(0);
      expect(await store().findSession(sessions[0]!.digest)).toBeNull();
      expect(await store().findSession(sessions[1]!.digest)).toBeNull();
      expect(await store().findSession(sessions[2]!.digest)).not.toBeNull();
    });
  });
}
