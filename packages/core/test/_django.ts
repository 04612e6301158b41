/**
 * Real Django + DRF for parity tests, run with `/usr/bin/python3` (where the Debian packages python3-django and
 * python3-djangorestframework import). Missing locally: the tests are skipped with a line saying what to install.
 * Missing with `CI=true`: they fail, never skip.
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
const INSTALL = "skipping DRF parity: install python3-django and python3-djangorestframework (apt-get install python3-django python3-djangorestframework)";

function probe(): boolean {
  const run = spawnSync(PYTHON, ["-c", "import django, rest_framework.authtoken"], { encoding: "utf8" });
  return run.status === 0;
}

/** Whether Django and DRF import; in CI a missing component throws instead of answering `false`. */
export const hasDjango: boolean = (() => {
  const found = probe();
  if (!found && process.env.CI === "true") throw new Error(`CI=true: ${INSTALL.replace("skipping DRF parity: ", "")}`);
  if (!found) console.warn(INSTALL);
  return found;
})();

/** Runs one script of `test/drf/` with a JSON input on stdin; answers its JSON output. */
export function runDrfScript<T>(script: string, input: unknown): T {
  const path = fileURLToPath(new URL(`./drf/${script}`, import.meta.url));
  const run = spawnSync(PYTHON, [path], { input: JSON.stringify(input), encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`${script} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
