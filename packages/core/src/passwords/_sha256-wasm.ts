/**
 * A WebAssembly PBKDF2-HMAC-SHA256 core, written here as code that emits the module's bytes (no compiler, no
 * downloaded toolchain): SHA-256's compression fully unrolled on i32 locals. It exports `compress()` (one block at
 * `BLOCK` into the state at `STATE`) and `iterate(n)` (n PBKDF2 rounds from the HMAC inner/outer states at `INNER`
 * and `OUTER`, XOR-ing each U into T). Words are kept as numbers (big-endian bytes are converted by the caller).
 * @module
 */

/** Byte offsets in the module's memory (one page). */
export const INNER = 0;
export const OUTER = 32;
export const U = 64;
export const T = 96;
export const BLOCK = 128;
export const STATE = 192;

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const OP = { get: 0x20, set: 0x21, tee: 0x22, const: 0x41, add: 0x6a, sub: 0x6b, and: 0x71, or: 0x72, xor: 0x73, shrU: 0x76, rotr: 0x78, load: 0x28, store: 0x36 };

function leb(value: number, signed: boolean): number[] {
  const out: number[] = [];
  let v = signed ? value | 0 : value >>> 0;
  for (;;) {
    const byte = v & 0x7f;
    v = signed ? v >> 7 : v >>> 7;
    const done = signed ? (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0) : v === 0;
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Locals of `iterate`: 0 = n, 1–8 = U, 9–16 = T, 17–80 = W, 81–88 = a..h, 89 = t1. `compress` uses the same layout. */
const N = 0, Ul = 1, Tl = 9, W = 17, V = 81, T1 = 89;

class Code {
  readonly bytes: number[] = [];
  get(i: number) { this.bytes.push(OP.get, ...leb(i, false)); return this; }
  set(i: number) { this.bytes.push(OP.set, ...leb(i, false)); return this; }
  c(v: number) { this.bytes.push(OP.const, ...leb(v, true)); return this; }
  op(code: number) { this.bytes.push(code); return this; }
  load(offset: number) { this.bytes.push(OP.const, 0, OP.load, 2, ...leb(offset, false)); return this; }
  rotr(i: number, n: number) { return this.get(i).c(n).op(OP.rotr); }
  /** rotr(x,a) ^ rotr(x,b) ^ (rotr or shr)(x,c) */
  sigma(i: number, a: number, b: number, c: number, shift: boolean) {
    this.rotr(i, a).rotr(i, b).op(OP.xor).get(i).c(c).op(shift ? OP.shrU : OP.rotr).op(OP.xor);
    return this;
  }
}

/** One compression: W[0..15] already set; state read from memory at `stateOffset`; result into `dest` locals (8). */
function compress(code: Code, stateOffset: number, dest: number, storeTo: number | null): void {
  for (let t = 16; t < 64; t += 1) {
    code.sigma(W + t - 2, 17, 19, 10, true).get(W + t - 7).op(OP.add).sigma(W + t - 15, 7, 18, 3, true).op(OP.add);
    code.get(W + t - 16).op(OP.add).set(W + t);
  }
  for (let j = 0; j < 8; j += 1) code.load(stateOffset + 4 * j).set(V + j);
  let [a, b, c, d, e, f, g, h] = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => V + j) as [number, number, number, number, number, number, number, number];
  for (let t = 0; t < 64; t += 1) {
    // t1 = h + Σ1(e) + Ch(e,f,g) + K[t] + W[t];  Ch = g ^ (e & (f ^ g))
    code.get(h).sigma(e, 6, 11, 25, false).op(OP.add).get(g).get(e).get(f).get(g).op(OP.xor).op(OP.and).op(OP.xor).op(OP.add);
    code.c(K[t] as number).op(OP.add).get(W + t).op(OP.add).set(T1);
    code.get(d).get(T1).op(OP.add).set(d);
    // h = t1 + Σ0(a) + Maj(a,b,c);  Maj = (a & b) | (c & (a | b))
    code.get(T1).sigma(a, 2, 13, 22, false).op(OP.add).get(a).get(b).op(OP.and).get(c).get(a).get(b).op(OP.or).op(OP.and).op(OP.or);
    code.op(OP.add).set(h);
    [a, b, c, d, e, f, g, h] = [h, a, b, c, d, e, f, g];
  }
  const final = [a, b, c, d, e, f, g, h];
  for (let j = 0; j < 8; j += 1) {
    if (storeTo !== null) code.c(0);
    code.load(stateOffset + 4 * j).get(final[j] as number).op(OP.add);
    if (storeTo !== null) code.bytes.push(OP.store, 2, ...leb(storeTo + 4 * j, false));
    else code.set(dest + j);
  }
}

/** W[0..7] = U, then the fixed padding of a 32-byte message after one 64-byte key block (96 bytes = 768 bits). */
function padU(code: Code): void {
  for (let j = 0; j < 8; j += 1) code.get(Ul + j).set(W + j);
  code.c(0x80000000).set(W + 8);
  for (let j = 9; j < 15; j += 1) code.c(0).set(W + j);
  code.c(768).set(W + 15);
}

function iterateBody(): number[] {
  const code = new Code();
  for (let j = 0; j < 8; j += 1) code.load(U + 4 * j).set(Ul + j).load(T + 4 * j).set(Tl + j);
  code.bytes.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.get(N).bytes.push(0x45, 0x0d, 1); // n == 0 → exit
  padU(code);
  compress(code, INNER, Ul, null);
  padU(code);
  compress(code, OUTER, Ul, null);
  for (let j = 0; j < 8; j += 1) code.get(Tl + j).get(Ul + j).op(OP.xor).set(Tl + j);
  code.get(N).c(1).op(OP.sub).set(N);
  code.bytes.push(0x0c, 0, 0x0b, 0x0b); // br loop, end loop, end block
  for (let j = 0; j < 8; j += 1) {
    code.c(0).get(Ul + j).bytes.push(OP.store, 2, ...leb(U + 4 * j, false));
    code.c(0).get(Tl + j).bytes.push(OP.store, 2, ...leb(T + 4 * j, false));
  }
  return code.bytes;
}

function compressBody(): number[] {
  const code = new Code();
  for (let j = 0; j < 16; j += 1) code.load(BLOCK + 4 * j).set(W + j);
  compress(code, STATE, 0, STATE);
  return code.bytes;
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length, false), ...content];
}

function funcBody(locals: number, body: number[]): number[] {
  const content = [1, ...leb(locals, false), 0x7f, ...body, 0x0b];
  return [...leb(content.length, false), ...content];
}

function name(text: string): number[] {
  return [text.length, ...[...text].map((ch) => ch.charCodeAt(0))];
}

/**
 * The module's bytes (about 30 KB): memory "memory" (1 page), `compress()`, `iterate(n)`.
 * @example
 * const module = new WebAssembly.Module(pbkdf2Sha256WasmBytes());
 */
export function pbkdf2Sha256WasmBytes(): Uint8Array<ArrayBuffer> {
  const types = section(1, [2, 0x60, 0, 0, 0x60, 1, 0x7f, 0]);
  const funcs = section(3, [2, 0, 1]);
  const memory = section(5, [1, 0, 1]);
  const exports = section(7, [3, ...name("memory"), 2, 0, ...name("compress"), 0, 0, ...name("iterate"), 0, 1]);
  // compress: no params, locals 0..89 (same layout; n unused). iterate: param n, 89 more locals.
  const code = section(10, [2, ...funcBody(T1 + 1, compressBody()), ...funcBody(T1, iterateBody())]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...funcs, ...memory, ...exports, ...code]);
}
