/**
 * Django-compatible password hashing for the Django release the other half runs: `passwordHashers()` states
 * `PASSWORD_HASHERS` (default Django 5.2's), `hashPassword` writes with its preferred hasher, `verifyPassword`
 * reads every format a Django user table holds and asks for a rehash exactly when that Django would. Work factors
 * are capped before any work (PBKDF2 10,000,000 iterations, scrypt 64 MiB, Argon2 100 MiB, bcrypt cost 16): rows
 * over a cap are invalid, never a hang.
 * @module
 */
export { hashPassword, unusablePasswordHash, type HashPasswordOptions } from "./hash-password.js";
export { verifyPassword, verifyDummyHash, type PasswordCheck } from "./verify-password.js";
export {
  DEFAULT_PASSWORD_HASHERS,
  passwordHashers,
  passwordHashersOf,
  type PasswordHashers,
  type PasswordHashersOptions,
} from "./hashers.js";
export type { HasherAlgorithm, HasherOverrides, WritableAlgorithm } from "./_hasher-table.js";
export { isBcryptAvailable } from "./bcrypt.js";
export { pbkdf2WasmAvailable, usePbkdf2Wasm } from "./pbkdf2-wasm.js";
