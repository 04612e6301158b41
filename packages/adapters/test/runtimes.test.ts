/**
 * Runs the runtime tests that need their own runtime: `deno test` for the Deno adapter (and the Deno example),
 * `bun test` for the fetch adapter on `Bun.serve`. Both binaries come from devDependencies (`deno-bin`,
 * `bun-bin`); nothing is downloaded. The runtimes load the built packages (`dist`), so build first.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const adapters = here("../");
const rootPackageJson = here("../../../package.json");

// Deno and Bun run from an empty directory outside the repository: Deno 2.9 rewrites the `package.json` next to a
// `pnpm-workspace.yaml` it finds above its working directory when a resolution fails, and neither should pick up
// the repository's tsconfig or .env files.
const cwd = mkdtempSync(join(tmpdir(), "portcullis-runtimes-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function run(binary: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** Runs a runtime's tests and fails (with the runtime's output) unless they pass and leave the repo untouched. */
async function expectPasses(binary: string, args: string[], env: Record<string, string>): Promise<string> {
  const before = readFileSync(rootPackageJson, "utf8");
  const { code, output } = await run(binary, args, env);
  if (readFileSync(rootPackageJson, "utf8") !== before) {
    writeFileSync(rootPackageJson, before);
    throw new Error(`${binary} rewrote the root package.json (restored):\n${output}`);
  }
  expect(code, `${binary} ${args.join(" ")} exited with ${code}:\n${output}`).toBe(0);
  return output;
}

describe("runtime tests", () => {
  it("Deno: the Deno adapter, the Deno example and jwtAuth under deno test", { timeout: 120_000 }, async () => {
    const output = await expectPasses(
      join(adapters, "node_modules/.bin/deno"),
      [
        "test",
        "--config",
        here("./deno/deno.jsonc"),
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-env",
        here("./deno/adapter.deno.ts"),
        here("./deno/jwt.deno.ts"),
      ],
      { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(adapters, "node_modules/.cache/deno") },
    );
    expect(output).toMatch(/ok \| \d+ passed \| 0 failed/);
  });

  it("Bun: the fetch adapter and jwtAuth on Bun.serve under bun test", { timeout: 120_000 }, async () => {
    const output = await expectPasses(
      join(adapters, "node_modules/.bin/bun"),
      ["--no-install", "test", here("./bun/fetch.bun.ts"), here("./bun/jwt.bun.ts")],
      { DO_NOT_TRACK: "1" },
    );
    expect(output).toMatch(/\b\d+ pass\b/);
    expect(output).toMatch(/\b0 fail\b/);
  });
});
