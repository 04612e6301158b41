/**
 * Salts as Django 5.2 makes and judges them: characters of `RANDOM_STRING_CHARS`, enough of them for 128 bits.
 * @module
 */

/** Django's `RANDOM_STRING_CHARS`. */
const SALT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** `ceil(128 / log2(62))`: Django's `salt_entropy = 128` in characters of the alphabet. */
export const SALT_LENGTH = 22;

/** The largest multiple of 62 that fits a byte: bytes at or above it are redrawn, so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % SALT_ALPHABET.length);

/** A fresh salt of {@link SALT_LENGTH} characters drawn from `crypto.getRandomValues` without modulo bias. */
export function generateSalt(): string {
  let salt = "";
  while (salt.length < SALT_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < UNBIASED_LIMIT && salt.length < SALT_LENGTH) salt += SALT_ALPHABET[byte % SALT_ALPHABET.length];
    }
  }
  return salt;
}

/**
 * Django's `must_update_salt`: `len(salt) * log2(62) < 128`, i.e. fewer than 22 characters. Like Django, it counts
 * characters whatever they are.
 */
export function isSaltTooShort(salt: string): boolean {
  return [...salt].length < SALT_LENGTH;
}
