/**
 * `passwordHashers()`: Django's `PASSWORD_HASHERS` for the release the Django half runs, as one value. It decides
 * what a new hash is, which stored hashes verify, and exactly when a successful check asks for a rehash (Django's
 * `check_password`: `hasher_changed` or the preferred hasher's `must_update`), with `harden_runtime` on failures.
 * @module
 */
import { compatOf, type Compat } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import { isWellFormed } from "./_encoding.js";
import {
  buildHasher,
  KNOWN_ALGORITHMS,
  WRITABLE_ALGORITHMS,
  type Hasher,
  type HasherAlgorithm,
  type HasherOverrides,
  type WritableAlgorithm,
} from "./_hasher-table.js";
import type { Verdict } from "./_types.js";
import { identify, VERIFIERS } from "./_verifiers.js";

/**
 * The answer of a password check. `needsRehash` is only ever `true` with `valid`: Django would rewrite this row
 * now, so store `await hashers.hash(password)` in its place.
 * @example
 * const check: PasswordCheck = { valid: true, needsRehash: false };
 */
export interface PasswordCheck {
  readonly valid: boolean;
  readonly needsRehash: boolean;
}

/**
 * Options of {@link passwordHashers}.
 * @example
 * const options: PasswordHashersOptions = { compat: compat({ django: "4.2" }), hashers: ["argon2", "pbkdf2_sha256"] };
 */
export interface PasswordHashersOptions {
  /** The releases the Django half runs (`compat()`); default Django 5.2. Gives every hasher's default parameters. */
  readonly compat?: Compat;
  /**
   * `PASSWORD_HASHERS` by algorithm name, preferred first (`"pbkdf2_sha256"`, `"pbkdf2_sha1"`, `"argon2"`,
   * `"bcrypt_sha256"`, `"bcrypt"`, `"scrypt"`, and the verify-only `"md5"`, `"sha1"`, `"unsalted_md5"`,
   * `"unsalted_sha1"`). Rows of any other algorithm are invalid. Default: that Django's own default list.
   */
  readonly hashers?: readonly string[];
  /** Parameters replacing the release's defaults, as a Django subclass of the hasher would set them. */
  readonly overrides?: HasherOverrides;
}

/**
 * Django's password hashing for one release and one `PASSWORD_HASHERS`. Build it once with {@link passwordHashers}
 * and pass it (`passwordHashers: …`) to every login path: `basicAuth`, `obtainTokenHandler`, the JWT obtain and
 * session login endpoints, and to `hashPassword` / `verifyPassword`.
 */
export interface PasswordHashers {
  readonly compat: Compat;
  /** The algorithms that verify, preferred first. */
  readonly algorithms: readonly HasherAlgorithm[];
  /** The algorithm new hashes are written with. */
  readonly preferred: WritableAlgorithm;
  /** A new hash with the preferred hasher, a fresh 22-character salt and its parameters. */
  hash(password: string): Promise<string>;
  /** Django's `check_password`, never throwing; a failure costs at least one preferred hash. */
  verify(password: string, encoded: string | null | undefined): Promise<PasswordCheck>;
  /** Spends one preferred hash and answers invalid (an unknown user, as Django's `ModelBackend` does). */
  dummy(password: string): Promise<PasswordCheck>;
  readonly [BRAND]: true;
}

const BRAND = Symbol("portcullis.passwordHashers");
const INVALID: PasswordCheck = Object.freeze({ valid: false, needsRehash: false });
/** Longer rows are malformed: Django's `password` column holds 128 characters; this leaves room for custom ones. */
const MAX_ENCODED_LENGTH = 4096;

function isWritable(algorithm: string): algorithm is WritableAlgorithm {
  return (WRITABLE_ALGORITHMS as readonly string[]).includes(algorithm);
}

function algorithmsOf(value: unknown, releases: Compat): HasherAlgorithm[] {
  const known = KNOWN_ALGORITHMS as readonly string[];
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError("hashers", "must be a non-empty list of algorithm names");
  const seen = new Set<string>();
  for (const name of value as unknown[]) {
    if (typeof name !== "string" || !known.includes(name)) throw new ConfigError("hashers", `unknown algorithm ${JSON.stringify(name)} (known: ${known.join(", ")})`);
    if (seen.has(name)) throw new ConfigError("hashers", `lists ${name} twice`);
    if (releases.hashers.removedHashers.includes(name)) throw new ConfigError("hashers", `${name} was removed in Django ${releases.django.text} or earlier`);
    if (name === "scrypt" && releases.hashers.scrypt === null) throw new ConfigError("hashers", `scrypt needs Django 4.0 or later (stated: ${releases.django.text})`);
    seen.add(name);
  }
  const preferred = value[0] as string;
  if (!isWritable(preferred)) throw new ConfigError("hashers", `${preferred} cannot be the preferred (first) hasher: it is verify-only (use one of ${WRITABLE_ALGORITHMS.join(", ")})`);
  return [...seen] as HasherAlgorithm[];
}

function build(releases: Compat, algorithms: readonly HasherAlgorithm[], overrides: HasherOverrides): PasswordHashers {
  const hashers = new Map<string, Hasher>();
  for (const algorithm of algorithms) if (isWritable(algorithm)) hashers.set(algorithm, buildHasher(algorithm, releases.hashers, overrides));
  const preferred = hashers.get(algorithms[0] as string) as Hasher;
  const dummy = async (password: string): Promise<PasswordCheck> => {
    await preferred.encode(typeof password === "string" && isWellFormed(password) ? password : "").catch(() => undefined);
    return INVALID;
  };
  const verify = async (password: string, encoded: string | null | undefined): Promise<PasswordCheck> => {
    if (typeof password !== "string" || !isWellFormed(password)) return dummy("");
    if (typeof encoded !== "string" || encoded === "" || encoded.length > MAX_ENCODED_LENGTH || encoded.startsWith("!")) return dummy(password);
    const algorithm = identify(encoded);
    const verifier = VERIFIERS.get(algorithm);
    if (verifier === undefined || !(algorithms as readonly string[]).includes(algorithm)) return dummy(password);
    const hasherChanged = algorithm !== preferred.algorithm;
    let verdict: Verdict;
    try {
      verdict = await verifier(password, encoded);
    } catch {
      verdict = null;
    }
    // Portcullis, beyond Django: a row that cannot be checked, or a failed check of another algorithm's row (a
    // cheap legacy row above all), also spends one preferred hash, so that it takes no less than an unknown user's.
    if (verdict === null || (!verdict && hasherChanged)) return dummy(password);
    const mustUpdate = hasherChanged || preferred.mustUpdate(encoded);
    if (!verdict && mustUpdate) await preferred.harden(password, encoded).catch(() => undefined);
    return verdict ? { valid: true, needsRehash: mustUpdate } : INVALID;
  };
  return Object.freeze({
    compat: releases,
    algorithms: Object.freeze([...algorithms]),
    preferred: preferred.algorithm,
    hash: (password: string) => preferred.encode(password),
    verify,
    dummy,
    [BRAND]: true as const,
  });
}

/**
 * Django's password hashing for the stated release and `PASSWORD_HASHERS`: the first hasher writes, every listed
 * one verifies, and a successful check asks for a rehash exactly when that Django's `check_password` would (another
 * algorithm than the preferred one, or its `must_update`: PBKDF2 iterations different in either direction or a
 * short salt, argon2 parameters or hash length, bcrypt rounds, scrypt N/r/p). Two halves with the same settings
 * therefore never rewrite each other's hashes. A wrong password against a weaker row of the preferred hasher runs
 * its `harden_runtime`. Throws `ConfigError` for an unknown, duplicated, removed or verify-only-first algorithm.
 * @example
 * const hashers = passwordHashers({ compat: compat({ django: "4.2" }), hashers: ["argon2", "pbkdf2_sha256"] });
 * const encoded = await hashers.hash("correct horse battery staple"); // "argon2$argon2id$v=19$m=102400,t=2,p=8$…"
 */
export function passwordHashers(options: PasswordHashersOptions = {}): PasswordHashers {
  if (typeof options !== "object" || options === null) throw new ConfigError("passwordHashers", "must be an object");
  const releases = compatOf(options.compat);
  const overrides = options.overrides ?? {};
  if (typeof overrides !== "object" || overrides === null) throw new ConfigError("overrides", "must be an object");
  for (const key of Object.keys(overrides)) if (!isWritable(key)) throw new ConfigError("overrides", `${key} is not a hasher with parameters (${WRITABLE_ALGORITHMS.join(", ")})`);
  return build(releases, algorithmsOf(options.hashers ?? releases.hashers.passwordHashers, releases), overrides);
}

/**
 * What every login path uses when nothing is stated: Django 5.2's preferred `pbkdf2_sha256` at 1,000,000
 * iterations, verifying every algorithm Portcullis reads (Django's default list plus `bcrypt` and the legacy
 * digests, so that old tables keep working; a successful check of any of them asks for a rehash).
 */
export const DEFAULT_PASSWORD_HASHERS: PasswordHashers = build(compatOf(undefined), [...KNOWN_ALGORITHMS], {});

/** The hashers an option holds (`undefined` → {@link DEFAULT_PASSWORD_HASHERS}), or a `ConfigError` naming it. */
export function passwordHashersOf(value: unknown, option = "passwordHashers"): PasswordHashers {
  if (value === undefined) return DEFAULT_PASSWORD_HASHERS;
  if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
    throw new ConfigError(option, "must be built by passwordHashers({ compat, hashers, overrides })");
  }
  return value as PasswordHashers;
}
