/**
 * Django's CSRF secrets and masked tokens (`django/middleware/csrf.py`): a secret is 32 characters of
 * `[a-zA-Z0-9]`; a token is a 32-character random mask followed by the secret shifted by the mask (mod 62), so
 * every page gets a different token for the same secret (BREACH). Unmasking round-trips.
 * @module
 */
import { timingSafeEqualString } from "../internal/constant-time.js";

/** Django's `CSRF_ALLOWED_CHARS`: `string.ascii_letters + string.digits`, in that order. */
export const CSRF_ALLOWED_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const CSRF_SECRET_LENGTH = 32;
export const CSRF_TOKEN_LENGTH = 64;

const INVALID_CHARS = /[^a-zA-Z0-9]/;

/** `length` characters of `CSRF_ALLOWED_CHARS` from `crypto.getRandomValues` (rejection sampling, no bias). */
export function randomAlphanumeric(length: number, alphabet: string = CSRF_ALLOWED_CHARS): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/**
 * A new CSRF secret: 32 random characters of `[a-zA-Z0-9]` (Django's `_get_new_csrf_string`).
 * @example
 * newCsrfSecret().length; // 32
 */
export function newCsrfSecret(): string {
  return randomAlphanumeric(CSRF_SECRET_LENGTH);
}

/**
 * Masks a secret with a fresh random mask: `mask + cipher`, 64 characters (Django's `_mask_cipher_secret`).
 * @example
 * unmaskCsrfToken(maskCsrfSecret(secret)) === secret; // true
 */
export function maskCsrfSecret(secret: string): string {
  const mask = randomAlphanumeric(CSRF_SECRET_LENGTH);
  let cipher = "";
  for (let i = 0; i < secret.length; i++) {
    cipher += CSRF_ALLOWED_CHARS[(CSRF_ALLOWED_CHARS.indexOf(secret[i] as string) + CSRF_ALLOWED_CHARS.indexOf(mask[i] as string)) % 62];
  }
  return mask + cipher;
}

/**
 * The secret inside a 64-character masked token (Django's `_unmask_cipher_token`). The token must already have
 * passed `csrfTokenFormatError`.
 * @example
 * unmaskCsrfToken(maskCsrfSecret("a".repeat(32))); // "aaaa…"
 */
export function unmaskCsrfToken(token: string): string {
  let secret = "";
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    const cipher = CSRF_ALLOWED_CHARS.indexOf(token[CSRF_SECRET_LENGTH + i] as string);
    const mask = CSRF_ALLOWED_CHARS.indexOf(token[i] as string);
    secret += CSRF_ALLOWED_CHARS[(cipher - mask + 62) % 62];
  }
  return secret;
}

/**
 * Django's `_check_token_format`: `"has incorrect length"` unless 32 or 64 characters, then `"has invalid
 * characters"` unless all are `[a-zA-Z0-9]`; `null` for a well-formed value.
 * @example
 * csrfTokenFormatError("abc"); // "has incorrect length"
 */
export function csrfTokenFormatError(token: string): "has incorrect length" | "has invalid characters" | null {
  if (token.length !== CSRF_SECRET_LENGTH && token.length !== CSRF_TOKEN_LENGTH) return "has incorrect length";
  if (INVALID_CHARS.test(token)) return "has invalid characters";
  return null;
}

/**
 * The secret of a well-formed cookie or token value: a 64-character (masked) value is unmasked, a 32-character
 * one is the secret itself (Django >= 4.0 stores the secret; Django 3.2 the masked form).
 * @example
 * csrfSecretOf(maskCsrfSecret(secret)) === csrfSecretOf(secret); // true
 */
export function csrfSecretOf(wellFormed: string): string {
  return wellFormed.length === CSRF_TOKEN_LENGTH ? unmaskCsrfToken(wellFormed) : wellFormed;
}

/**
 * Django's `_does_token_match`: the request token (masked or not) against the cookie's secret, in constant time.
 * Both must be well-formed.
 * @example
 * csrfTokenMatches(maskCsrfSecret(secret), secret); // true
 */
export function csrfTokenMatches(requestToken: string, secret: string): boolean {
  return timingSafeEqualString(csrfSecretOf(requestToken), secret);
}
