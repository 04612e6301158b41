/**
 * PBKDF2-HMAC-SHA256 on a WebAssembly core, for runtimes without native PBKDF2 at Django's cost (Cloudflare's
 * production Workers refuse WebCrypto PBKDF2 above 100,000 iterations). Node, Deno and Bun compile the core from
 * its bytes on first use; Workers forbid compiling code at run time, so there the module is imported as a file
 * (`@portcullis/core/pbkdf2-sha256.wasm`, which wrangler bundles as a `WebAssembly.Module`) and handed to
 * {@link usePbkdf2Wasm}.
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { BLOCK, INNER, OUTER, STATE, T, U, pbkdf2Sha256WasmBytes } from "./_sha256-wasm.js";

interface Core {
  readonly words: Uint32Array;
  compress(): void;
  iterate(n: number): void;
}

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const SLICE = 2048;
let core: Core | null | undefined;

function instantiate(module: WebAssembly.Module): Core {
  const instance = new WebAssembly.Instance(module, {});
  const { memory, compress, iterate } = instance.exports as { memory: WebAssembly.Memory; compress: () => void; iterate: (n: number) => void };
  return { words: new Uint32Array(memory.buffer), compress, iterate };
}

/**
 * Uses this compiled module (a `WebAssembly.Module`) as the PBKDF2-SHA256 core (on Workers: the imported
 * `pbkdf2-sha256.wasm`). Typed as `object` so that projects without the WebAssembly types (Node's without the DOM
 * lib) can still read this declaration; anything but a compiled module throws a `TypeError` here.
 * @example
 * import pbkdf2Wasm from "@portcullis/core/pbkdf2-sha256.wasm";
 * usePbkdf2Wasm(pbkdf2Wasm);
 */
export function usePbkdf2Wasm(module: object): void {
  if (typeof WebAssembly === "undefined" || !(module instanceof WebAssembly.Module)) {
    throw new TypeError("usePbkdf2Wasm: expected the compiled module of @portcullis/core/pbkdf2-sha256.wasm");
  }
  core = instantiate(module);
}

/**
 * Whether PBKDF2-SHA256 has its WebAssembly core here (compiled on first use where the runtime allows it; on
 * Workers only after {@link usePbkdf2Wasm}). Without it, a login that WebCrypto refuses runs in JavaScript.
 * @example
 * if (!pbkdf2WasmAvailable()) console.warn("PBKDF2 logins will run in JavaScript (about 7x native)");
 */
export function pbkdf2WasmAvailable(): boolean {
  return coreOf() !== null;
}

/** The core: the registered one, else compiled from its bytes (`null` where the runtime forbids it). */
function coreOf(): Core | null {
  if (core !== undefined) return core;
  try {
    // Workers' types declare the constructor abstract (the runtime refuses it); elsewhere it compiles the bytes.
    const compile = WebAssembly.Module as unknown as new (bytes: BufferSource) => WebAssembly.Module;
    core = instantiate(new compile(pbkdf2Sha256WasmBytes()));
  } catch {
    core = null; // no WebAssembly, or code generation disallowed (Workers without usePbkdf2Wasm)
  }
  return core;
}

/** The state after compressing one 64-byte block (as big-endian words) from `from`. */
function stateAfter(c: Core, from: readonly number[] | Uint32Array, block: Uint8Array): number[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  for (let j = 0; j < 8; j += 1) c.words[STATE / 4 + j] = from[j] as number;
  for (let j = 0; j < 16; j += 1) c.words[BLOCK / 4 + j] = view.getUint32(4 * j);
  c.compress();
  return Array.from(c.words.subarray(STATE / 4, STATE / 4 + 8));
}

/**
 * PBKDF2-HMAC-SHA256 on the WebAssembly core, the same bytes as RFC 8018 (checked against `node:crypto` in the
 * tests); `null` when no core can run here.
 * @example
 * const hash = pbkdf2Sha256Wasm(utf8("pw"), utf8("salt"), 1_000_000, 32);
 */
export function pbkdf2Sha256Wasm(password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Uint8Array | null {
  const c = coreOf();
  if (c === null) return null;
  const key = new Uint8Array(64);
  key.set(password.length > 64 ? sha256(password) : password);
  const pad = (byte: number) => key.map((k) => k ^ byte);
  const inner = stateAfter(c, IV, pad(0x36));
  const outer = stateAfter(c, IV, pad(0x5c));
  const out = new Uint8Array(Math.ceil(dkLen / 32) * 32);
  const view = new DataView(out.buffer);
  const message = new Uint8Array(salt.length + 4);
  message.set(salt);
  for (let block = 1; block * 32 - 32 < dkLen; block += 1) {
    new DataView(message.buffer).setUint32(salt.length, block);
    const first = new DataView(hmac(sha256, password, message).buffer);
    for (let j = 0; j < 8; j += 1) {
      c.words[INNER / 4 + j] = inner[j] as number;
      c.words[OUTER / 4 + j] = outer[j] as number;
      c.words[U / 4 + j] = c.words[T / 4 + j] = first.getUint32(4 * j);
    }
    // In slices: V8 runs a wasm function's first calls on its baseline compiler and cannot switch a running call
    // over to the optimized code, so one call of a million rounds would stay on the slow tier to the end.
    for (let left = iterations - 1; left > 0; left -= SLICE) c.iterate(Math.min(SLICE, left));
    for (let j = 0; j < 8; j += 1) view.setUint32((block - 1) * 32 + 4 * j, c.words[T / 4 + j] as number);
  }
  return out.subarray(0, dkLen);
}
