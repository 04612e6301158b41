/**
 * Django-compatible password hashing: `hashPassword` writes Django 5.2's default format, `verifyPassword` reads
 * every format a Django user table holds. Work factors are capped before any work (PBKDF2 10,000,000 iterations,
 * scrypt 64 MiB, Argon2 100 MiB, bcrypt cost 16): rows over a cap are invalid, never a hang.
 * @module
 */
export { hashPassword, unusablePasswordHash, type HashPasswordOptions } from "./hash-password.js";
export { verifyPassword, verifyDummyHash, type PasswordCheck } from "./verify-password.js";
export { isBcryptAvailable } from "./bcrypt.js";
export { pbkdf2WasmAvailable, usePbkdf2Wasm } from "./pbkdf2-wasm.js";
