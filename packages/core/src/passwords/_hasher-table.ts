/**
 * One Django hasher with the parameters it writes: `encode` (Django's `encode` with a fresh salt), `mustUpdate`
 * (its `must_update`) and `harden` (its `harden_runtime`), for the algorithms Portcullis can write. The rules are the
 * same in Django 3.2 to 6.1; only the parameters differ (`compat().hashers`, `specs/django-versions.md` §1.4).
 * @module
 */
import type { HasherDefaults } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import { ARGON2_MAX_MEMORY_KIB, argon2Params, encodeArgon2 } from "./argon2.js";
import { BCRYPT_MAX_COST, bcryptCost, encodeBcrypt, hardenBcrypt } from "./bcrypt.js";
import { encodePbkdf2, hardenPbkdf2, PBKDF2_MAX_ITERATIONS, pbkdf2Params } from "./pbkdf2.js";
import { generateSalt, isSaltTooShort, SALT_LENGTH } from "./_salt.js";
import { encodeScrypt, SCRYPT_MAX_MEMORY_BYTES, scryptParams } from "./scrypt.js";

/** The algorithms Portcullis writes as Django does (the preferred, first, entry of `hashers` must be one). */
export const WRITABLE_ALGORITHMS = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt"] as const;
/** Every algorithm Portcullis verifies; the legacy ones only ever verify (and always ask for a rehash). */
export const KNOWN_ALGORITHMS = [...WRITABLE_ALGORITHMS, "md5", "sha1", "unsalted_md5", "unsalted_sha1"] as const;

export type WritableAlgorithm = (typeof WRITABLE_ALGORITHMS)[number];
export type HasherAlgorithm = (typeof KNOWN_ALGORITHMS)[number];

/**
 * Parameters that replace a release's defaults, as a Django subclass of a hasher would (`iterations = 720_000`).
 * @example
 * const overrides: HasherOverrides = { pbkdf2_sha256: { iterations: 720_000 }, argon2: { memoryCost: 65_536 } };
 */
export interface HasherOverrides {
  readonly pbkdf2_sha256?: { readonly iterations?: number };
  readonly pbkdf2_sha1?: { readonly iterations?: number };
  readonly argon2?: { readonly timeCost?: number; readonly memoryCost?: number; readonly parallelism?: number; readonly hashLen?: number };
  readonly bcrypt_sha256?: { readonly rounds?: number };
  readonly bcrypt?: { readonly rounds?: number };
  readonly scrypt?: { readonly n?: number; readonly r?: number; readonly p?: number };
}

/** A writable hasher with its parameters. */
export interface Hasher {
  readonly algorithm: WritableAlgorithm;
  encode(password: string): Promise<string>;
  mustUpdate(encoded: string): boolean;
  harden(password: string, encoded: string): Promise<void>;
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

const noHarden = async (): Promise<void> => undefined;

function pbkdf2(algorithm: "pbkdf2_sha256" | "pbkdf2_sha1", defaults: HasherDefaults, overrides: HasherOverrides): Hasher {
  const iterations = integer(`overrides.${algorithm}.iterations`, overrides[algorithm]?.iterations ?? defaults.pbkdf2Iterations, 1, PBKDF2_MAX_ITERATIONS);
  return {
    algorithm,
    encode: (password) => encodePbkdf2(algorithm, password, generateSalt(), iterations),
    mustUpdate(encoded) {
      const row = pbkdf2Params(encoded);
      return row === null || row.iterations !== iterations || isSaltTooShort(row.salt);
    },
    harden: (password, encoded) => hardenPbkdf2(password, encoded, iterations),
  };
}

function argon2(defaults: HasherDefaults, overrides: HasherOverrides): Hasher {
  const given = { ...defaults.argon2, ...overrides.argon2 };
  const memoryCost = integer("overrides.argon2.memoryCost", given.memoryCost, 8, ARGON2_MAX_MEMORY_KIB);
  const timeCost = integer("overrides.argon2.timeCost", given.timeCost, 1, 16);
  const parallelism = integer("overrides.argon2.parallelism", given.parallelism, 1, Math.min(64, Math.floor(memoryCost / 8)));
  const hashLen = integer("overrides.argon2.hashLen", given.hashLen, 4, 1024);
  const params = { memoryCost, timeCost, parallelism, hashLen };
  return {
    algorithm: "argon2",
    encode: (password) => encodeArgon2(password, generateSalt(), params),
    mustUpdate(encoded) {
      // argon2-cffi's `Parameters` equality, salt_len excepted (Django copies it), then `must_update_salt`.
      const row = argon2Params(encoded);
      if (row === null) return true;
      const same = row.variant === "argon2id" && row.version === 0x13 && row.memoryCost === memoryCost &&
        row.timeCost === timeCost && row.parallelism === parallelism && row.hashLen === hashLen;
      return !same || row.saltLength < SALT_LENGTH;
    },
    harden: noHarden, // Django: "too complicated to implement a sensible hardening algorithm"
  };
}

function bcrypt(algorithm: "bcrypt_sha256" | "bcrypt", defaults: HasherDefaults, overrides: HasherOverrides): Hasher {
  const rounds = integer(`overrides.${algorithm}.rounds`, overrides[algorithm]?.rounds ?? defaults.bcryptRounds, 4, BCRYPT_MAX_COST);
  return {
    algorithm,
    encode: (password) => encodeBcrypt(algorithm, password, rounds),
    mustUpdate: (encoded) => bcryptCost(encoded) !== rounds,
    harden: (password, encoded) => hardenBcrypt(password, encoded, rounds),
  };
}

function scrypt(defaults: HasherDefaults, overrides: HasherOverrides): Hasher {
  const given = { n: 16_384, r: 8, p: 1, ...defaults.scrypt, ...overrides.scrypt };
  const n = integer("overrides.scrypt.n", given.n, 2, 2 ** 30);
  const r = integer("overrides.scrypt.r", given.r, 1, 32);
  const p = integer("overrides.scrypt.p", given.p, 1, 16);
  if ((n & (n - 1)) !== 0) throw new ConfigError("overrides.scrypt.n", "must be a power of two");
  if (128 * n * r > SCRYPT_MAX_MEMORY_BYTES) throw new ConfigError("overrides.scrypt", `128 * n * r must be at most ${SCRYPT_MAX_MEMORY_BYTES} bytes`);
  return {
    algorithm: "scrypt",
    encode: (password) => encodeScrypt(password, generateSalt(), { n, r, p }),
    mustUpdate(encoded) {
      const row = scryptParams(encoded);
      return row === null || row.n !== n || row.r !== r || row.p !== p; // Django checks neither salt nor maxmem
    },
    harden: noHarden,
  };
}

/** The hasher `algorithm` with the release's parameters, overridden where the user says so. */
export function buildHasher(algorithm: WritableAlgorithm, defaults: HasherDefaults, overrides: HasherOverrides): Hasher {
  switch (algorithm) {
    case "pbkdf2_sha256":
    case "pbkdf2_sha1":
      return pbkdf2(algorithm, defaults, overrides);
    case "argon2":
      return argon2(defaults, overrides);
    case "bcrypt_sha256":
    case "bcrypt":
      return bcrypt(algorithm, defaults, overrides);
    case "scrypt":
      return scrypt(defaults, overrides);
  }
}
