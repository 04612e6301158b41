/**
 * Django's `BCryptSHA256PasswordHasher` (`bcrypt_sha256$$2b$12$...`, the password first turned into the hex of its
 * SHA-256) and `BCryptPasswordHasher` (`bcrypt$$2b$12$...`, the password itself, of which bcrypt reads 72 bytes).
 * bcrypt comes from `bcryptjs`, an optional dependency loaded on first use; without it these rows are invalid
 * (a warning naming `bcryptjs` is logged once, and {@link isBcryptAvailable} answers `false`).
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { utf8 } from "./_encoding.js";
import type { Verdict } from "./_types.js";

/** Rows above this cost are invalid without any work: 16 is 16x Django's default of 12 (~5.6 s here). */
export const BCRYPT_MAX_COST = 16;

/** A modular-crypt bcrypt string: `$2a$`, `$2b$` or `$2y$`, two-digit cost, 22 salt and 31 hash characters. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SALT_END = 29;

interface Bcrypt {
  hash(password: string, salt: string): Promise<string>;
  genSalt(rounds: number): Promise<string>;
}

let loading: Promise<Bcrypt | null> | undefined;

/** Loads `bcryptjs` once; answers `null` (after one warning) when it cannot be imported. */
function loadBcrypt(): Promise<Bcrypt | null> {
  loading ??= import("bcryptjs").then(
    (module): Bcrypt => module.default ?? module,
    (): null => {
      console.warn("@portcullis/core: bcrypt hashes cannot be verified: install the optional dependency `bcryptjs`.");
      return null;
    },
  );
  return loading;
}

/**
 * Whether `bcryptjs` can be loaded, so that `bcrypt` and `bcrypt_sha256` hashes verify. Without it they are
 * invalid (`verifyPassword` never throws); call this at startup to fail loudly instead.
 * @example
 * if (!(await isBcryptAvailable())) throw new Error("npm install bcryptjs: this user table has bcrypt hashes");
 */
export async function isBcryptAvailable(): Promise<boolean> {
  return (await loadBcrypt()) !== null;
}

/** The work factor of a well-formed `bcrypt` or `bcrypt_sha256` row (Django's `must_update` compares it), or `null`. */
export function bcryptCost(encoded: string): number | null {
  const cost = Number(BCRYPT.exec(encoded.slice(encoded.indexOf("$") + 1))?.[1]);
  return cost >= 4 && cost <= BCRYPT_MAX_COST ? cost : null;
}

function secretOf(prehash: boolean, password: string): string {
  return prehash ? bytesToHex(sha256(utf8(password))) : password;
}

/**
 * Encodes as Django's bcrypt hashers: `bcrypt_sha256$$2b$<rounds>$…` (over the hex SHA-256 of the password) or
 * `bcrypt$$2b$<rounds>$…`. Throws when `bcryptjs` is missing (a preferred bcrypt hasher needs it).
 */
export async function encodeBcrypt(algorithm: "bcrypt_sha256" | "bcrypt", password: string, rounds: number): Promise<string> {
  if (algorithm === "bcrypt" && password.includes("\0")) throw new TypeError("bcrypt cannot hash a password holding a NUL byte");
  const bcrypt = await loadBcrypt();
  if (bcrypt === null) throw new Error("@portcullis/core: writing bcrypt hashes needs the optional dependency `bcryptjs`");
  const salt = await bcrypt.genSalt(rounds);
  return `${algorithm}$${await bcrypt.hash(secretOf(algorithm === "bcrypt_sha256", password), salt)}`;
}

/** Django's bcrypt `harden_runtime`: `2^(rounds - stored) - 1` more hashes with the row's own salt. */
export async function hardenBcrypt(password: string, encoded: string, rounds: number): Promise<void> {
  const stored = bcryptCost(encoded);
  const bcrypt = stored === null ? null : await loadBcrypt();
  if (stored === null || bcrypt === null) return;
  const data = encoded.slice(encoded.indexOf("$") + 1);
  const secret = secretOf(encoded.startsWith("bcrypt_sha256$"), password);
  for (let extra = 2 ** (rounds - stored) - 1; extra > 0; extra--) await bcrypt.hash(secret, data.slice(0, SALT_END));
}

/** Verifies a `bcrypt_sha256` or `bcrypt` row. */
export async function verifyBcrypt(password: string, encoded: string): Promise<Verdict> {
  const prehash = encoded.startsWith("bcrypt_sha256$");
  const data = encoded.slice(encoded.indexOf("$") + 1);
  const cost = Number(BCRYPT.exec(data)?.[1]);
  if (!(cost >= 4 && cost <= BCRYPT_MAX_COST)) return null;
  // pyca/bcrypt refuses a password with a NUL byte (ValueError), so Django never verified one against a bcrypt row.
  if (!prehash && password.includes("\0")) return false;
  const bcrypt = await loadBcrypt();
  if (bcrypt === null) return null;
  const secret = secretOf(prehash, password);
  const computed = await bcrypt.hash(secret, data.slice(0, SALT_END));
  return constantTimeEqual(utf8(computed), utf8(data));
}
