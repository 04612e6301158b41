/**
 * Synchronous SHA-256 to lowercase hex, the token hot path. Uses the runtime's native `node:crypto` `hash()`
 * when it is reachable without a static `node:` import (Node, Bun, Deno through `process.getBuiltinModule`),
 * otherwise `@noble/hashes` (workerd without nodejs_compat, browsers).
 * @module
 */
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

type NativeHash = (algorithm: string, data: string, encoding: "hex") => string;

function findNativeHash(): NativeHash | null {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.("node:crypto") as { hash?: NativeHash } | undefined;
    if (typeof mod?.hash !== "function") return null;
    const probe = mod.hash("sha256", "abc", "hex");
    return probe === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" ? mod.hash : null;
  } catch {
    return null;
  }
}

const nativeHash = findNativeHash();

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex characters. */
export function sha256Hex(text: string): string {
  if (nativeHash !== null) return nativeHash("sha256", text, "hex");
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** SHA-512 of the UTF-8 bytes of `text`, as 128 lowercase hex characters (knox's digest); native when reachable. */
export function sha512Hex(text: string): string {
  if (nativeHash !== null) return nativeHash("sha512", text, "hex");
  return bytesToHex(sha512(utf8ToBytes(text)));
}
