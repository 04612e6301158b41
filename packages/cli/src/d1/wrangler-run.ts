/**
 * Running `wrangler d1 execute` (internal): finding the project's wrangler, spawning it without a shell, and
 * reading its `--json` answer.
 * @module
 */
/// <reference types="node" />
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError } from "../errors.js";

/** One statement's answer, as `wrangler d1 execute --json` prints it. */
export interface WranglerResult {
  readonly results: Record<string, unknown>[];
  readonly success: boolean;
}

/**
 * The command that runs wrangler: `--wrangler <path>` when given (a `.js` file runs with this Node), else the
 * `wrangler` package installed in `cwd` or a directory above it.
 */
export function wranglerCommand(cwd: string, explicit?: string): string[] {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    return /\.[cm]?js$/.test(path) ? [process.execPath, path] : [path];
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", "wrangler", "package.json");
    if (existsSync(manifest)) {
      const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: string | Record<string, string> };
      const entry = typeof bin === "string" ? bin : bin?.wrangler;
      if (entry) return [process.execPath, join(dirname(manifest), entry)];
    }
    if (dirname(dir) === dir) break;
  }
  throw new CliError(
    `wrangler is not installed in ${resolve(cwd)} or above: --remote runs 'wrangler d1 execute', so install it in ` +
      "your project (npm install --save-dev wrangler) or give its path with --wrangler <path>.",
  );
}

/** Runs a command without a shell and collects its output. */
export function run(command: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolvePromise({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}

/** The JSON that wrangler printed (anything it printed before it is skipped), or `undefined`. */
function jsonOf(stdout: string): unknown {
  const start = stdout.search(/^\s*[[{]/m);
  if (start === -1) return undefined;
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
}

/**
 * The answer of one `wrangler d1 execute --json` run: one result per statement. A failure throws an `Error`
 * carrying wrangler's message (such as `UNIQUE constraint failed: portcullis_users.username`).
 */
export function parseWranglerOutput(output: { code: number | null; stdout: string; stderr: string }): WranglerResult[] {
  const json = jsonOf(output.stdout);
  if (output.code === 0 && Array.isArray(json)) return json as WranglerResult[];
  const text = (json as { error?: { text?: unknown } } | undefined)?.error?.text;
  if (typeof text === "string") throw new Error(text);
  const detail = (output.stderr.trim() || output.stdout.trim()).split("\n").slice(-5).join("\n");
  throw new Error(`wrangler d1 execute failed (exit code ${output.code})${detail ? `: ${detail}` : ""}`);
}
