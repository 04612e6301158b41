/**
 * The database a command works on (internal): the local one through Miniflare (default) or production
 * through `wrangler d1 execute --remote`, with a `d1Store` over it.
 * @module
 */
/// <reference types="node" />
import { dirname, relative } from "node:path";
import type { Store } from "@portcullis/core";
import { d1Store } from "../d1-store.js";
import type { D1DatabaseLike } from "../d1-types.js";
import type { Options } from "./args.js";
import { usageError } from "./errors.js";
import { openLocalD1 } from "./local-d1.js";
import { resolveTarget, type D1Target } from "./wrangler-config.js";
import { wranglerD1 } from "./wrangler-d1.js";

/** An open database. Always `close()` it (the local one holds the SQLite file). */
export interface Backend {
  readonly db: D1DatabaseLike;
  readonly store: Store;
  readonly target: D1Target;
  /** Such as `local D1 database portcullis (binding DB) in .wrangler/state/v3/d1`. */
  readonly description: string;
  close(): Promise<void>;
}

const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);

/** Describes the database for messages. */
function describe(target: D1Target, remote: boolean, cwd: string): string {
  const name = `${target.databaseName ?? target.binding} (binding ${target.binding})`;
  if (remote) return `remote D1 database ${name}`;
  return `local D1 database ${name} in ${relative(cwd, target.persistDir) || "."}`;
}

/** Opens the database the options point at. */
export async function openBackend(options: Options, cwd: string): Promise<Backend> {
  if (options.remote && options.local) throw usageError("--local and --remote exclude each other.");
  if (options.remote && options["persist-to"] !== undefined) throw usageError("--persist-to applies to the local database only.");
  if (!options.remote && options.wrangler !== undefined) throw usageError("--wrangler applies to --remote only.");
  const target = resolveTarget({
    cwd,
    config: text(options.config),
    binding: text(options.binding),
    database: text(options.database),
    env: text(options.env),
    persistTo: text(options["persist-to"]),
  });
  const remote = options.remote === true;
  const description = describe(target, remote, cwd);
  if (remote) {
    const db = wranglerD1({
      database: target.binding,
      remote: true,
      cwd: dirname(target.configPath),
      config: target.configPath,
      env: text(options.env),
      wrangler: text(options.wrangler),
    });
    return { db, store: d1Store(db), target, description, close: async () => undefined };
  }
  const local = await openLocalD1(target.persistDir, target.localId, target.binding);
  return { db: local.db, store: d1Store(local.db), target, description, close: () => local.dispose() };
}

/** Runs `work` on the open database and closes it, whatever happens. */
export async function withBackend<T>(options: Options, cwd: string, work: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(options, cwd);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}
