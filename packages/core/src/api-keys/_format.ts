/**
 * The API key format (internal): `<prefix><id>_<secret><checksum>`, e.g.
 * `pk_live_4qX9kT2mB7wZ_V8c…(32)…3FgH2a`. `id` (12 base62 characters, about 71 bits) is public and used for the
 * lookup; `secret` (32 base62 characters, about 190 bits) is never stored, only the SHA-256 digest of the whole
 * key; `checksum` (6 base62 characters) is the CRC-32 of everything before it, so a secret scanner can recognise
 * a real key offline and the scheme refuses a mistyped one without a store round trip.
 * @module
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const ID_LENGTH = 12;
export const SECRET_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
/** Length of a key after its prefix. */
export const BODY_LENGTH = ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;
const BODY = new RegExp(`^([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

/** `length` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum of a key's first part: its CRC-32 in 6 base62 digits (62^6 > 2^32). */
export function checksumOf(text: string): string {
  let value = crc32(text);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A new key and its public id. */
export function newKey(prefix: string): { key: string; id: string } {
  const id = randomBase62(ID_LENGTH);
  const head = `${prefix}${id}_${randomBase62(SECRET_LENGTH)}`;
  return { key: head + checksumOf(head), id };
}

/**
 * The id of a well-formed key with a valid checksum, else `null`. The caller has checked the prefix.
 * The checksum is not a secret (anyone can compute it), so a plain comparison is fine.
 */
export function parseKey(key: string, prefix: string): string | null {
  if (key.length !== prefix.length + BODY_LENGTH || !key.startsWith(prefix)) return null;
  const match = BODY.exec(key.slice(prefix.length));
  if (match === null) return null;
  const head = key.slice(0, key.length - CHECKSUM_LENGTH);
  return checksumOf(head) === match[3] ? (match[1] as string) : null;
}

/**
 * Whether `text` is a well-formed API key with a valid checksum, offline (for leak scanners and pre-commit hooks).
 * A true answer says the text is shaped like a real key, not that the key exists.
 * @example
 * isApiKeyFormat("pk_live_4qX9kT2mB7wZ_…", "pk_live_"); // true for a key issued with that prefix
 */
export function isApiKeyFormat(text: string, prefix = "pk_live_"): boolean {
  return typeof text === "string" && parseKey(text, prefix) !== null;
}
