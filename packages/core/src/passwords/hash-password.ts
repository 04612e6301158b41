/**
 * `hashPassword`: Django 5.2's default hasher, `pbkdf2_sha256` at 1,000,000 iterations with a 22-character salt.
 * @module
 */
import { ConfigError } from "../errors.js";
import { randomHex } from "../internal/random.js";
import { isWellFormed } from "./_encoding.js";
import { generateSalt } from "./_salt.js";
import { encodePbkdf2, PBKDF2_DEFAULT_ITERATIONS, PBKDF2_MAX_ITERATIONS } from "./pbkdf2.js";

/**
 * Options of {@link hashPassword}.
 * @example
 * const options: HashPasswordOptions = { iterations: 1_200_000 };
 */
export interface HashPasswordOptions {
  /**
   * PBKDF2 iterations, an integer from 1 to 10,000,000. Default 1,000,000 (Django 5.2). Fewer than the default
   * makes `verifyPassword` ask for a rehash on every successful check.
   */
  readonly iterations?: number;
}

function iterationsOf(options: HashPasswordOptions | undefined): number {
  const iterations: unknown = options?.iterations ?? PBKDF2_DEFAULT_ITERATIONS;
  if (typeof iterations !== "number" || !Number.isInteger(iterations)) {
    throw new ConfigError("iterations", "must be an integer");
  }
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new ConfigError("iterations", `must be from 1 to ${PBKDF2_MAX_ITERATIONS}`);
  }
  return iterations;
}

/**
 * Hashes a password as Django 5.2 does: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, readable by Django
 * and by {@link verifyPassword}. The password is taken as its UTF-8 bytes, unnormalized. Derivation uses WebCrypto
 * and falls back to `@noble/hashes` where the runtime refuses the iteration count (Cloudflare's production Workers).
 * Throws `ConfigError` for bad options and `TypeError` for a password that is not a well-formed string.
 * @example
 * const encoded = await hashPassword("correct horse battery staple");
 * // "pbkdf2_sha256$1000000$Xq7pLm2ZrT9vBn4KcW8sYd$..."
 */
export async function hashPassword(password: string, options?: HashPasswordOptions): Promise<string> {
  const iterations = iterationsOf(options);
  if (typeof password !== "string" || !isWellFormed(password)) {
    throw new TypeError("password must be a string of well-formed Unicode (no lone surrogates)");
  }
  return encodePbkdf2("pbkdf2_sha256", password, generateSalt(), iterations);
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
