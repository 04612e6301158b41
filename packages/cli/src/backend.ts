/**
 * The database a command works on (internal): one backend module per store, chosen from the options.
 * PostgreSQL with `--database-url` (or `PORTCULLIS_DATABASE_URL`); otherwise D1 (local through Miniflare, or
 * `--remote` through wrangler).
 *
 * A new store plugs in with a `BackendModule`: a `selects(options)` test on its own global option (for example
 * `--database-url postgres://...`) and an `open(options, cwd)` that answers a `Backend`. Its options go in
 * `GLOBAL_OPTIONS` (args.ts) and its help in help.ts; the commands never change.
 * @module
 */
import type { ApiKeyStore, PermissionAdminStore, Store } from "@portcullis/core";
import type { Options } from "./args.js";
import { d1Backend } from "./d1/backend.js";
import { postgresBackend } from "./postgres/backend.js";

/** An open database. Always `close()` it. */
export interface Backend {
  /** Every capability the commands use: users, tokens, API keys (and counters, unused); permissions unless read-only. */
  readonly store: Store & ApiKeyStore & Partial<PermissionAdminStore>;
  /** Such as `local D1 database portcullis (binding DB) in .wrangler/state/v3/d1`, for messages. */
  readonly description: string;
  /** Applies the pending Portcullis migrations; answers the names applied. */
  migrate(): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** One store's way in: whether the options select it, and how to open it. */
export interface BackendModule {
  readonly selects: (options: Options) => boolean;
  readonly open: (options: Options, cwd: string) => Promise<Backend>;
}

/** The backends in the order they are tried; the last one is the default. */
const BACKENDS: readonly BackendModule[] = [postgresBackend, d1Backend];

/** Opens the database the options point at. */
export function openBackend(options: Options, cwd: string): Promise<Backend> {
  const backend = BACKENDS.find((candidate) => candidate.selects(options)) ?? (BACKENDS.at(-1) as BackendModule);
  return backend.open(options, cwd);
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
