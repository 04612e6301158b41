/**
 * Strict RFC 4648 base64 decoding: standard alphabet, padding required, no other characters.
 * (Python's `base64.b64decode`, which DRF uses, silently drops characters outside the alphabet.)
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Decodes strict base64, answering `null` for bad length, padding or characters (spare bits are ignored, as Python does). */
export function decodeBase64Strict(input: string): Uint8Array | null {
  const length = input.length;
  if (length % 4 !== 0) return null;
  let padding = 0;
  if (length > 0 && input.charCodeAt(length - 1) === 61) padding++;
  if (length > 1 && input.charCodeAt(length - 2) === 61) padding++;
  const out = new Uint8Array((length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length;
    const a = sextet(input, i);
    const b = sextet(input, i + 1);
    const c = last && padding === 2 ? 0 : sextet(input, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(input, i + 3);
    if ((a | b | c | d) < 0) return null;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = triple >> 16;
    if (o < out.length) out[o++] = (triple >> 8) & 0xff;
    if (o < out.length) out[o++] = triple & 0xff;
  }
  return out;
}

function sextet(input: string, index: number): number {
  const code = input.charCodeAt(index);
  return code < 256 ? (LOOKUP[code] ?? -1) : -1;
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    out += ALPHABET[triple >> 18];
    out += ALPHABET[(triple >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(triple >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[triple & 63] : "=";
  }
  return out;
}
