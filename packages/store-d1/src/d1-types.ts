/**
 * The part of Cloudflare D1's API that `d1Store` and `migrate` use, declared structurally so that projects
 * compile without `@cloudflare/workers-types`. A `D1Database` binding (`env.DB`) fits, and so does a
 * `D1DatabaseSession` from `env.DB.withSession()`.
 * @module
 */

/**
 * What D1 answers for `run()` and `all()`: the rows and, in `meta`, how many rows changed.
 * @example
 * ```ts
 * const { results, meta } = await db.prepare("DELETE FROM portcullis_tokens WHERE user_id = ?1").bind(id).run();
 * ```
 */
export interface D1ResultLike<T = Record<string, unknown>> {
  readonly results: T[];
  readonly meta: { readonly changes: number };
}

/**
 * A D1 prepared statement (`db.prepare(sql)`), before or after `bind(...)`.
 * @example
 * ```ts
 * const row = await db.prepare("SELECT id FROM portcullis_users WHERE username = ?1").bind("alice").first();
 * ```
 */
export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<D1ResultLike<T>>;
  run<T = Record<string, unknown>>(): Promise<D1ResultLike<T>>;
}

/**
 * A D1 database: the `D1Database` binding of a Worker (or a D1 session).
 * @example
 * ```ts
 * import type { D1DatabaseLike } from "@portcullis/store-d1";
 *
 * interface Env { DB: D1DatabaseLike } // or `D1Database` from @cloudflare/workers-types
 * ```
 */
export interface D1DatabaseLike {
  prepare(query: string): D1PreparedStatementLike;
  /** Runs statements in order, in one transaction: all of them or none. */
  batch(statements: D1PreparedStatementLike[]): Promise<unknown[]>;
}
