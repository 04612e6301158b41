/**
 * Which module verifies which algorithm, and Django's `identify_hasher`.
 * @module
 */
import { verifyArgon2 } from "./argon2.js";
import { verifyBcrypt } from "./bcrypt.js";
import { identifyUnsalted, verifySaltedDigest, verifyUnsaltedDigest } from "./legacy.js";
import { verifyPbkdf2 } from "./pbkdf2.js";
import { verifyScrypt } from "./scrypt.js";
import type { Verifier } from "./_types.js";

export const VERIFIERS: ReadonlyMap<string, Verifier> = new Map([
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

/** Django's `identify_hasher`: the algorithm's name, from the prefix or the shape of an unsalted digest. */
export function identify(encoded: string): string {
  return identifyUnsalted(encoded) ?? encoded.split("$", 1)[0] ?? "";
}
