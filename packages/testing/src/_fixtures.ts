/**
 * Shared fixtures of the store conformance suite (internal; not exported from `@portcullis/testing`).
 * @module
 */
import type { NewUser, StoredToken, TokenRecord, User, UserStore } from "@portcullis/core";

/** A fixed epoch-ms instant the suite measures time from. */
export const T0 = 1_700_000_000_000;

/** A Django-format hash; the store never checks it, it only keeps it. */
export const HASH = "pbkdf2_sha256$1000000$c2FsdA$aGFzaA==";

/** Hands the current test's store (of capability `S`) to a test body. */
export type StoreAccessor<S> = () => S;

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

let sequence = 0;

/** A name no other test uses, so a store shared between tests cannot make tests collide. */
export function uniqueName(base: string): string {
  sequence += 1;
  return `${base}-${randomHex(4)}-${sequence}`;
}

/**
 * A user id no other test uses, as decimal text below 2^31: a valid id in every store, Django's integer
 * `auth_user.id` included.
 */
export function uniqueUserId(): string {
  sequence += 1;
  const random = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return String(1_000_000_000 + (random % 1_000_000) * 1000 + (sequence % 1000));
}

/** Creates a user with a unique username. */
export function makeUser(store: Pick<UserStore, "createUser">, overrides: Partial<NewUser> = {}): Promise<User> {
  return store.createUser({ username: uniqueName("user"), passwordHash: HASH, ...overrides });
}

/** A token as core would store it: random id and a random SHA-256-sized digest. */
export function newToken(userId: string, overrides: Partial<StoredToken> = {}): StoredToken {
  return {
    id: randomHex(16),
    digest: randomHex(32),
    userId,
    name: null,
    createdAt: T0,
    expiresAt: null,
    ...overrides,
  };
}

/** The token record of a stored token: everything but the digest. */
export function recordOf(token: StoredToken): TokenRecord {
  const { id, userId, name, createdAt, expiresAt } = token;
  return { id, userId, name, createdAt, expiresAt };
}
