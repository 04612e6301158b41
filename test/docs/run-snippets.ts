/**
 * Running the docs' runnable blocks (internal to docs.test.ts): each is a server started in its runtime on a free
 * 127.0.0.1 port, asked the requests its `<!-- runs: ... -->` marker states, then stopped by its process group's
 * id. The port reaches the snippet the way the runtime's own convention says, so a snippet reads like what a user
 * writes: `PORT` for Node (the snippet reads `process.env.PORT`) and Bun (`Bun.serve` reads it itself),
 * `DENO_SERVE_ADDRESS=tcp:127.0.0.1:PORT` for Deno (`Deno.serve` reads it itself). Node blocks are compiled to
 * JavaScript with the repository's TypeScript (Node 20 cannot strip types); Deno and Bun run the TypeScript as is.
 * The packages load from their built `dist` (run `pnpm build` first). Nothing is downloaded.
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import type { Runs } from "./snippets.js";

/** The Deno and Bun binaries (the adapters package's devDependencies `deno-bin`, `bun-bin`). */
export function runtimeBinaries(root: string): { deno: string; bun: string } {
  const bin = join(root, "packages/adapters/node_modules/.bin");
  return { deno: join(bin, "deno"), bun: join(bin, "bun") };
}

/** Environment for Deno: no update check, the adapters' cache directory (nothing is fetched). */
export function denoEnv(root: string): Record<string, string> {
  return { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(root, "packages/adapters/node_modules/.cache/deno"), NO_COLOR: "1" };
}

/**
 * Deno's configuration for the snippets: the workspace's node_modules as pnpm laid them out (never a download), and
 * sloppy imports so that `./x.js` in the packages' `dist/*.d.ts` maps to `./x.d.ts` (as for adapters' Deno tests).
 */
export const DENO_CONFIG = {
  nodeModulesDir: "manual",
  lock: false,
  unstable: ["sloppy-imports"],
  compilerOptions: { lib: ["deno.ns", "deno.window"], strict: true },
};

/** A Node snippet as an ES module Node runs. */
export function compileForNode(code: string): string {
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  return ts.transpileModule(code, { compilerOptions: options }).outputText;
}

/** A free TCP port of 127.0.0.1 (listened on and closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Runs `check` with the repository's root package.json restored (and the run failed) if Deno rewrote it. */
export function keepingPackageJson<T>(root: string, check: () => T): T {
  const path = join(root, "package.json");
  const before = readFileSync(path, "utf8");
  const result = check();
  if (readFileSync(path, "utf8") !== before) {
    writeFileSync(path, before);
    throw new Error("Deno rewrote the root package.json (restored)");
  }
  return result;
}

/** `deno check` of the files: the errors, empty when they all typecheck. */
export function denoCheck(root: string, config: string, files: readonly string[]): string {
  const cwd = mkdtempSync(join(tmpdir(), "portcullis-docs-deno-"));
  try {
    const result = keepingPackageJson(root, () =>
      spawnSync(runtimeBinaries(root).deno, ["check", "--config", config, ...files], { cwd, encoding: "utf8", env: { ...process.env, ...denoEnv(root) } }),
    );
    return result.status === 0 ? "" : `${result.stdout}${result.stderr}`;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The command, arguments and environment that start a snippet's server on `port`. */
function command(root: string, runs: Runs, file: string, config: string, port: number): { binary: string; args: string[]; env: Record<string, string> } {
  const { deno, bun } = runtimeBinaries(root);
  if (runs.runtime === "node") return { binary: process.execPath, args: [file], env: { PORT: String(port) } };
  if (runs.runtime === "bun") return { binary: bun, args: ["--no-install", "run", file], env: { PORT: String(port), DO_NOT_TRACK: "1" } };
  const args = ["run", "--config", config, "--allow-net=127.0.0.1", "--allow-read", file];
  return { binary: deno, args, env: { ...denoEnv(root), DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}` } };
}

/**
 * Starts the snippet's server, waits until it answers (up to 30 s), makes each request in order; answers
 * `[method path, status]` pairs as received. Always stops the process group it started.
 */
export async function runSnippet(root: string, runs: Runs, file: string, denoConfig: string): Promise<[string, number][]> {
  const port = await freePort();
  const { binary, args, env } = command(root, runs, file, denoConfig, port);
  const cwd = mkdtempSync(join(tmpdir(), "portcullis-docs-run-"));
  const child = spawn(binary, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  let exited: number | null | undefined;
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.on("exit", (code) => (exited = code));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 30_000; ; ) {
      if (exited !== undefined) throw new Error(`${runs.runtime} exited ${exited} before answering:\n${output}`);
      if (Date.now() > deadline) throw new Error(`${runs.runtime} did not answer on ${port} within 30 s:\n${output}`);
      const ready = await fetch(base, { method: "HEAD" }).then(
        () => true,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answers: [string, number][] = [];
    for (const { method, path } of runs.requests) {
      const response = await fetch(`${base}${path}`, { method });
      await response.body?.cancel();
      answers.push([`${method} ${path}`, response.status]);
    }
    return answers;
  } finally {
    if (child.pid !== undefined && exited === undefined) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await gone;
    }
    rmSync(cwd, { recursive: true, force: true });
  }
}
