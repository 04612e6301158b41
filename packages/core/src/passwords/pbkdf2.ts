/**
 * Django's `PBKDF2PasswordHasher` (`pbkdf2_sha256`) and `PBKDF2SHA1PasswordHasher` (`pbkdf2_sha1`):
 * `<algorithm>$<iterations>$<salt>$<base64 hash>`, the hash as long as the digest.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { decodeBase64, encodeBase64, parsePositiveInt, utf8 } from "./_encoding.js";
import type { Verdict } from "./_types.js";
import { pbkdf2Sha256Wasm } from "./pbkdf2-wasm.js";

/** Rows above this are invalid without any work: 10x Django's default, about 2 s with WebCrypto, 20 s without. */
export const PBKDF2_MAX_ITERATIONS = 10_000_000;

const DIGESTS = {
  pbkdf2_sha256: { webCrypto: "SHA-256", noble: sha256, length: 32 },
  pbkdf2_sha1: { webCrypto: "SHA-1", noble: sha1, length: 20 },
} as const;

/** The PBKDF2 algorithms of Django's hash table. */
export type Pbkdf2Algorithm = keyof typeof DIGESTS;

interface Pbkdf2Row {
  readonly algorithm: Pbkdf2Algorithm;
  readonly iterations: number;
  readonly salt: string;
  readonly hash: Uint8Array;
}

/**
 * PBKDF2-HMAC with WebCrypto (native, fast), falling back when the runtime refuses (Cloudflare's production
 * Workers throw `NotSupportedError` above 100,000 iterations; a runtime may refuse other inputs, such as an empty
 * password, with another error): SHA-256 on the WebAssembly core (`pbkdf2-wasm.ts`, about 2x native), else and
 * for SHA-1 `@noble/hashes` `pbkdf2Async` (about 7x native). Every path computes the same bytes.
 */
export async function derivePbkdf2(
  algorithm: Pbkdf2Algorithm,
  password: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const { webCrypto, noble, length } = DIGESTS[algorithm];
  try {
    const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const params = { name: "PBKDF2", hash: webCrypto, salt, iterations };
    return new Uint8Array(await crypto.subtle.deriveBits(params, key, length * 8));
  } catch {
    const wasm = algorithm === "pbkdf2_sha256" ? pbkdf2Sha256Wasm(password, salt, iterations, length) : null;
    return wasm ?? pbkdf2Async(noble, password, salt, { c: iterations, dkLen: length });
  }
}

/** Encodes a password as Django does, e.g. `pbkdf2_sha256$1000000$<salt>$<base64>`. */
export async function encodePbkdf2(
  algorithm: Pbkdf2Algorithm,
  password: string,
  salt: string,
  iterations: number,
): Promise<string> {
  const hash = await derivePbkdf2(algorithm, utf8(password), utf8(salt), iterations);
  return `${algorithm}$${iterations}$${salt}$${encodeBase64(hash)}`;
}

/** Parses a PBKDF2 row, or answers `null` when it is malformed or over {@link PBKDF2_MAX_ITERATIONS}. */
function parsePbkdf2(encoded: string): Pbkdf2Row | null {
  const [algorithm, iterationsText, salt, hashText, ...extra] = encoded.split("$");
  if (algorithm !== "pbkdf2_sha256" && algorithm !== "pbkdf2_sha1") return null;
  if (extra.length > 0 || !salt || hashText === undefined) return null;
  const iterations = parsePositiveInt(iterationsText);
  if (iterations === null || iterations > PBKDF2_MAX_ITERATIONS) return null;
  const hash = decodeBase64(hashText);
  if (hash === null || hash.length !== DIGESTS[algorithm].length) return null;
  return { algorithm, iterations, salt, hash };
}

/** Verifies a `pbkdf2_sha256` or `pbkdf2_sha1` row with the row's own iterations. */
export async function verifyPbkdf2(password: string, encoded: string): Promise<Verdict> {
  const row = parsePbkdf2(encoded);
  if (row === null) return null;
  return constantTimeEqual(await derivePbkdf2(row.algorithm, utf8(password), utf8(row.salt), row.iterations), row.hash);
}

/** The iterations and salt of a well-formed PBKDF2 row (what Django's `must_update` reads), or `null`. */
export function pbkdf2Params(encoded: string): { readonly algorithm: Pbkdf2Algorithm; readonly iterations: number; readonly salt: string } | null {
  const row = parsePbkdf2(encoded);
  return row === null ? null : { algorithm: row.algorithm, iterations: row.iterations, salt: row.salt };
}

/**
 * Django's PBKDF2 `harden_runtime`: after a wrong password, derive `iterations - stored` more times when the row has
 * fewer iterations than the hasher writes, so that the failure costs what a current row's does.
 */
export async function hardenPbkdf2(password: string, encoded: string, iterations: number): Promise<void> {
  const row = parsePbkdf2(encoded);
  if (row === null || row.iterations >= iterations) return;
  await derivePbkdf2(row.algorithm, utf8(password), utf8(row.salt), iterations - row.iterations);
}
