/**
 * The sliding-log counters of `d1Store` (internal). A hit is ONE upsert statement: it prunes the hits that
 * left the window, appends `now` when fewer than `limit` remain, and returns the outcome and the new log, so
 * concurrent hits on one key can never both take the last slot. Parameters: ?1 key, ?2 windowMs, ?3 now,
 * ?4 limit. A release is ONE update statement too (parameters: ?1 key, ?2 the timestamp to take back).
 * @module
 */
import type { HitOptions, HitResult } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import { badAnswer } from "./_errors.js";

/** The live hits of the stored log: those after `now - windowMs`. */
const LIVE = "FROM json_each(portcullis_counters.log) AS e WHERE e.value > ?3 - ?2";
/** Whether this hit is allowed, judged on the stored (old) row. */
const IS_ALLOWED = `((SELECT count(*) ${LIVE}) < ?4)`;

// In an UPDATE, every SET expression reads the old row, so the three below agree with each other.
const HIT = `INSERT INTO portcullis_counters (key, window_ms, log, last_allowed, expires_at)
VALUES (?1, ?2, json_array(?3), 1, ?3 + ?2)
ON CONFLICT (key) DO UPDATE SET
  window_ms = ?2,
  last_allowed = ${IS_ALLOWED},
  log = (SELECT json_group_array(h.value) FROM (
    SELECT value FROM (SELECT e.value AS value ${LIVE} ORDER BY e.value DESC LIMIT ?4)
    UNION ALL SELECT ?3 WHERE ${IS_ALLOWED}
  ) AS h),
  expires_at = max(
    coalesce((SELECT max(e.value) FROM json_each(portcullis_counters.log) AS e), ?3),
    CASE WHEN ${IS_ALLOWED} THEN ?3 ELSE 0 END
  ) + ?2
RETURNING last_allowed AS allowed, log`;

/** The index in the stored log of the entry a release removes: the last one holding exactly ?2. */
const RELEASED = "(SELECT max(r.key) FROM json_each(portcullis_counters.log) AS r WHERE r.value = ?2)";
/** The entries of the stored log that a release keeps, in their order. */
const KEPT = `FROM json_each(portcullis_counters.log) AS e WHERE e.key <> ${RELEASED}`;

// Every SET expression reads the old row: the log without the released entry, and expires_at recomputed from
// that same log (newest kept hit + window; an emptied log is purgeable at once). The WHERE makes an unknown
// timestamp change nothing, so `changes` answers whether an entry was removed.
const RELEASE = `UPDATE portcullis_counters SET
  log = (SELECT json_group_array(k.value) FROM (SELECT e.value AS value ${KEPT} ORDER BY e.key) AS k),
  expires_at = coalesce((SELECT max(e.value) ${KEPT}), 0) + window_ms
WHERE portcullis_counters.key = ?1 AND ${RELEASED} IS NOT NULL`;

/** The live hits of a stored log at `now`, at most the newest `limit`. */
function liveHits(log: readonly number[], { limit, windowMs, now }: HitOptions): number[] {
  const live = log.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  return live.slice(Math.max(live.length - Math.max(limit, 0), 0));
}

/** Reads a JSON log column; anything but an array of numbers is a corrupt answer. */
function parseLog(text: unknown, operation: string): number[] {
  const log: unknown = typeof text === "string" ? JSON.parse(text) : null;
  if (!Array.isArray(log) || !log.every((at) => typeof at === "number")) throw badAnswer(operation);
  return log;
}

/** The result of a hit from the log after it. */
function resultOf(allowed: boolean, log: readonly number[]): HitResult {
  const oldest = log.reduce<number | null>((min, at) => (min === null || at < min ? at : min), null);
  return { allowed, count: log.length, oldest };
}

/** One atomic sliding-log step (a read only, for `dryRun` or a limit below 1). */
export async function hit(db: D1DatabaseLike, key: string, options: HitOptions): Promise<HitResult> {
  const { limit, windowMs, now, dryRun = false } = options;
  if (dryRun || limit < 1) {
    const row = await db.prepare("SELECT log FROM portcullis_counters WHERE key = ?1").bind(key).first();
    const log = row ? liveHits(parseLog(row.log, "hit"), options) : [];
    return resultOf(log.length < limit, log);
  }
  const row = await db.prepare(HIT).bind(key, windowMs, now, limit).first();
  if (!row) throw badAnswer("hit");
  return resultOf(row.allowed === 1, parseLog(row.log, "hit"));
}

/** Removes one entry of `key` with exactly timestamp `at` (the most recent one); answers whether there was one. */
export async function releaseHit(db: D1DatabaseLike, key: string, at: number): Promise<boolean> {
  const result = await db.prepare(RELEASE).bind(key, at).run();
  return result.meta.changes > 0;
}

/** Deletes the counters whose newest hit left its window; answers how many. */
export async function purgeCounters(db: D1DatabaseLike, now: number): Promise<number> {
  const result = await db.prepare("DELETE FROM portcullis_counters WHERE expires_at <= ?1").bind(now).run();
  return result.meta.changes;
}
