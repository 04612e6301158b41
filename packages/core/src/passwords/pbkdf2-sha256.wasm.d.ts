/** The WebAssembly PBKDF2-SHA256 core, as Workers' bundler (wrangler) imports a `.wasm` file: a compiled module. */
declare const pbkdf2Sha256Wasm: WebAssembly.Module;
export default pbkdf2Sha256Wasm;
