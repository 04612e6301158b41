/**
 * Django's own hashes (test/vectors/django-password-hashes.json) verified in real workerd (Miniflare): a tiny
 * Worker that imports `verifyPassword` from the built `@portcullis/core` (with `bcryptjs` bundled, as wrangler
 * bundles it) checks every vector with its password and with a wrong one, in one request.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers, workspaceInputs, type WorkerBundle } from "../../adapters/test/_workerd.js";

interface Vector {
  readonly algorithm: string;
  readonly password: string;
  readonly encoded: string;
}

interface Check {
  readonly valid: boolean;
  readonly needsRehash: boolean;
}

const vectors: Vector[] = JSON.parse(readFileSync(new URL("vectors/django-password-hashes.json", import.meta.url), "utf8"));

/** The Worker: `POST [{ password, encoded }]` → `[{ right, wrong }]`, the checks with the password and without. */
const WORKER = `
import { isBcryptAvailable, verifyPassword } from "@portcullis/core";
export default {
  async fetch(request) {
    const results = [];
    for (const { password, encoded } of await request.json()) {
      results.push({ right: await verifyPassword(password, encoded), wrong: await verifyPassword(password + "x", encoded) });
    }
    return Response.json({ bcrypt: await isBcryptAvailable(), results });
  },
};
`;

/** Bundles {@link WORKER} with wrangler's settings (those of `bundleWorker` in _workerd.ts), from this folder. */
async function bundle(): Promise<WorkerBundle> {
  const result = await build({
    stdin: { contents: WORKER, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser", // bcryptjs's `"browser": { "crypto": false }` holds, as under wrangler
    target: "es2022",
    conditions: ["workerd", "worker", "browser"], // never `portcullis-source`: the built dist
    tsconfigRaw: {},
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output");
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) };
}

let mf: Miniflare;
let worker: WorkerBundle;

beforeAll(async () => {
  worker = await bundle();
  mf = startWorkers({ vectors: { code: worker.code, compatibilityDate: "2026-04-01", d1Databases: {} } });
});

afterAll(async () => {
  await mf?.dispose();
});

/** `pbkdf2_sha256` at or above 1,000,000 iterations with a salt of 22 characters or more (vectors.test.ts's rule). */
function isCurrentDefault(encoded: string): boolean {
  const [, iterations, salt] = encoded.split("$");
  return Number(iterations) === 1_000_000 && (salt ?? "").length >= 22;
}

describe("Django's own hashes in workerd", () => {
  it("bundles the built core and bcryptjs, never the sources", () => {
    const core = workspaceInputs(worker).core ?? [];
    expect(core).toContain("dist/passwords/verify-password.js");
    expect(core.filter((file) => !file.startsWith("dist/"))).toEqual([]);
    expect(worker.inputs.some((input) => /\/bcryptjs\//.test(input))).toBe(true);
  });

  it("verifies every vector with its password, and none with another", { timeout: 90_000 }, async () => {
    const body = JSON.stringify(vectors.map(({ password, encoded }) => ({ password, encoded })));
    const res = await mf.dispatchFetch("https://vectors.test/", { method: "POST", body });
    expect(res.status).toBe(200);
    const { bcrypt, results } = (await res.json()) as { bcrypt: boolean; results: { right: Check; wrong: Check }[] };
    expect(bcrypt).toBe(true);
    const seen = results.map((result, index) => ({ encoded: vectors[index]?.encoded, ...result }));
    const expected = vectors.map(({ algorithm, encoded }) => ({
      encoded,
      right: { valid: true, needsRehash: algorithm !== "pbkdf2_sha256" || !isCurrentDefault(encoded) },
      wrong: { valid: false, needsRehash: false },
    }));
    expect(seen).toEqual(expected);
    expect(new Set(vectors.map((vector) => vector.algorithm)).size).toBe(10);
  });
});
