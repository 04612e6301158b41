// Writes dist/pbkdf2-sha256.wasm (the WebAssembly PBKDF2-SHA256 core, emitted by dist/passwords/_sha256-wasm.js)
// and its type: the file a Worker imports, since Workers forbid compiling WebAssembly from bytes at run time.
import { copyFileSync, writeFileSync } from "node:fs";
import { pbkdf2Sha256WasmBytes } from "../dist/passwords/_sha256-wasm.js";

writeFileSync(new URL("../dist/pbkdf2-sha256.wasm", import.meta.url), pbkdf2Sha256WasmBytes());
copyFileSync(new URL("../src/passwords/pbkdf2-sha256.wasm.d.ts", import.meta.url), new URL("../dist/pbkdf2-sha256.wasm.d.ts", import.meta.url));
