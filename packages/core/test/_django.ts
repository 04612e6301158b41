/**
 * Django, run for real under `/usr/bin/python3` (internal to the tests): whether it is installed, and running a
 * script with it. Missing Django skips the tests that need it locally, with a line naming what to install; in CI
 * (`CI=true`) it fails them instead.
 * @module
 */
import { spawnSync } from "node:child_process";

const PYTHON = "/usr/bin/python3";

function probe(): boolean {
  const run = spawnSync(PYTHON, ["-c", "import django"], { encoding: "utf8" });
  return run.status === 0;
}

/** Whether Django imports under `/usr/bin/python3`. */
export const hasDjango = probe();

if (!hasDjango) {
  const hint = "install Django for /usr/bin/python3 (apt-get install python3-django)";
  if (process.env.CI === "true") throw new Error(`Django is required in CI: ${hint}`);
  console.warn(`skipping the tests against Django: ${hint}`);
}

/** Runs `script` with `/usr/bin/python3`, `input` on stdin; answers stdout, throwing with stderr on failure. */
export function runPython(script: string, input: string): string {
  const run = spawnSync(PYTHON, ["-c", script], { input, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}
