/**
 * knox's token strings (internal): `crypto.create_token_string`, `hash_token` (SHA-512 hex of the UTF-8 bytes)
 * and the `token_key` slice.
 * @module
 */
import { randomHex } from "../internal/random.js";
import { sha512Hex } from "../internal/sha256.js";
import { KNOX_CONSTANTS } from "./settings.js";

/** `prefix` + `length` random lowercase hex characters, as knox's `AuthTokenManager.create`. */
export function createKnoxToken(prefix: string, length: number): string {
  return prefix + randomHex(length / 2);
}

/** knox's `hash_token`: SHA-512 of the token's UTF-8 bytes, 128 lowercase hex characters. */
export function knoxDigest(token: string): string {
  return sha512Hex(token);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** knox's `token[:TOKEN_KEY_LENGTH]`: the first 15 characters (code points, as Python slices). */
export function knoxTokenKey(token: string): string {
  if (!NON_ASCII.test(token)) return token.slice(0, KNOX_CONSTANTS.TOKEN_KEY_LENGTH);
  return Array.from(token).slice(0, KNOX_CONSTANTS.TOKEN_KEY_LENGTH).join("");
}
