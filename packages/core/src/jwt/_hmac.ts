/**
 * Synchronous HMAC-SHA2 to base64url for the HS* fast path: `node:crypto` `createHmac` when the runtime exposes it
 * without a static `node:` import (Node, Bun, Deno through `process.getBuiltinModule`), otherwise `@noble/hashes`
 * with the keyed state computed once (workerd without nodejs_compat). No hand-written primitive (internal).
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { encodeSegmentBinary } from "./_compact.js";

/** The HMAC algorithms of JWS. */
export type HmacAlgorithm = "HS256" | "HS384" | "HS512";

/** Signs `signingInput` (ASCII) and answers the base64url signature. */
export type HmacSigner = (signingInput: string) => string;

interface NativeHmac {
  update(data: string): NativeHmac;
  digest(encoding: "base64url"): string;
}
type CreateHmac = (algorithm: string, key: Uint8Array) => NativeHmac;

const HASH_NAMES = { HS256: "sha256", HS384: "sha384", HS512: "sha512" } as const;
const NOBLE = { HS256: sha256, HS384: sha384, HS512: sha512 } as const;

function findCreateHmac(): CreateHmac | null {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.("node:crypto") as { createHmac?: CreateHmac } | undefined;
    if (typeof mod?.createHmac !== "function") return null;
    // RFC 4231 test case 2 ("Jefe"), so a shimmed module that answers anything else is never used.
    const probe = mod.createHmac("sha256", new TextEncoder().encode("Jefe")).update("what do ya want for nothing?").digest("base64url");
    return probe === "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM" ? mod.createHmac : null;
  } catch {
    return null;
  }
}

const nativeCreateHmac = findCreateHmac();

/** A signer for `algorithm` keyed with `key`; `portable` forces `@noble/hashes` (tests, benchmarks). */
export function hmacSigner(algorithm: HmacAlgorithm, key: Uint8Array, portable = false): HmacSigner {
  const create = portable ? null : nativeCreateHmac;
  if (create !== null) {
    const name = HASH_NAMES[algorithm];
    return (input) => create(name, key).update(input).digest("base64url");
  }
  const keyed = hmac.create(NOBLE[algorithm], key);
  const encoder = new TextEncoder();
  return (input) => {
    const mac = keyed.clone().update(encoder.encode(input)).digest();
    let binary = "";
    for (const byte of mac) binary += String.fromCharCode(byte);
    return encodeSegmentBinary(binary);
  };
}
