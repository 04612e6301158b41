/**
 * Real Django (and DRF) for the interop tests, run with `/usr/bin/python3`, where Debian's python3-django and
 * python3-djangorestframework import. Missing locally: the tests are skipped with a line saying what to install.
 * Missing with `CI=true`: they fail, never skip.
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const FIXTURE = fileURLToPath(new URL("./django/sessions_fixture.py", import.meta.url));

/** Whether `code` runs under /usr/bin/python3; else warns (or throws under CI) naming what to install. */
function requirePython(code: string, what: string, install: string): boolean {
  const found = spawnSync(PYTHON, ["-c", code], { encoding: "utf8" }).status === 0;
  if (found) return true;
  if (process.env.CI === "true") throw new Error(`CI=true: ${what} needs ${install}`);
  console.warn(`skipping ${what}: install ${install}`);
  return false;
}

/** Whether Django and DRF import (the DRF parity tests). */
export const hasDjango: boolean = requirePython(
  "import django, rest_framework.authtoken",
  "DRF parity",
  "python3-django and python3-djangorestframework (apt-get install python3-django python3-djangorestframework)",
);

/** Runs one script of `test/drf/` with a JSON input on stdin; answers its JSON output. */
export function runDrfScript<T>(script: string, input: unknown): T {
  const path = fileURLToPath(new URL(`./drf/${script}`, import.meta.url));
  const run = spawnSync(PYTHON, [path], { input: JSON.stringify(input), encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`${script} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Django's version, or `null` (after warning, or throwing under CI) when it is missing (the session tests). */
export function djangoAvailable(): string | null {
  if (!requirePython("import django", "the Django interop tests", "Django for /usr/bin/python3 (apt-get install python3-django)")) return null;
  return execFileSync(PYTHON, ["-c", "import django; print(django.get_version())"], { encoding: "utf8" }).trim();
}

/** Runs the sessions fixture script (`make`, or `check` with JSON on stdin) and parses its JSON output. */
export function runFixture<T>(mode: "make" | "check", input?: unknown): T {
  const out = execFileSync(PYTHON, [FIXTURE, mode], { encoding: "utf8", input: input === undefined ? undefined : JSON.stringify(input), timeout: 60_000 });
  return JSON.parse(out) as T;
}
