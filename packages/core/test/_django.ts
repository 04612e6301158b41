/**
 * Real Django for the tests: `/usr/bin/python3` with Debian's `python3-django`. Missing locally: the tests skip
 * with a visible line naming what to install; with `CI=true`, missing is a failure, never a skip.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const FIXTURE = fileURLToPath(new URL("./django/sessions_fixture.py", import.meta.url));

function probe(): string | null {
  try {
    return execFileSync(PYTHON, ["-c", "import django; print(django.get_version())"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

/** Django's version, or `null` (after warning, or throwing under CI) when it is missing. */
export function djangoAvailable(): string | null {
  const version = probe();
  if (version !== null) return version;
  const message = "install Django for /usr/bin/python3 (apt-get install python3-django)";
  if (process.env.CI === "true") throw new Error(`CI: real Django is required: ${message}`);
  console.warn(`skipping the Django interop tests: ${message}`);
  return null;
}

/** Runs the fixture script (`make`, or `check` with JSON on stdin) and parses its JSON output. */
export function runFixture<T>(mode: "make" | "check", input?: unknown): T {
  const out = execFileSync(PYTHON, [FIXTURE, mode], { encoding: "utf8", input: input === undefined ? undefined : JSON.stringify(input), timeout: 60_000 });
  return JSON.parse(out) as T;
}
