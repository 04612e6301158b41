/**
 * Runs the real djangorestframework-simplejwt fixture (`fixture.py`) under `/usr/bin/python3`. Locally, without
 * Django, DRF and simplejwt, the tests that need it are skipped with a line naming what to install; with
 * `CI=true` a missing component fails instead.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { djangoStacks, type DjangoStack } from "../_stacks.js";

const PYTHON = "/usr/bin/python3";
const FIXTURE = fileURLToPath(new URL("./fixture.py", import.meta.url));

function probe(): boolean {
  const result = spawnSync(PYTHON, ["-c", "import django, rest_framework, rest_framework_simplejwt, jwt, cryptography"], { stdio: "ignore" });
  return result.status === 0;
}

/** Whether the real simplejwt is importable. */
export const hasSimplejwt = probe();

if (!hasSimplejwt) {
  const message =
    "install python3-django python3-djangorestframework python3-djangorestframework-simplejwt python3-cryptography (apt-get install ...)";
  if (process.env.CI === "true") throw new Error(`simplejwt fixture unavailable under ${PYTHON}: ${message}`);
  console.warn(`skipping the real-simplejwt tests: ${message}`);
}

/** One fixture run: Django settings plus a list of actions; answers one result per action. */
export interface FixtureInput {
  readonly secret_key: string;
  readonly settings?: Record<string, unknown>;
  readonly users?: readonly { id: number; username: string; password?: string; is_active?: boolean }[];
  readonly actions: readonly Record<string, unknown>[];
}

/** The stacks the simplejwt parity runs on (`../_stacks.ts`): Debian's simplejwt 5.2.2 and the reference 5.5.1. */
export const simplejwtStacks = (what: string): DjangoStack[] => djangoStacks(["rest_framework_simplejwt", "jwt", "cryptography"], what);

/** Runs the fixture once (one Python process, one SQLite database), on `stack` (default: Debian's packages). */
export function runSimplejwt<T = Record<string, unknown>>(input: FixtureInput, stack?: DjangoStack): T[] {
  const env = stack?.env ?? process.env;
  const output = execFileSync(PYTHON, [FIXTURE], { input: JSON.stringify(input), encoding: "utf8", timeout: 60_000, env });
  return JSON.parse(output) as T[];
}
