/**
 * Django's `Argon2PasswordHasher`: `argon2` followed by argon2-cffi's PHC string,
 * `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>` (unpadded base64). Rows without `v=` are Argon2 1.0
 * (`0x10`), as libargon2 reads them; `argon2i`, `argon2id` and `argon2d` all verify, as with argon2-cffi.
 * @module
 */
import { argon2dAsync, argon2iAsync, argon2idAsync } from "@noble/hashes/argon2.js";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { decodeBase64, encodeBase64, parsePositiveInt, utf8 } from "./_encoding.js";
import { runExclusive } from "./_serial.js";
import type { Verdict } from "./_types.js";

/**
 * The most memory a row may ask for, in KiB: 102,400 (100 MiB), exactly Django's default `memory_cost`, so every
 * row Django 5.2 writes verifies. It is also about what a Worker (128 MB per isolate) can afford: one derivation
 * at a time (they are queued) leaves ~28 MB for everything else. Rows upgrade to PBKDF2 on their next login.
 */
export const ARGON2_MAX_MEMORY_KIB = 102_400;

/** Time cost caps: `t` alone, and memory × passes at 4x Django's default (t = 2 at 100 MiB, ~1.5 s here). */
const MAX_TIME_COST = 16;
const MAX_MEMORY_PASSES = 4 * 2 * ARGON2_MAX_MEMORY_KIB;
const MAX_PARALLELISM = 64;
const SALT_BYTES = { min: 8, max: 1024 }; // libargon2's minimum
const HASH_BYTES = { min: 4, max: 1024 };
const KDFS = { argon2id: argon2idAsync, argon2i: argon2iAsync, argon2d: argon2dAsync } as const;
const PARAMS = /^m=([^,]*),t=([^,]*),p=([^,]*)$/;
const VERSIONS = new Map([["v=16", 0x10], ["v=19", 0x13]]);

interface Argon2Row {
  readonly variant: keyof typeof KDFS;
  readonly version: number;
  readonly m: number;
  readonly t: number;
  readonly p: number;
  readonly salt: Uint8Array;
  readonly hash: Uint8Array;
}

function isWithin(length: number, range: { min: number; max: number }): boolean {
  return length >= range.min && length <= range.max;
}

/** Parses the costs of a row, or answers `null` when they are malformed or over a cap. */
function parseCosts(text: string): { m: number; t: number; p: number } | null {
  const match = PARAMS.exec(text);
  const [m, t, p] = [parsePositiveInt(match?.[1]), parsePositiveInt(match?.[2]), parsePositiveInt(match?.[3])];
  if (m === null || t === null || p === null) return null;
  if (p > MAX_PARALLELISM || m < 8 * p || m > ARGON2_MAX_MEMORY_KIB) return null;
  if (t > MAX_TIME_COST || m * t > MAX_MEMORY_PASSES) return null;
  return { m, t, p };
}

/** Parses an `argon2` row, or answers `null` when it is malformed or over a cap. */
function parseArgon2(encoded: string): Argon2Row | null {
  const fields = encoded.split("$");
  if (fields.length === 5) fields.splice(2, 0, "v=16"); // no version field: Argon2 1.0
  const [algorithm, variant, versionText, costsText, saltText, hashText, ...extra] = fields;
  if (algorithm !== "argon2" || extra.length > 0 || hashText === undefined) return null;
  if (variant !== "argon2id" && variant !== "argon2i" && variant !== "argon2d") return null;
  const version = VERSIONS.get(versionText ?? "");
  const costs = parseCosts(costsText ?? "");
  const salt = decodeBase64(saltText ?? "", false);
  const hash = decodeBase64(hashText, false);
  if (version === undefined || costs === null || salt === null || hash === null) return null;
  if (!isWithin(salt.length, SALT_BYTES) || !isWithin(hash.length, HASH_BYTES)) return null;
  return { variant, version, ...costs, salt, hash };
}

/** Verifies an `argon2` row. */
export async function verifyArgon2(password: string, encoded: string): Promise<Verdict> {
  const row = parseArgon2(encoded);
  if (row === null) return null;
  const { m, t, p, version } = row;
  const options = { m, t, p, version, dkLen: row.hash.length, maxmem: ARGON2_MAX_MEMORY_KIB * 1024 };
  const derived = await runExclusive(() => KDFS[row.variant](utf8(password), row.salt, options));
  return constantTimeEqual(derived, row.hash);
}

/** What Django's `Argon2PasswordHasher.must_update` compares: argon2-cffi's `Parameters` of a row. */
export interface Argon2Params {
  readonly variant: "argon2id" | "argon2i" | "argon2d";
  readonly version: number;
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly hashLen: number;
  /** The salt's length in bytes (Django reads it as latin-1 characters for `must_update_salt`). */
  readonly saltLength: number;
}

/** The parameters of a well-formed `argon2` row, or `null`. */
export function argon2Params(encoded: string): Argon2Params | null {
  const row = parseArgon2(encoded);
  if (row === null) return null;
  const { variant, version, m, t, p } = row;
  return { variant, version, memoryCost: m, timeCost: t, parallelism: p, hashLen: row.hash.length, saltLength: row.salt.length };
}

/**
 * Encodes as Django's `Argon2PasswordHasher.encode`: argon2id, version 19, over the ASCII salt, as
 * `argon2$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>` (unpadded base64).
 */
export async function encodeArgon2(
  password: string,
  salt: string,
  params: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number; readonly hashLen: number },
): Promise<string> {
  const { memoryCost: m, timeCost: t, parallelism: p, hashLen } = params;
  const saltBytes = utf8(salt);
  const options = { m, t, p, version: 0x13, dkLen: hashLen, maxmem: ARGON2_MAX_MEMORY_KIB * 1024 };
  const hash = await runExclusive(() => argon2idAsync(utf8(password), saltBytes, options));
  return `argon2$argon2id$v=19$m=${m},t=${t},p=${p}$${encodeBase64(saltBytes, false)}$${encodeBase64(hash, false)}`;
}
