/**
 * The D1 backend of the CLI (internal): the local database through Miniflare (default) or production through
 * `wrangler d1 execute --remote`, with a `d1Store` over it.
 * @module
 */
/// <reference types="node" />
import { dirname, relative } from "node:path";
import { d1Store, migrate, type D1DatabaseLike } from "@portcullis/store-d1";
import type { Options } from "../args.js";
import type { Backend, BackendModule } from "../backend.js";
import { usageError } from "../errors.js";
import { openLocalD1 } from "./local-d1.js";
import { resolveTarget, type D1Target } from "./wrangler-config.js";
import { wranglerD1 } from "./wrangler-d1.js";

const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);

/** Describes the database for messages. */
function describe(target: D1Target, remote: boolean, cwd: string): string {
  const name = `${target.databaseName ?? target.binding} (binding ${target.binding})`;
  if (remote) return `remote D1 database ${name}`;
  return `local D1 database ${name} in ${relative(cwd, target.persistDir) || "."}`;
}

/** A backend over a D1 database; migrations are recorded where wrangler records them (the config's table). */
function backendOf(db: D1DatabaseLike, target: D1Target, description: string, close: () => Promise<void>): Backend {
  const { migrationsTable } = target;
  return {
    store: d1Store(db),
    description,
    migrate: () => migrate(db, migrationsTable === undefined ? {} : { migrationsTable }),
    close,
  };
}

/** Opens the D1 database the options point at. */
async function openD1(options: Options, cwd: string): Promise<Backend> {
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
    return backendOf(db, target, description, async () => undefined);
  }
  const local = await openLocalD1(target.persistDir, target.localId, target.binding);
  return backendOf(local.db, target, description, () => local.dispose());
}

/** The default backend: D1, selected by the D1 options or by no database option at all. */
export const d1Backend: BackendModule = { selects: () => true, open: openD1 };
