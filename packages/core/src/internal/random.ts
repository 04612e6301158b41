/** Randomness, always from `crypto.getRandomValues`. @module */

/** `byteLength` random bytes as lowercase hex. */
export function randomHex(byteLength: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteLength));
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
