/**
 * The local D1 database of `wrangler dev` (internal), opened with Miniflare exactly as wrangler opens it: the
 * same `d1Persist` directory and the same database id, hence the same SQLite file. Miniflare is loaded only
 * here, so `--remote` and `--help` never need it.
 * @module
 */
import type * as MiniflareModule from "miniflare";
import type { D1DatabaseLike } from "@portcullis/store-d1";
import { CliError } from "../errors.js";

/** An open local database; `dispose` releases the SQLite file (wrangler and others can then open it). */
export interface LocalD1 {
  readonly db: D1DatabaseLike;
  dispose(): Promise<void>;
}

const SCRIPT = "export default { fetch() { return new Response('') } }";

/** Loads Miniflare, with a clear message when it is not installed. */
async function loadMiniflare(): Promise<typeof MiniflareModule> {
  try {
    return await import("miniflare");
  } catch (error) {
    throw new CliError(
      "The local database needs the miniflare package (a dependency of @portcullis/cli and of wrangler); " +
        `it could not be loaded (${error instanceof Error ? error.message.split("\n")[0] : String(error)}). ` +
        "Reinstall your dependencies, or use --remote.",
    );
  }
}

/**
 * Opens the local database `localId` (`preview_database_id ?? database_id ?? binding`) persisted under
 * `persistDir` (`<project>/.wrangler/state/v3/d1`).
 */
export async function openLocalD1(persistDir: string, localId: string, binding = "DB"): Promise<LocalD1> {
  const { Miniflare } = await loadMiniflare();
  const mf = new Miniflare({ modules: true, script: SCRIPT, d1Databases: { [binding]: localId }, d1Persist: persistDir });
  try {
    const db = (await mf.getD1Database(binding)) as unknown as D1DatabaseLike;
    return { db, dispose: () => mf.dispose() };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}
