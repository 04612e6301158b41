/**
 * `wranglerD1(options)`: a D1 database that runs every statement through `wrangler d1 execute --json`
 * (internal). The CLI's `--remote` uses it for production; with `remote: false` it runs the same SQL on the
 * local database, which is how it is tested. Bound values are inlined as SQL literals (`sql-literal.ts`), and
 * each write is followed by `SELECT changes()` so `meta.changes` is known (wrangler's local answer has no meta).
 * @module
 */
/// <reference types="node" />
import type { D1DatabaseLike, D1PreparedStatementLike, D1ResultLike } from "@portcullis/store-d1";
import { inlineParams } from "./sql-literal.js";
import { parseWranglerOutput, run, wranglerCommand, type WranglerResult } from "./wrangler-run.js";

/** Options of `wranglerD1`. */
export interface WranglerD1Options {
  /** The database's `database_name` or `binding`, as `wrangler d1 execute <database>` takes it. */
  readonly database: string;
  /** `--remote` (production) or `--local`. */
  readonly remote: boolean;
  /** The project directory wrangler runs in. */
  readonly cwd: string;
  /** `--config <path>` for wrangler. */
  readonly config?: string;
  /** `--env <name>` for wrangler. */
  readonly env?: string;
  /** `--persist-to <dir>` for a local run. */
  readonly persistTo?: string;
  /** The wrangler to run (see `wranglerCommand`). */
  readonly wrangler?: string;
}

type Statement = { readonly sql: string; readonly values: readonly unknown[] };

/** Whether a statement only reads (then no `SELECT changes()` follows it). */
const isRead = (sql: string) => /^\s*(SELECT|PRAGMA|EXPLAIN|VALUES)\b/i.test(sql);

/** Hides every long inlined string (a hash, a digest) should wrangler quote the SQL in an error. */
function redact(error: unknown, statements: readonly Statement[]): Error {
  let message = error instanceof Error ? error.message : String(error);
  for (const { values } of statements) {
    for (const value of values) if (typeof value === "string" && value.length >= 8) message = message.split(value).join("…");
  }
  return new Error(message);
}

/** Runs statements in one wrangler call (one batch) and answers one D1 result each. */
async function execute(options: WranglerD1Options, statements: readonly Statement[]): Promise<D1ResultLike[]> {
  const sql = statements
    .map(({ sql, values }) => inlineParams(sql, values) + (isRead(sql) ? "" : "\n;\nSELECT changes() AS changes"))
    .join("\n;\n");
  const args = ["d1", "execute", options.database, options.remote ? "--remote" : "--local", "--json", "--command", sql];
  if (options.config !== undefined) args.push("--config", options.config);
  if (options.env !== undefined) args.push("--env", options.env);
  if (options.persistTo !== undefined && !options.remote) args.push("--persist-to", options.persistTo);
  let answers: WranglerResult[];
  try {
    answers = parseWranglerOutput(await run([...wranglerCommand(options.cwd, options.wrangler), ...args], options.cwd));
  } catch (error) {
    throw redact(error, statements);
  }
  let next = 0;
  return statements.map(({ sql }) => {
    const results = answers[next++]?.results ?? [];
    const changes = isRead(sql) ? 0 : Number(answers[next++]?.results[0]?.changes ?? 0);
    return { results, meta: { changes } };
  });
}

/** A prepared statement that runs on `execute`. */
function statement(options: WranglerD1Options, sql: string, values: readonly unknown[]): D1PreparedStatementLike & Statement {
  const once = async () => (await execute(options, [{ sql, values }]))[0] as D1ResultLike;
  return {
    sql,
    values,
    bind: (...bound: unknown[]) => statement(options, sql, bound),
    first: async <T>() => ((await once()).results[0] as T | undefined) ?? null,
    all: async <T>() => (await once()) as D1ResultLike<T>,
    run: async <T>() => (await once()) as D1ResultLike<T>,
  };
}

/**
 * A `D1DatabaseLike` over `wrangler d1 execute`: `prepare`/`bind`/`first`/`all`/`run`, and `batch` as one
 * wrangler call (wrangler runs a local batch in one transaction). Each call spawns wrangler, so it is slow
 * (seconds); it is meant for a handful of administrative statements.
 * @example
 * ```ts
 * const store = d1Store(wranglerD1({ database: "my-api", remote: true, cwd: process.cwd() }));
 * ```
 */
export function wranglerD1(options: WranglerD1Options): D1DatabaseLike {
  return {
    prepare: (sql) => statement(options, sql, []),
    batch: (statements) => execute(options, statements as unknown as Statement[]),
  };
}
