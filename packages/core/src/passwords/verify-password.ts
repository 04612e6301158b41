/**
 * `verifyPassword`: checks a password against any hash a Django user table holds, never throwing.
 * @module
 */
import { passwordHashersOf, type PasswordCheck, type PasswordHashers } from "./hashers.js";

export type { PasswordCheck } from "./hashers.js";

/**
 * Verifies a password against a Django-format hash, as Django's `check_password` does for the stated release and
 * `PASSWORD_HASHERS` (`passwordHashers`). Without it: Django 5.2's defaults, reading `pbkdf2_sha256`,
 * `pbkdf2_sha1`, `scrypt`, `argon2`, `bcrypt_sha256`, `bcrypt` (with the optional `bcryptjs`), and the legacy
 * `md5`, `unsalted_md5`, `sha1` and `unsalted_sha1`. Never throws. A missing (`null`, `""`), unusable (`!…`),
 * unlisted, malformed or over-limit hash is invalid after the work of one preferred hash, never the row's own.
 * A failed check costs at least that much (a weaker row of the preferred hasher runs Django's `harden_runtime`;
 * other algorithms spend one preferred hash after failing). `needsRehash` is `true` after a successful check exactly
 * when Django would rewrite the row: another algorithm than the preferred one, or its `must_update` (with the
 * default: anything but `pbkdf2_sha256` at exactly 1,000,000 iterations with a 22-character salt).
 * @example
 * const { valid, needsRehash } = await verifyPassword(password, user.passwordHash, hashers);
 * if (valid && needsRehash) await store.setPasswordHash(user.id, await hashPassword(password, { passwordHashers: hashers }));
 */
export async function verifyPassword(
  password: string,
  encoded: string | null | undefined,
  hashers?: PasswordHashers,
): Promise<PasswordCheck> {
  return passwordHashersOf(hashers).verify(password, encoded);
}

/**
 * Spends the work of one preferred hash (default: `pbkdf2_sha256` at 1,000,000 iterations) and answers invalid.
 * Call it where there is no hash to check, such as an unknown username, so that the answer takes as long as a
 * wrong password does. `verifyPassword(password, null)` does the same.
 * @example
 * const check = user ? await verifyPassword(password, user.passwordHash) : await verifyDummyHash(password);
 */
export async function verifyDummyHash(password: string, hashers?: PasswordHashers): Promise<PasswordCheck> {
  return passwordHashersOf(hashers).dummy(password);
}
