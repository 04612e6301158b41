/**
 * Runs a Worker in real workerd (Miniflare) with real D1: bundles its entry with esbuild as wrangler does
 * (ESM, browser platform, `workerd`/`worker`/`browser` conditions, so workspace packages resolve to their built
 * `dist`), then starts it.
 * Shared by the adapter's Workers test and the example Worker's test.
 * @module
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";

/** A bundled Worker: its code and the files that went into it (paths relative to the working directory). */
export interface WorkerBundle {
  readonly code: string;
  readonly inputs: readonly string[];
}

/** Bundles a Worker entry for workerd. */
export async function bundleWorker(entry: string): Promise<WorkerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    // wrangler's defaults: esbuild's browser platform (so `"browser": { "crypto": false }` maps hold) and these
    // conditions; `import` and `default` apply on their own.
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"], // the runtime's own modules, as wrangler leaves them
    // Never the `portcullis-source` condition of the root tsconfig: the Worker must run what is published.
    tsconfigRaw: {},
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) };
}

/** The workspace files of a bundle, by package: `{ "core": ["dist/index.js", ...] }`. */
export function workspaceInputs(bundle: WorkerBundle): Record<string, string[]> {
  const byPackage: Record<string, string[]> = {};
  for (const input of bundle.inputs) {
    const match = /(?:^|\/)packages\/([^/]+)\/(.+)$/.exec(input);
    if (match) (byPackage[match[1] as string] ??= []).push(match[2] as string);
  }
  return byPackage;
}

export interface WorkerOptions {
  readonly code: string;
  /** Binding name → database id. */
  readonly d1Databases: Record<string, string>;
  readonly compatibilityDate: string;
  /** Durable Object bindings (Miniflare's `durableObjects`), e.g. `{ COUNTERS: { className, useSQLite: true } }`. */
  readonly durableObjects?: Record<string, { className: string; useSQLite?: boolean }>;
  /** Rate Limiting bindings (Miniflare's `ratelimits`). */
  readonly ratelimits?: Record<string, { simple: { limit: number; period?: 10 | 60 } }>;
  /** Text bindings (vars and secrets such as `SECRET_KEY`). */
  readonly bindings?: Record<string, string>;
}

/** Starts workerd with one Worker per entry (the first one answers `mf.dispatchFetch`). */
export function startWorkers(workers: Record<string, WorkerOptions>): Miniflare {
  return new Miniflare({
    workers: Object.entries(workers).map(([name, w]) => ({
      name,
      modules: true,
      script: w.code,
      compatibilityDate: w.compatibilityDate,
      d1Databases: w.d1Databases,
      ...(w.durableObjects ? { durableObjects: w.durableObjects } : {}),
      ...(w.ratelimits ? { ratelimits: w.ratelimits } : {}),
      bindings: w.bindings,
    })),
  });
}

/** Polls `check` until it answers true (background work after a response), or fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
