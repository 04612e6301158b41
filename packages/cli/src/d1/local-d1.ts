/**
 * The local D1 database of `wrangler dev` (internal), opened with Miniflare exactly as wrangler opens it: the
 * same `d1Persist` directory and the same database id, hence the same SQLite file. Miniflare is the user's own (an
 * optional peer of the CLI, or the copy that comes with the project's wrangler), loaded only here, so `--remote`,
 * `--help` and PostgreSQL never need it.
 * @module
 */
/// <reference types="node" />
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as MiniflareModule from "miniflare";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { CliError } from "../errors.js";

/** An open local database; `dispose` releases the SQLite file (wrangler and others can then open it). */
export interface LocalD1 {
  readonly db: D1DatabaseLike;
  dispose(): Promise<void>;
}

const SCRIPT = "export default { fetch() { return new Response('') } }";

/** The `miniflare` that the `wrangler` installed in `from` or a directory above it depends on, if any. */
function wranglersMiniflare(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", "wrangler", "package.json");
    if (existsSync(manifest)) {
      try {
        return pathToFileURL(createRequire(manifest).resolve("miniflare")).href;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Loads Miniflare: the project's own `miniflare` when the CLI can import it, else the one of the project's
 * `wrangler` (found from `from` upwards, as `--remote` finds wrangler), with a clear message when neither exists.
 */
async function loadMiniflare(from: string): Promise<typeof MiniflareModule> {
  try {
    return await import("miniflare");
  } catch (error) {
    const viaWrangler = wranglersMiniflare(from);
    if (viaWrangler !== undefined) return (await import(viaWrangler)) as typeof MiniflareModule;
    throw new CliError(
      "The local database needs Miniflare, which comes with wrangler: install wrangler (or miniflare) in your " +
        "project (npm install --save-dev wrangler); it could not be loaded " +
        `(${error instanceof Error ? error.message.split("\n")[0] : String(error)}). Or use --remote.`,
    );
  }
}

/**
 * Opens the local database `localId` (`preview_database_id ?? database_id ?? binding`) persisted under
 * `persistDir` (`<project>/.wrangler/state/v3/d1`).
 */
export async function openLocalD1(persistDir: string, localId: string, binding = "DB"): Promise<LocalD1> {
  const { Miniflare } = await loadMiniflare(persistDir);
  const mf = new Miniflare({ modules: true, script: SCRIPT, d1Databases: { [binding]: localId }, d1Persist: persistDir });
  try {
    const db = (await mf.getD1Database(binding)) as unknown as D1DatabaseLike;
    return { db, dispose: () => mf.dispose() };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}
