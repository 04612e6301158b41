/**
 * `hashPassword`: a new Django-format hash, with the preferred hasher of `passwordHashers` (default Django 5.2's
 * `pbkdf2_sha256` at 1,000,000 iterations) and a 22-character salt.
 * @module
 */
import { ConfigError } from "../errors.js";
import { randomHex } from "../internal/random.js";
import { isWellFormed } from "./_encoding.js";
import { generateSalt } from "./_salt.js";
import { passwordHashersOf, type PasswordHashers } from "./hashers.js";
import { encodePbkdf2, PBKDF2_MAX_ITERATIONS } from "./pbkdf2.js";

/**
 * Options of {@link hashPassword}.
 * @example
 * const options: HashPasswordOptions = { passwordHashers: passwordHashers({ compat: compat({ django: "4.2" }) }) };
 */
export interface HashPasswordOptions {
  /** The Django release and `PASSWORD_HASHERS` to write for (`passwordHashers()`); default Django 5.2's. */
  readonly passwordHashers?: PasswordHashers;
  /**
   * `pbkdf2_sha256` iterations, an integer from 1 to 10,000,000, for a one-off hash (not with `passwordHashers`:
   * state a custom count there as `overrides`). Any count other than the release's makes a check of the row ask
   * for a rehash, as Django's `must_update` does.
   */
  readonly iterations?: number;
}

function iterationsOf(options: HashPasswordOptions): number | undefined {
  const iterations: unknown = options.iterations;
  if (iterations === undefined) return undefined;
  if (options.passwordHashers !== undefined) {
    throw new ConfigError("iterations", "cannot be combined with passwordHashers: state it there as overrides");
  }
  if (typeof iterations !== "number" || !Number.isInteger(iterations)) {
    throw new ConfigError("iterations", "must be an integer");
  }
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new ConfigError("iterations", `must be from 1 to ${PBKDF2_MAX_ITERATIONS}`);
  }
  return iterations;
}

/**
 * Hashes a password as the stated Django does, readable by that Django and by {@link verifyPassword}: by default
 * `pbkdf2_sha256$1000000$<salt>$<base64 hash>` (Django 5.2), or with the preferred hasher of `passwordHashers`
 * (`argon2`, `bcrypt_sha256`, `bcrypt`, `scrypt`, `pbkdf2_sha1`) at that release's parameters. The password is
 * taken as its UTF-8 bytes, unnormalized. Throws `ConfigError` for bad options and `TypeError` for a password that
 * is not a well-formed string.
 * @example
 * const encoded = await hashPassword("correct horse battery staple");
 * // "pbkdf2_sha256$1000000$Xq7pLm2ZrT9vBn4KcW8sYd$..."
 */
export async function hashPassword(password: string, options: HashPasswordOptions = {}): Promise<string> {
  const iterations = iterationsOf(options);
  const hashers = passwordHashersOf(options.passwordHashers);
  if (typeof password !== "string" || !isWellFormed(password)) {
    throw new TypeError("password must be a string of well-formed Unicode (no lone surrogates)");
  }
  if (iterations !== undefined) return encodePbkdf2("pbkdf2_sha256", password, generateSalt(), iterations);
  return hashers.hash(password);
}

/**
 * An unusable password hash, as Django's `make_password(None)` writes it: `!` and 40 random characters. No
 * password ever verifies against it; the user can still authenticate by token.
 * @example
 * await store.createUser({ username: "robot", passwordHash: unusablePasswordHash() });
 */
export function unusablePasswordHash(): string {
  return `!${randomHex(20)}`;
}
