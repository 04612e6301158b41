/**
 * The PostgreSQL backend of the CLI (internal): `--database-url postgres://...` (or `PORTCULLIS_DATABASE_URL`),
 * with `--django` for a Django database's own `auth_user` and `authtoken_token`. Loads
 * `@portcullis/store-postgres` (and its `postgres` client) only when selected.
 * @module
 */
/// <reference types="node" />
import type * as StorePostgres from "@portcullis/store-postgres";
import type { Options } from "../args.js";
import type { Backend, BackendModule } from "../backend.js";
import { CliError, usageError } from "../errors.js";

/** The environment variable read when `--database-url` is not given (a URL in argv shows in the process list). */
export const DATABASE_URL_VARIABLE = "PORTCULLIS_DATABASE_URL";

const D1_OPTIONS = ["config", "binding", "database", "env", "persist-to", "local", "remote", "wrangler"] as const;

/** The URL the options (or the environment) name, if any. */
function urlOf(options: Options, environment: NodeJS.ProcessEnv): string | undefined {
  const given = options["database-url"];
  if (typeof given === "string") return given;
  const fromEnvironment = environment[DATABASE_URL_VARIABLE];
  return fromEnvironment === undefined || fromEnvironment === "" ? undefined : fromEnvironment;
}

/** `PostgreSQL database <name> on <host>`: never the user or password of the URL. */
function describe(url: string, django: boolean): string {
  let where = "PostgreSQL database";
  try {
    const parsed = new URL(url);
    where = `PostgreSQL database ${decodeURIComponent(parsed.pathname.slice(1)) || "(default)"} on ${parsed.host || "localhost"}`;
  } catch {
    // Not a WHATWG URL (libpq allows some forms it refuses); connect() says whether it is usable.
  }
  return django ? `${where} (Django mode)` : where;
}

/** Loads the store package, with a clear message when it is not installed. */
async function loadStore(): Promise<typeof StorePostgres> {
  try {
    return await import("@portcullis/store-postgres");
  } catch {
    throw new CliError("--database-url needs @portcullis/store-postgres and postgres: npm install @portcullis/store-postgres postgres");
  }
}

/** How long the CLI waits for the database to answer its first query before giving up (exit code 3). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The exit code of a database that cannot be reached (refused, unknown host, silent past the timeout). */
export const UNREACHABLE_EXIT_CODE = 3;

async function openPostgres(options: Options): Promise<Backend> {
  const url = urlOf(options, process.env) as string;
  const d1 = D1_OPTIONS.find((name) => options[name] !== undefined);
  if (d1 !== undefined) throw usageError(`--${d1} applies to D1, not to --database-url.`);
  const django = options.django === true;
  const { connect } = await loadStore();
  const db = await connect(url, { django, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  const description = describe(url, django);
  try {
    // One probe with the connect timeout, so an unreachable server is one clear message, not a hang per query.
    await db.client.query("SELECT 1", []);
  } catch (error) {
    await Promise.race([db.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CliError(`Cannot reach the ${description} (waited at most ${CONNECT_TIMEOUT_MS / 1000} s): ${reason}`, UNREACHABLE_EXIT_CODE);
  }
  return { store: db.store, description, migrate: () => db.migrate(), close: () => db.close() };
}

/** Selected by `--database-url` or `PORTCULLIS_DATABASE_URL`; `--django` without either is a usage error. */
export const postgresBackend: BackendModule = {
  selects: (options) => {
    const selected = urlOf(options, process.env) !== undefined;
    if (!selected && options.django) throw usageError("--django applies to PostgreSQL: give --database-url (or PORTCULLIS_DATABASE_URL).");
    return selected;
  },
  open: (options) => openPostgres(options),
};
