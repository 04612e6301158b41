/**
 * The WebAssembly PBKDF2 core in real workerd (Miniflare), as a Worker ships it: the fixture is bundled from the
 * built packages, `@portcullis/core/pbkdf2-sha256.wasm` resolved through core's exports map and loaded as a
 * compiled WebAssembly module (what wrangler does with a `.wasm` import). workerd refuses to compile WebAssembly
 * from bytes at run time, so before `usePbkdf2Wasm` the core is unavailable there.
 */
import { build, type Plugin } from "esbuild";
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("./fixtures/pbkdf2-wasm-worker.ts", import.meta.url));
const MILLION = "pbkdf2_sha256$1000000$seasalt2$egbhFghgsJVDo5Tpg/k9ZnfbySKQ1UQnBYXhR97a7sk=";

let mf: Miniflare;
let wasmPath = "";

/** Leaves `.wasm` imports to the runtime, as wrangler does, remembering the file the exports map resolves to. */
const wasmModules: Plugin = {
  name: "wasm-modules",
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, async (args) => {
      if (args.pluginData === "inner") return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "inner" });
      wasmPath = resolved.path;
      return { path: "./pbkdf2-sha256.wasm", external: true };
    });
  },
};

beforeAll(async () => {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    tsconfigRaw: {},
    plugins: [wasmModules],
  });
  mf = new Miniflare({
    modules: [
      { type: "ESModule", path: "worker.js", contents: result.outputFiles[0]?.text ?? "" },
      { type: "CompiledWasm", path: "pbkdf2-sha256.wasm", contents: readFileSync(wasmPath) },
    ],
    compatibilityDate: "2026-04-01",
  });
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

describe("the WebAssembly PBKDF2 core on workerd", () => {
  it("imports core's built .wasm, registers it, and verifies Django's 1,000,000-iteration row where WebCrypto refuses", async () => {
    expect(wasmPath).toMatch(/packages\/core\/dist\/pbkdf2-sha256\.wasm$/);
    const check = async (password: string) =>
      (await mf.dispatchFetch("https://worker.test/", { method: "POST", body: JSON.stringify({ password, encoded: MILLION }) })).json();
    expect(await check("lètmein")).toEqual({ before: false, after: true, valid: true });
    expect(await check("letmein")).toEqual({ before: true, after: true, valid: false });
  }, 60_000);
});
