/**
 * The two real Django stacks the parity tests run against, both under Debian's `/usr/bin/python3`:
 * - `debian`: Debian 12's own packages (Django 3.2, DRF 3.14, simplejwt 5.2.2, PyJWT 2.6);
 * - `modern`: the upstream sources in `../shared/reference/` (Django 4.2, DRF 3.17.2, simplejwt 5.5.1, knox 5.0.2,
 *   dj-rest-auth 7.1.1, django-oauth-toolkit 3.0.1), put first on `PYTHONPATH` by its `python-path modern`.
 *
 * `djangoStacks(modules, what)` answers the stacks on which every module in `modules` imports. A stack that cannot
 * run is skipped locally with a line naming what to install; with `CI=true` it is a failure, never a skip.
 * Every test that compares Portcullis with Django should loop over what this answers.
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";

/** `../shared/reference/python-path` beside the repository (CI lays `shared/` beside the clone). */
const REFERENCE_SCRIPT =
  process.env.PORTCULLIS_REFERENCE_DIR !== undefined
    ? `${process.env.PORTCULLIS_REFERENCE_DIR}/python-path`
    : fileURLToPath(new URL("../../../../shared/reference/python-path", import.meta.url));

export type StackName = "debian" | "modern";

/** One runnable stack: the environment to run `/usr/bin/python3` with, and the releases it imports. */
export interface DjangoStack {
  readonly name: StackName;
  /** `process.env` plus the stack's `PYTHONPATH` (empty for Debian's, so nothing shadows its packages). */
  readonly env: NodeJS.ProcessEnv;
  readonly versions: { readonly django: string; readonly drf: string; readonly simplejwt: string | null };
}

const DEBIAN_HINT =
  "apt-get install python3-django python3-djangorestframework python3-djangorestframework-simplejwt python3-psycopg2 python3-argon2 python3-bcrypt";
const MODERN_HINT = `../shared/reference/ beside the repository and ${DEBIAN_HINT} python3-jwt python3-cryptography python3-oauthlib python3-requests python3-deprecated`;

function stackEnv(name: StackName): NodeJS.ProcessEnv | null {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  if (name === "debian") return env;
  if (!existsSync(REFERENCE_SCRIPT)) return null;
  const path = spawnSync("bash", [REFERENCE_SCRIPT, "modern"], { encoding: "utf8" });
  if (path.status !== 0) return null;
  return { ...env, PYTHONPATH: path.stdout.trim() };
}

// Debian's simplejwt is an installed distribution; the reference one is a source tree named after its release
// (`simplejwt-5.5.1/`), which must win over Debian's metadata that is also on the path.
const VERSION_PROBE = `
import json, os, re, django, rest_framework
simplejwt = None
try:
    import rest_framework_simplejwt
    found = re.search(r"simplejwt-([0-9.]+)", rest_framework_simplejwt.__file__)
    if found:
        simplejwt = found.group(1)
    else:
        from importlib.metadata import version
        simplejwt = version("djangorestframework-simplejwt")
except Exception:
    pass
print(json.dumps({"django": django.get_version(), "drf": rest_framework.VERSION, "simplejwt": simplejwt}))
`;

const cache = new Map<string, DjangoStack | null>();

function probe(name: StackName, modules: readonly string[]): DjangoStack | null {
  const key = `${name}:${modules.join(",")}`;
  if (cache.has(key)) return cache.get(key) ?? null;
  let stack: DjangoStack | null = null;
  const env = stackEnv(name);
  if (env !== null) {
    const imports = spawnSync(PYTHON, ["-c", `import ${["django", "rest_framework", ...modules].join(", ")}`], { env, stdio: "ignore" });
    if (imports.status === 0) {
      const versions = JSON.parse(execFileSync(PYTHON, ["-c", VERSION_PROBE], { env, encoding: "utf8" })) as DjangoStack["versions"];
      stack = { name, env, versions };
    }
  }
  cache.set(key, stack);
  return stack;
}

/**
 * The stacks on which Django, DRF and every module in `modules` import (e.g. `["rest_framework_simplejwt",
 * "psycopg2"]`). A missing stack warns `skipping <what> on <stack>: install …`, or throws under `CI=true`.
 * `names` limits the stacks asked for (e.g. `["modern"]` for knox and django-oauth-toolkit, which Debian lacks).
 */
export function djangoStacks(modules: readonly string[], what: string, names: readonly StackName[] = ["debian", "modern"]): DjangoStack[] {
  const stacks: DjangoStack[] = [];
  for (const name of names) {
    const stack = probe(name, modules);
    if (stack !== null) {
      stacks.push(stack);
      continue;
    }
    const hint = name === "debian" ? DEBIAN_HINT : MODERN_HINT;
    if (process.env.CI === "true") throw new Error(`CI=true: ${what} needs the ${name} Django stack (${modules.join(", ")}): ${hint}`);
    console.warn(`skipping ${what} on the ${name} Django stack: ${hint}`);
  }
  return stacks;
}

/** Runs a Python script on `stack` with `input` as JSON on stdin (secrets never go through argv); parses its JSON output. */
export function runPython<T>(stack: DjangoStack, script: string, input: unknown, options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): T {
  const out = execFileSync(PYTHON, [script], {
    cwd: options.cwd,
    env: { ...stack.env, ...options.env },
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}
