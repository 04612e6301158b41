/**
 * Strict decoders for the fields of Django's encoded hashes. Each answers `null` for anything that Django would not
 * have written itself (Django compares re-encoded strings, so only canonical fields can ever verify).
 * @module
 */

const encoder = new TextEncoder();
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^[1-9][0-9]{0,15}$/;
const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;
const LONE_SURROGATE = /\p{Cs}/u;

/** The UTF-8 bytes of a string (Django hashes `password.encode()`; nothing is normalized). */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>; // workers-types types it as ArrayBufferLike
}

/** Whether a string can be encoded to UTF-8 without loss (Python refuses lone surrogates, TextEncoder replaces). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Standard base64, padded (Django's `base64.b64encode`) or unpadded (Argon2's PHC strings). */
export function encodeBase64(bytes: Uint8Array, padded = true): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const text = btoa(binary);
  return padded ? text : text.replace(/=+$/, "");
}

/** Decodes canonical standard base64 (padded or not, as asked), or answers `null`. */
export function decodeBase64(text: string, padded = true): Uint8Array | null {
  if (!BASE64.test(text) || (!padded && text.includes("="))) return null;
  let binary: string;
  try {
    binary = atob(padded ? text : text + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return encodeBase64(bytes, padded) === text ? bytes : null;
}

/** Decodes lowercase hex (Python's `hexdigest()`), or answers `null`. */
export function decodeHex(text: string): Uint8Array | null {
  if (!LOWER_HEX.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Parses a positive decimal integer as Django's `"%d"` writes it (no sign, no leading zero), or `null`. */
export function parsePositiveInt(text: string | undefined): number | null {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : null;
}
