/**
 * Helpers of the CLI's end-to-end tests: a temporary Worker project, the built CLI run in it as a child
 * process, and the project's local D1 database opened with Miniflare exactly as `wrangler dev` opens it.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { authenticate, tokenAuth, type Store } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { d1Store, type D1DatabaseLike } from "@portcullis/store-d1";

/** The cli package directory. */
export const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(PACKAGE, "bin", "portcullis.js");
/** The migrations of @portcullis/store-d1, as a project's wrangler config names them. */
const D1_MIGRATIONS = fileURLToPath(new URL("../../store-d1/migrations", import.meta.url));

/** Fails (never skips) when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(join(PACKAGE, "dist", "main.js"))) {
    throw new Error(
      "packages/cli/dist/main.js is missing: build first with `npx tsc -b packages/cli/tsconfig.build.json` " +
        "(the root `pnpm test` builds before running vitest).",
    );
  }
}

/** A D1 entry of a wrangler config, migrations from this package. */
export function d1Entry(binding: string, databaseName: string, databaseId: string) {
  return { binding, database_name: databaseName, database_id: databaseId, migrations_dir: D1_MIGRATIONS };
}

/** A temporary project whose wrangler.jsonc binds DB to `databaseId` (and any `more` databases). */
export function tempProject(databaseId: string, more: ReturnType<typeof d1Entry>[] = []): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
  const config = {
    name: "cli-test",
    main: "src/index.ts",
    compatibility_date: "2026-04-01",
    d1_databases: [d1Entry("DB", "portcullis", databaseId), ...more],
  };
  writeFileSync(join(dir, "wrangler.jsonc"), `// a temporary project of the CLI tests\n${JSON.stringify(config, null, 2)}\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a CLI run printed and answered. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (`node bin/portcullis.js ...`) in `cwd`, with `input` on stdin. */
export function runCli(cwd: string, args: readonly string[], input = "", env: NodeJS.ProcessEnv = process.env): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: "utf8", env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Opens the project's local database as wrangler does; disposes it (releasing the file) afterwards. */
export async function withLocalDb<T>(dir: string, databaseId: string, work: (store: Store, db: D1DatabaseLike) => Promise<T>): Promise<T> {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: { DB: databaseId },
    d1Persist: join(dir, ".wrangler", "state", "v3", "d1"),
  });
  try {
    const db = (await mf.getD1Database("DB")) as unknown as D1DatabaseLike;
    return await work(d1Store(db), db);
  } finally {
    await mf.dispose();
  }
}

/** Authenticates a real `Request` with `Authorization: Token <key>` through `tokenAuth` on `store`. */
export async function loginWith(store: Store, key: string) {
  const request = new Request("https://api.test/me", { headers: { Authorization: `Token ${key}` } });
  const result = await authenticate(request, [tokenAuth({ store })]);
  if (result.status === "authenticated") return { username: result.user.username, user: result.user, auth: result.auth };
  return { detail: result.status === "failed" ? result.error.detail : "anonymous" };
}
