/**
 * `PortcullisCounters`: the Durable Object that holds Portcullis throttle counters (SQLite-backed). One object
 * is one shard: `durableObjectCounters` routes each counter key to one of a fixed set of objects.
 *
 * Atomicity: a Durable Object runs one event at a time, and `ctx.storage.sql.exec` is synchronous, so each
 * method reads, decides and writes with no `await` in between: no other call on this object can interleave, and
 * two concurrent hits on one key can never both take the last slot (the same guarantee as `d1Store`'s single
 * upsert statement, without the trip to D1's primary).
 *
 * Expiry: each row remembers the object's own clock at its newest hit (`touched_at`); an alarm deletes the rows
 * whose window has passed on that clock and re-arms itself for the next one, so no purge job is needed.
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import type { HitOptions, HitResult } from "@portcullis/core";
import type { DurableObjectStateLike, SqlValue } from "./_platform.js";
import { liveHits, newest, parseLog, resultOf } from "./_sliding-log.js";

const SCHEMA = `CREATE TABLE IF NOT EXISTS portcullis_counters (
  key TEXT PRIMARY KEY,
  window_ms REAL NOT NULL,
  log TEXT NOT NULL,
  expires_at REAL NOT NULL,
  touched_at REAL NOT NULL
)`;

const MAX_KEY_LENGTH = 1024;

interface Row {
  windowMs: number;
  log: number[];
  touchedAt: number;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Rejects what no Portcullis client sends (the object is reachable only through bindings, but checks anyway). */
function checkHit(key: unknown, options: HitOptions): void {
  if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) throw new TypeError("invalid counter key");
  const { limit, windowMs, now } = options ?? ({} as HitOptions);
  if (!isFiniteNumber(limit) || !isFiniteNumber(now) || !isFiniteNumber(windowMs) || windowMs <= 0) {
    throw new TypeError("invalid hit options");
  }
}

/**
 * The counter object. Export it from your Worker's entry module and bind it with SQLite storage:
 * `durable_objects.bindings: [{ name: "COUNTERS", class_name: "PortcullisCounters" }]` and
 * `migrations: [{ tag: "v1", new_sqlite_classes: ["PortcullisCounters"] }]`.
 * @example
 * ```ts
 * export { PortcullisCounters } from "@portcullis/store-durable-object";
 * ```
 */
export class PortcullisCounters<Env = unknown> extends DurableObject<Env> {
  /** The scheduled alarm (epoch ms on this object's clock), `null` when none. */
  #alarmAt: number | null = null;
  readonly #state: DurableObjectStateLike;

  constructor(ctx: DurableObjectStateLike, env: Env) {
    // The runtime's DurableObjectState is a superset of DurableObjectStateLike.
    super(ctx as never, env);
    this.#state = ctx;
    ctx.storage.sql.exec(SCHEMA);
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** One sliding-log step on `key` (see `CounterStore.hit`); a read only for `dryRun` or a limit below 1. */
  hit(key: string, options: HitOptions): HitResult {
    checkHit(key, options);
    const { limit, windowMs, now, dryRun = false } = options;
    const row = this.#read(key);
    const log = liveHits(row?.log ?? [], now, windowMs, limit);
    const allowed = log.length < limit;
    if (dryRun || limit < 1) return resultOf(allowed, log);
    if (allowed) {
      log.push(now);
      this.#write(key, windowMs, log, Date.now());
    } else if (row && log.length !== row.log.length) {
      this.#write(key, windowMs, log, row.touchedAt);
    }
    return resultOf(allowed, log);
  }

  /** Removes the most recent entry of `key` whose timestamp is exactly `at`; answers whether there was one. */
  releaseHit(key: string, at: number): boolean {
    if (typeof key !== "string" || !isFiniteNumber(at)) throw new TypeError("invalid release");
    const row = this.#read(key);
    const index = row ? row.log.lastIndexOf(at) : -1;
    if (!row || index < 0) return false;
    row.log.splice(index, 1);
    if (row.log.length === 0) this.#state.storage.sql.exec("DELETE FROM portcullis_counters WHERE key = ?", key);
    else this.#write(key, row.windowMs, row.log, row.touchedAt);
    return true;
  }

  /** Deletes the counters whose newest hit left its window at `now` (the caller's clock); answers how many. */
  purgeCounters(now: number): number {
    if (!isFiniteNumber(now)) throw new TypeError("invalid purge time");
    return this.#state.storage.sql.exec("DELETE FROM portcullis_counters WHERE expires_at <= ? RETURNING key", now).toArray().length;
  }

  /** The alarm: deletes the counters whose window has passed on this object's clock, then re-arms. */
  override async alarm(): Promise<void> {
    const sql = this.#state.storage.sql;
    sql.exec("DELETE FROM portcullis_counters WHERE touched_at + window_ms <= ?", Date.now());
    const next = sql.exec("SELECT min(touched_at + window_ms) AS due FROM portcullis_counters").toArray()[0]?.due;
    this.#alarmAt = typeof next === "number" ? next : null;
    if (this.#alarmAt !== null) await this.#state.storage.setAlarm(this.#alarmAt);
  }

  #read(key: string): Row | null {
    const found = this.#state.storage.sql.exec("SELECT window_ms, log, touched_at FROM portcullis_counters WHERE key = ?", key).toArray()[0];
    if (found === undefined) return null;
    return { windowMs: Number(found.window_ms), log: parseLog(found.log), touchedAt: Number(found.touched_at as SqlValue) };
  }

  #write(key: string, windowMs: number, log: readonly number[], touchedAt: number): void {
    this.#state.storage.sql.exec(
      `INSERT INTO portcullis_counters (key, window_ms, log, expires_at, touched_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (key) DO UPDATE SET window_ms = ?2, log = ?3, expires_at = ?4, touched_at = ?5`,
      key, windowMs, JSON.stringify(log), newest(log) + windowMs, touchedAt,
    );
    const due = touchedAt + windowMs;
    if (this.#alarmAt === null || due < this.#alarmAt) {
      this.#alarmAt = due;
      void this.#state.storage.setAlarm(due);
    }
  }
}
