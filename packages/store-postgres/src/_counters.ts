/**
 * The sliding-log counters of `postgresStore` (internal). A hit is ONE upsert statement: on a conflict PostgreSQL
 * locks the existing row and computes every SET expression from that latest version, so concurrent hits on one
 * key queue on the row and can never both take the last slot. The statement prunes the hits that left the window,
 * appends `now` when fewer than `limit` remain, and returns the outcome and the new log. Parameters: $1 key,
 * $2 windowMs, $3 now, $4 limit. A release is ONE UPDATE (an UPDATE that finds its row changed by a concurrent
 * one re-evaluates on the new version); parameters: $1 key, $2 the timestamp to take back.
 * @module
 */
import type { HitOptions, HitResult } from "@portcullis/core";
import type { SqlClient } from "./client.js";
import { badAnswer } from "./_errors.js";

/** The live hits of the stored (old) log: those after `now - windowMs`. */
const LIVE = "FROM unnest(c.log) AS h WHERE h > $3::float8 - $2::float8";
/** Whether this hit is allowed, judged on the stored (old) row. */
const IS_ALLOWED = `((SELECT count(*) ${LIVE}) < $4::bigint)`;

const HIT = `INSERT INTO portcullis_counters AS c (key, window_ms, log, last_allowed, expires_at)
VALUES ($1, $2::float8, ARRAY[$3::float8], true, $3::float8 + $2::float8)
ON CONFLICT (key) DO UPDATE SET
  window_ms = $2::float8,
  last_allowed = ${IS_ALLOWED},
  log = ARRAY(SELECT k.h FROM (SELECT h ${LIVE} ORDER BY h DESC LIMIT $4::bigint) AS k ORDER BY k.h)
    || CASE WHEN ${IS_ALLOWED} THEN ARRAY[$3::float8] ELSE '{}'::float8[] END,
  expires_at = greatest(
    coalesce((SELECT max(h) FROM unnest(c.log) AS h), $3::float8),
    CASE WHEN ${IS_ALLOWED} THEN $3::float8 ELSE 0 END
  ) + $2::float8
RETURNING last_allowed AS allowed, to_json(log)::text AS log`;

// Removes the first entry equal to $2 (entries with one timestamp are alike) and recomputes expires_at from the
// kept log (newest kept hit + window; an emptied log is purgeable at once). The WHERE makes an unknown timestamp
// change nothing, so rowCount answers whether an entry was removed.
const RELEASE = `UPDATE portcullis_counters AS c SET (log, expires_at) = (
  SELECT kept.log, coalesce((SELECT max(h) FROM unnest(kept.log) AS h), 0) + c.window_ms
  FROM (SELECT c.log[:p.at - 1] || c.log[p.at + 1:] AS log FROM (SELECT array_position(c.log, $2::float8) AS at) AS p) AS kept
)
WHERE c.key = $1 AND $2::float8 = ANY (c.log)`;

/** The live hits of a stored log at `now`, at most the newest `limit`. */
function liveHits(log: readonly number[], { limit, windowMs, now }: HitOptions): number[] {
  const live = log.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  return live.slice(Math.max(live.length - Math.max(limit, 0), 0));
}

/**
 * Reads a log sent as JSON text (`to_json(log)::text`: every driver hands text over as it is, whereas arrays are
 * decoded only where the driver knows their type); anything but an array of numbers is a corrupt answer.
 */
function parseLog(text: unknown, operation: string): number[] {
  const log: unknown = typeof text === "string" ? JSON.parse(text) : null;
  if (!Array.isArray(log) || !log.every((at) => typeof at === "number" && Number.isFinite(at))) throw badAnswer(operation);
  return log;
}

/** The result of a hit from the log after it. */
function resultOf(allowed: boolean, log: readonly number[]): HitResult {
  const oldest = log.reduce<number | null>((min, at) => (min === null || at < min ? at : min), null);
  return { allowed, count: log.length, oldest };
}

/** One atomic sliding-log step (a read only, for `dryRun` or a limit below 1). */
export async function hit(db: SqlClient, key: string, options: HitOptions): Promise<HitResult> {
  const { limit, windowMs, now, dryRun = false } = options;
  if (dryRun || limit < 1) {
    const { rows } = await db.query("SELECT to_json(log)::text AS log FROM portcullis_counters WHERE key = $1", [key]);
    const log = rows[0] ? liveHits(parseLog(rows[0].log, "hit"), options) : [];
    return resultOf(log.length < limit, log);
  }
  const { rows } = await db.query(HIT, [key, windowMs, now, limit]);
  const row = rows[0];
  if (!row) throw badAnswer("hit");
  return resultOf(row.allowed === true, parseLog(row.log, "hit"));
}

/** Removes one entry of `key` with exactly timestamp `at`; answers whether there was one. */
export async function releaseHit(db: SqlClient, key: string, at: number): Promise<boolean> {
  return (await db.query(RELEASE, [key, at])).rowCount > 0;
}

/** Deletes the counters whose newest hit left its window; answers how many. */
export async function purgeCounters(db: SqlClient, now: number): Promise<number> {
  return (await db.query("DELETE FROM portcullis_counters WHERE expires_at <= $1::float8", [now])).rowCount;
}
