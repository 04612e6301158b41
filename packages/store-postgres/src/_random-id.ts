/**
 * Random ids of `postgresStore` (internal).
 * @module
 */

/** 128 random bits as 32 lowercase hex characters, from `crypto.getRandomValues`. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
