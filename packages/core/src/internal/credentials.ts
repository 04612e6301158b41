/**
 * Username and password checked against a store, shared by `basicAuth` and `obtainTokenHandler`.
 * @module
 */
import type { AuthContext } from "../context.js";
import { hashPassword, verifyPassword } from "../passwords/index.js";
import type { Store, User } from "../store/types.js";

/** The store methods a password check needs. */
export type CredentialStore = Pick<Store, "getUserByUsername" | "setPasswordHash">;

/**
 * Answers the user for good credentials, `null` otherwise, after the same work whether the user is unknown, the
 * password wrong or the user inactive (a missing hash is verified against a dummy). An outdated hash is upgraded
 * after a successful check (in `ctx.waitUntil` when the runtime has it); a failed upgrade keeps the old hash.
 */
export async function checkStoreCredentials(
  store: CredentialStore,
  username: string,
  password: string,
  ctx: AuthContext,
): Promise<User | null> {
  const row = await store.getUserByUsername(username);
  const { valid, needsRehash } = await verifyPassword(password, row?.passwordHash ?? null);
  if (row === null || !valid || !row.isActive) return null;
  if (needsRehash) {
    const upgrade = hashPassword(password)
      .then((encoded: string) => store.setPasswordHash(row.id, encoded))
      .catch(() => undefined);
    if (ctx.waitUntil) ctx.waitUntil(upgrade);
    else await upgrade;
  }
  return { id: row.id, username: row.username, isActive: row.isActive, isStaff: row.isStaff };
}
