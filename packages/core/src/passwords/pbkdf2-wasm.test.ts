import { pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pbkdf2Sha256WasmBytes } from "./_sha256-wasm.js";
import { pbkdf2Sha256Wasm, usePbkdf2Wasm } from "./pbkdf2-wasm.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const native = (password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number) =>
  new Uint8Array(pbkdf2Sync(password, salt, iterations, dkLen, "sha256"));

describe("pbkdf2Sha256Wasm", () => {
  it("matches RFC 7914's PBKDF2-HMAC-SHA256 vector", () => {
    const out = pbkdf2Sha256Wasm(utf8("passwd"), utf8("salt"), 1, 64);
    expect(Buffer.from(out ?? []).toString("hex")).toBe(
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    );
  });

  it("matches node:crypto on passwords of every length class, empty and non-ASCII included, and several blocks", () => {
    for (const password of ["", "pw", "p\u00e4ssw\u00f6rd \u{1f511}", "x".repeat(64), "y".repeat(65), "z".repeat(200)]) {
      for (const [iterations, dkLen] of [[1, 32], [2, 20], [1000, 32], [3, 70]] as const) {
        const salt = randomBytes(12);
        expect(pbkdf2Sha256Wasm(utf8(password), salt, iterations, dkLen), `${password.length}/${iterations}/${dkLen}`).toEqual(
          native(utf8(password), salt, iterations, dkLen),
        );
      }
    }
  });

  it("matches node:crypto at Django's default cost, and a registered module gives the same bytes", () => {
    const salt = utf8("Dx3hy0sVqH5oMpX2zNRAyU");
    expect(pbkdf2Sha256Wasm(utf8("correct horse"), salt, 1_000_000, 32)).toEqual(native(utf8("correct horse"), salt, 1_000_000, 32));
    usePbkdf2Wasm(new WebAssembly.Module(pbkdf2Sha256WasmBytes()));
    expect(pbkdf2Sha256Wasm(utf8("pw"), salt, 5, 32)).toEqual(native(utf8("pw"), salt, 5, 32));
  });
});
