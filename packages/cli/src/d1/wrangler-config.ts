/**
 * Where the database is (internal): the project's wrangler config, found as wrangler finds it, its
 * `d1_databases` entry, and the Miniflare state that `wrangler dev --local` and `wrangler d1 ... --local` use:
 * `<config dir>/.wrangler/state/v3/d1`, keyed by `preview_database_id ?? database_id ?? binding`.
 * @module
 */
/// <reference types="node" />
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { CliError } from "../errors.js";
import { parseJsonc } from "./jsonc.js";

/** Wrangler's own order: each name is looked for from the directory upwards before the next name. */
const CONFIG_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

const D1_ENTRY = z.looseObject({
  binding: z.string().min(1),
  database_name: z.string().optional(),
  database_id: z.string().optional(),
  preview_database_id: z.string().optional(),
  migrations_table: z.string().optional(),
});
const D1_LIST = z.array(D1_ENTRY).optional();

/** How to pick the database: the options of the command line. */
export interface TargetOptions {
  readonly cwd: string;
  readonly config?: string;
  readonly binding?: string;
  readonly database?: string;
  readonly env?: string;
  readonly persistTo?: string;
}

/** One D1 database of the project, and where its local state lives. */
export interface D1Target {
  readonly configPath: string;
  readonly binding: string;
  readonly databaseName: string | undefined;
  /** The id Miniflare keys the local database by: `preview_database_id ?? database_id ?? binding`. */
  readonly localId: string;
  readonly migrationsTable: string | undefined;
  /** Miniflare's `d1Persist`: `<persist root>/v3/d1`. */
  readonly persistDir: string;
}

/** The wrangler config that applies in `cwd`, or the one given with `--config`. */
export function findConfig(cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new CliError(`The wrangler config ${path} does not exist.`);
    return path;
  }
  for (const name of CONFIG_NAMES) {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      const path = join(dir, name);
      if (existsSync(path) && statSync(path).isFile()) return path;
      if (dirname(dir) === dir) break;
    }
  }
  throw new CliError(
    `No wrangler.json, wrangler.jsonc or wrangler.toml in ${resolve(cwd)} or above: run portcullis in your Worker's ` +
      "project, or give the config with --config <path>.",
  );
}

/** Reads a wrangler config (JSON, JSONC or TOML). */
export function readConfig(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    const text = readFileSync(path, "utf8");
    parsed = path.endsWith(".toml") ? parseToml(text) : parseJsonc(text);
  } catch (error) {
    throw new CliError(`Cannot read ${path}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`Cannot read ${path}: not an object.`);
  }
  return parsed as Record<string, unknown>;
}

/** The `d1_databases` of the config, or of its `env.<name>` (not inherited, as in wrangler). */
function databasesOf(config: Record<string, unknown>, path: string, env: string | undefined) {
  const section = env === undefined ? config : (config.env as Record<string, Record<string, unknown>> | undefined)?.[env];
  const where = env === undefined ? basename(path) : `[env.${env}] of ${basename(path)}`;
  if (section === undefined) throw new CliError(`There is no environment "${env}" in ${basename(path)}.`);
  const parsed = D1_LIST.safeParse(section.d1_databases);
  if (!parsed.success) throw new CliError(`The d1_databases of ${where} are malformed (each needs a "binding").`);
  if (!parsed.data?.length) throw new CliError(`There are no d1_databases in ${where}.`);
  return { entries: parsed.data, where };
}

/** The entry picked by `--binding` and/or `--database`, else the first one. */
function pickEntry(entries: z.infer<typeof D1_ENTRY>[], where: string, options: TargetOptions) {
  const { binding, database } = options;
  const entry = entries.find(
    (e) => (binding === undefined || e.binding === binding) && (database === undefined || e.database_name === database),
  );
  if (entry === undefined) {
    const known = entries.map((e) => `${e.binding}${e.database_name ? ` (${e.database_name})` : ""}`).join(", ");
    const wanted = [binding && `binding ${binding}`, database && `database_name ${database}`].filter(Boolean).join(" and ");
    throw new CliError(`No D1 database with ${wanted} in ${where}; there are: ${known}.`);
  }
  return entry;
}

/** Resolves the database the command works on, and its local state directory. */
export function resolveTarget(options: TargetOptions): D1Target {
  const configPath = findConfig(options.cwd, options.config);
  const { entries, where } = databasesOf(readConfig(configPath), configPath, options.env);
  const entry = pickEntry(entries, where, options);
  const persistRoot =
    options.persistTo === undefined ? join(dirname(configPath), ".wrangler", "state") : resolve(options.cwd, options.persistTo);
  return {
    configPath,
    binding: entry.binding,
    databaseName: entry.database_name,
    localId: entry.preview_database_id ?? entry.database_id ?? entry.binding,
    migrationsTable: entry.migrations_table,
    persistDir: join(persistRoot, "v3", "d1"),
  };
}
