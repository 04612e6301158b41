/**
 * `verifyPassword`: checks a password against any hash a Django user table holds, never throwing.
 * @module
 */
import { verifyArgon2 } from "./argon2.js";
import { verifyBcrypt } from "./bcrypt.js";
import { isWellFormed } from "./_encoding.js";
import { identifyUnsalted, verifySaltedDigest, verifyUnsaltedDigest } from "./legacy.js";
import { isPbkdf2Current, PBKDF2_DEFAULT_ITERATIONS, verifyPbkdf2 } from "./pbkdf2.js";
import { verifyScrypt } from "./scrypt.js";
import type { Verdict, Verifier } from "./_types.js";

/**
 * The answer of {@link verifyPassword}. `needsRehash` is only ever `true` with `valid`: the hash is not what
 * `hashPassword` makes today, so store `await hashPassword(password)` in its place.
 * @example
 * const check: PasswordCheck = { valid: true, needsRehash: false };
 */
export interface PasswordCheck {
  readonly valid: boolean;
  readonly needsRehash: boolean;
}

const VERIFIERS: ReadonlyMap<string, Verifier> = new Map([
  ["pbkdf2_sha256", verifyPbkdf2],
  ["pbkdf2_sha1", verifyPbkdf2],
  ["scrypt", verifyScrypt],
  ["argon2", verifyArgon2],
  ["bcrypt_sha256", verifyBcrypt],
  ["bcrypt", verifyBcrypt],
  ["md5", verifySaltedDigest],
  ["sha1", verifySaltedDigest],
  ["unsalted_md5", verifyUnsaltedDigest],
  ["unsalted_sha1", verifyUnsaltedDigest],
]);

/** Longer rows are malformed: Django's `password` column holds 128 characters; this leaves room for custom ones. */
const MAX_ENCODED_LENGTH = 4096;

/** The algorithms that pad a failed check to the default work themselves (Django's `harden_runtime`). */
const SELF_PADDED = new Set(["pbkdf2_sha256", "pbkdf2_sha1"]);

/** A well-formed default row whose password nobody knows: verifying it costs what a real default row costs. */
const DUMMY_HASH = `pbkdf2_sha256$${PBKDF2_DEFAULT_ITERATIONS}$portcullisDummySalt000$${"A".repeat(43)}=`;

/** Django's `identify_hasher`: the algorithm's name, from the prefix or the shape of an unsalted digest. */
function identify(encoded: string): string {
  return identifyUnsalted(encoded) ?? encoded.split("$", 1)[0] ?? "";
}

async function check(password: unknown, encoded: unknown): Promise<Verdict> {
  if (typeof password !== "string" || !isWellFormed(password)) return null;
  if (typeof encoded !== "string" || encoded === "" || encoded.length > MAX_ENCODED_LENGTH) return null;
  if (encoded.startsWith("!")) return null; // Django's unusable password
  const algorithm = identify(encoded);
  const verify = VERIFIERS.get(algorithm);
  if (verify === undefined) return null;
  if (SELF_PADDED.has(algorithm)) return verify(password, encoded);
  // Every other family runs the dummy alongside, so that no check of it (a failed one above all) takes less than
  // an unknown user's: WebCrypto derives off the main thread, so the time is about the dearer of the two (a
  // Django-default scrypt row, a legacy md5 row) rather than their sum. A row that cannot be checked has then
  // already cost a default check: it answers invalid (`false`), not `null`, so the dummy is not spent twice.
  const [verdict] = await Promise.all([verify(password, encoded), verifyDummyHash(password)]);
  return verdict ?? false;
}

/**
 * Verifies a password against a Django-format hash: `pbkdf2_sha256`, `pbkdf2_sha1`, `scrypt`, `argon2`,
 * `bcrypt_sha256`, `bcrypt` (with the optional `bcryptjs`), and the legacy `md5`, `unsalted_md5`, `sha1` and
 * `unsalted_sha1`. Never throws. A missing (`null`, `""`), unusable (`!…`), unknown, malformed or over-limit hash
 * is invalid after the same work as a default check ({@link verifyDummyHash}), never the row's own work factor.
 * A failed check costs at least a default check whatever the row (PBKDF2 pads the missing iterations as Django's
 * `harden_runtime`; other algorithms run the dummy alongside); a row dearer than the default (bcrypt at cost 12,
 * Django's default argon2) costs its own work. `needsRehash` is `true` after a successful check of anything but
 * `pbkdf2_sha256` with exactly 1,000,000 iterations and a 22-character salt (Django's `must_update`: a higher
 * count is brought down to the default too).
 * @example
 * const { valid, needsRehash } = await verifyPassword(password, user.passwordHash);
 * if (valid && needsRehash) await store.setPasswordHash(user.id, await hashPassword(password));
 */
export async function verifyPassword(password: string, encoded: string | null | undefined): Promise<PasswordCheck> {
  let verdict: Verdict;
  try {
    verdict = await check(password, encoded);
  } catch {
    verdict = null;
  }
  if (verdict === null) return verifyDummyHash(password);
  if (!verdict) return { valid: false, needsRehash: false };
  return { valid: true, needsRehash: !isPbkdf2Current(encoded as string) };
}

/**
 * Spends the work of verifying a default `pbkdf2_sha256` hash (1,000,000 iterations) and answers invalid. Call it
 * where there is no hash to check, such as an unknown username, so that the answer takes as long as a wrong
 * password does. `verifyPassword(password, null)` does the same.
 * @example
 * const check = user ? await verifyPassword(password, user.passwordHash) : await verifyDummyHash(password);
 */
export async function verifyDummyHash(password: string): Promise<PasswordCheck> {
  try {
    await verifyPbkdf2(typeof password === "string" ? password : "", DUMMY_HASH);
  } catch {
    // The work is all that matters here.
  }
  return { valid: false, needsRehash: false };
}
