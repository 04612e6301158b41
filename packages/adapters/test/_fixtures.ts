/**
 * Shared test data: a memory store with a regular user and a staff user, and header helpers.
 * Password hashes use 1,000 PBKDF2 iterations so that tests stay fast.
 * @module
 */
import type { Store, User } from "@portcullis/core";
import { hashPassword, issueToken } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";

export const ALICE_PASSWORD = "correct horse battery staple";
export const ADMIN_PASSWORD = "tr0ub4dor&3";

export interface Seeded {
  readonly store: Store;
  readonly alice: User;
  readonly admin: User;
  /** A fresh, non-expiring token key for the user. */
  readonly tokenFor: (user: User) => Promise<string>;
}

/** A memory store with `alice` (not staff) and `admin` (staff). */
export async function seed(): Promise<Seeded> {
  const store = memoryStore();
  const alice = await store.createUser({
    username: "alice",
    passwordHash: await hashPassword(ALICE_PASSWORD, { iterations: 1000 }),
  });
  const admin = await store.createUser({
    username: "admin",
    passwordHash: await hashPassword(ADMIN_PASSWORD, { iterations: 1000 }),
    isStaff: true,
  });
  const tokenFor = async (user: User) => (await issueToken(store, user.id)).key;
  return { store, alice, admin, tokenFor };
}

/** `Authorization: Token <key>`. */
export function token(key: string): { Authorization: string } {
  return { Authorization: `Token ${key}` };
}

/** `Authorization: Basic base64(username:password)` (ASCII credentials only). */
export function basic(username: string, password: string): { Authorization: string } {
  return { Authorization: `Basic ${btoa(`${username}:${password}`)}` };
}
