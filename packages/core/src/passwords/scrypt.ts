/**
 * Django's `ScryptPasswordHasher`: `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>`, a 64-byte hash.
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { decodeBase64, encodeBase64, parsePositiveInt, utf8 } from "./_encoding.js";
import { runExclusive } from "./_serial.js";
import type { Verdict } from "./_types.js";

/**
 * The most memory a row may ask for, counted as scrypt's work area `128 * N * r` bytes: 64 MiB, half a Worker's
 * 128 MB. Django's default (N = 2^14, r = 8) takes 16 MiB; Django itself refuses more than 32 MiB (OpenSSL's
 * default `maxmem`, as Django passes `maxmem = 0`).
 */
export const SCRYPT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

/** Caps on `r` and `p`: the other buffers stay under 64 KiB, the time under 13x Django's default (N·r·p ≤ 2^23). */
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELISM = 16;
const HASH_LENGTH = 64;

interface ScryptRow {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly hash: Uint8Array;
}

function isPowerOfTwo(value: number): boolean {
  return value >= 2 && value <= 2 ** 30 && (value & (value - 1)) === 0;
}

/** Parses a scrypt row, or answers `null` when it is malformed or over a cap. */
function parseScrypt(encoded: string): ScryptRow | null {
  const [algorithm, nText, salt, rText, pText, hashText, ...extra] = encoded.split("$");
  if (algorithm !== "scrypt" || extra.length > 0 || !salt || hashText === undefined) return null;
  const [N, r, p] = [parsePositiveInt(nText), parsePositiveInt(rText), parsePositiveInt(pText)];
  if (N === null || r === null || p === null || !isPowerOfTwo(N)) return null;
  if (r > MAX_BLOCK_SIZE || p > MAX_PARALLELISM || 128 * N * r > SCRYPT_MAX_MEMORY_BYTES) return null;
  const hash = decodeBase64(hashText);
  if (hash === null || hash.length !== HASH_LENGTH) return null;
  return { N, r, p, salt, hash };
}

/** Verifies a `scrypt` row. */
export async function verifyScrypt(password: string, encoded: string): Promise<Verdict> {
  const row = parseScrypt(encoded);
  if (row === null) return null;
  const { N, r, p } = row;
  const maxmem = 128 * r * (N + p + 1); // what @noble/hashes allocates, already bounded by the caps above
  const derived = await runExclusive(() =>
    scryptAsync(utf8(password), utf8(row.salt), { N, r, p, dkLen: HASH_LENGTH, maxmem }),
  );
  return constantTimeEqual(derived, row.hash);
}

/** The work factors of a well-formed `scrypt` row (what Django's `ScryptPasswordHasher.must_update` compares), or `null`. */
export function scryptParams(encoded: string): { readonly n: number; readonly r: number; readonly p: number } | null {
  const row = parseScrypt(encoded);
  return row === null ? null : { n: row.N, r: row.r, p: row.p };
}

/** Encodes as Django's `ScryptPasswordHasher.encode`: `scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes>`. */
export async function encodeScrypt(password: string, salt: string, params: { readonly n: number; readonly r: number; readonly p: number }): Promise<string> {
  const { n: N, r, p } = params;
  const maxmem = 128 * r * (N + p + 1);
  const hash = await runExclusive(() => scryptAsync(utf8(password), utf8(salt), { N, r, p, dkLen: HASH_LENGTH, maxmem }));
  return `scrypt$${N}$${salt}$${r}$${p}$${encodeBase64(hash)}`;
}
