/**
 * Runs `_child.ts` in several real processes (bundled once with esbuild, so Node runs it as it is) and collects
 * their reports. Every process connects and loads its scripts first; then all are told `go` at once.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { ChildJob, ChildReport } from "./_child.js";

let bundled: Promise<string> | undefined;

/** The child, bundled into one CommonJS file (workspace packages from their TypeScript sources). */
function childBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-redis-child-"));
    const outfile = join(dir, "child.cjs");
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await build({
      entryPoints: [fileURLToPath(new URL("./_child.ts", import.meta.url))],
      outfile, bundle: true, platform: "node", format: "cjs", target: "node20",
      conditions: ["portcullis-source"], logLevel: "error",
    });
    return outfile;
  })();
  return bundled;
}

/** Starts one process per job, releases them together, and answers their reports in job order. */
export async function runProcesses(jobs: readonly ChildJob[]): Promise<ChildReport[]> {
  const file = await childBundle();
  const children = jobs.map((job) => {
    const child = fork(file, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const messages: unknown[] = [];
    const waiters: ((message: unknown) => void)[] = [];
    child.on("message", (message) => (waiters.length ? waiters.shift()!(message) : messages.push(message)));
    const next = () => new Promise<unknown>((resolve, reject) => {
      if (messages.length) return resolve(messages.shift());
      waiters.push(resolve);
      child.once("exit", (code) => reject(new Error(`child exited with ${code} before answering`)));
    });
    child.send(job);
    return { child, next };
  });
  try {
    await Promise.all(children.map(async ({ next }) => expectMessage(await next(), "ready")));
    for (const { child } of children) child.send("go");
    return (await Promise.all(children.map(({ next }) => next()))) as ChildReport[];
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill();
  }
}

function expectMessage(message: unknown, expected: string): void {
  if (message !== expected) throw new Error(`child answered ${JSON.stringify(message)}, expected ${expected}`);
}
