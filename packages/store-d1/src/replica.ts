/**
 * `d1ReplicaStore(db, { maxReplicaLagMs })`: `d1Store` whose token checks may read a D1 read replica (the Sessions
 * API), with a bounded staleness. THE RULE: every token check reads, in one query on a replica, the token and the
 * replica clock (`portcullis_replica_clock.at`, written on the primary by heartbeats and by every revocation). A
 * replica applies the primary's writes in order, so one that shows `at` holds every write committed before `at`.
 * The replica's answer is used only when it found the token AND `now - at <= maxReplicaLagMs`; otherwise the check
 * reads the primary. Hence a revoked token (or a deactivated user) stops authenticating at most
 * `maxReplicaLagMs` after the revocation committed, whatever the replica's real lag (see SECURITY.md). Behind a
 * `tokenCache`, the two bounds add up: revoked within `maxStalenessMs + maxReplicaLagMs`.
 * @module
 */
import { ConfigError, type Store, type TokenRecord, type User } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import { attempt } from "./_errors.js";
import { d1Store } from "./d1-store.js";

/** A D1 binding with the Sessions API (`env.DB` with read replication). */
export interface D1SessionsDatabaseLike extends D1DatabaseLike {
  withSession(constraintOrBookmark?: string): D1DatabaseLike;
}

/** Options of `d1ReplicaStore`. */
export interface D1ReplicaStoreOptions {
  /**
   * Required: the staleness accepted from a replica, in ms (1,000 to 300,000). A token revoked on the primary
   * stops authenticating at most this long after the revocation committed. No default: choose it.
   */
  readonly maxReplicaLagMs: number;
  /** The clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface Row {
  clock_at: number | null;
  id: string | null;
  user_id: string;
  name: string | null;
  created_at: number;
  expires_at: number | null;
  username: string;
  is_active: number;
  is_staff: number;
}

type Found = { token: TokenRecord; user: User };

// Always one row: the clock, and the token joined with its user when there is one.
const FIND_WITH_CLOCK = `SELECT (SELECT at FROM portcullis_replica_clock WHERE id = 1) AS clock_at,
  t.id, t.user_id, t.name, t.created_at, t.expires_at, u.username, u.is_active, u.is_staff
FROM (SELECT 1) LEFT JOIN portcullis_tokens AS t ON t.digest = ?1 LEFT JOIN portcullis_users AS u ON u.id = t.user_id`;

/**
 * The database's own time, epoch ms. A heartbeat never records a time later than it: a Worker whose clock runs
 * fast would otherwise write a future `at`, and a replica showing it would look fresh for longer than the bound.
 * (A slow writer clock records an earlier `at`, which only makes replicas look staler: safe.)
 */
const DB_NOW_MS = "((julianday('now') - 2440587.5) * 86400000.0)";
const TICK = `INSERT INTO portcullis_replica_clock (id, at) VALUES (1, min(?1, ${DB_NOW_MS}))
ON CONFLICT (id) DO UPDATE SET at = max(at, min(?1, ${DB_NOW_MS}))`;

function foundOf(row: Row | null): Found | null {
  if (row === null || row.id === null || row.username === null) return null;
  const token = {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
  return { token, user: { id: row.user_id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 } };
}

function checkOptions(db: D1SessionsDatabaseLike, options: D1ReplicaStoreOptions): { maxLagMs: number; now: () => number } {
  if (typeof db?.withSession !== "function") throw new ConfigError("db", "must be a D1 binding with the Sessions API (env.DB)");
  const { maxReplicaLagMs, now = Date.now } = options ?? ({} as D1ReplicaStoreOptions);
  if (!Number.isSafeInteger(maxReplicaLagMs) || maxReplicaLagMs < 1_000 || maxReplicaLagMs > 300_000) {
    throw new ConfigError("maxReplicaLagMs", "is required: an integer from 1000 to 300000 (ms)");
  }
  if (typeof now !== "function") throw new ConfigError("now", "must be a function answering epoch ms");
  return { maxLagMs: maxReplicaLagMs, now };
}

/**
 * A D1 `Store` whose `findToken` reads a replica when the replica is provably fresh enough, and whose
 * revocations (`deleteToken`, `deleteUserTokens`) also tick the replica clock on the primary, in the same batch.
 * A fresh replica answers a valid token in one replica read; a stale one, or an unknown token (which may be new),
 * costs a second read on the primary, which then ticks the clock if it is older than half the bound (at most
 * one write per isolate per quarter of the bound). Needs migration `0004_replica_clock.sql`.
 * @example
 * ```ts
 * const store = d1ReplicaStore(env.DB, { maxReplicaLagMs: 10_000 });
 * const schemes = [tokenAuth({ store })];
 * ```
 */
export function d1ReplicaStore(db: D1SessionsDatabaseLike, options: D1ReplicaStoreOptions): Store {
  const base = d1Store(db);
  const { maxLagMs, now } = checkOptions(db, options);
  let lastTick = -Infinity;
  const read = (database: D1DatabaseLike, digest: string) => database.prepare(FIND_WITH_CLOCK).bind(digest).first<Row>();
  const tick = (at: number) => db.prepare(TICK).bind(at);

  async function findToken(digest: string): Promise<Found | null> {
    const replica = await read(db.withSession("first-unconstrained"), digest);
    const checkedAt = now();
    const fresh = replica?.clock_at != null && checkedAt - replica.clock_at <= maxLagMs;
    const fromReplica = foundOf(replica);
    if (fresh && fromReplica !== null) return fromReplica;
    const primary = await read(db, digest);
    const stale = primary?.clock_at == null || checkedAt - primary.clock_at > maxLagMs / 2;
    if (stale && checkedAt - lastTick > maxLagMs / 4) {
      lastTick = checkedAt;
      await tick(checkedAt).run();
    }
    return foundOf(primary);
  }

  async function revoke(where: string, value: string): Promise<number> {
    const del = db.prepare(`DELETE FROM portcullis_tokens WHERE ${where}`).bind(value);
    const [result] = (await db.batch([del, tick(now())])) as { meta: { changes: number } }[];
    return result?.meta.changes ?? 0;
  }

  return {
    ...base,
    findToken: (digest) => attempt("findToken", () => findToken(digest)),
    deleteToken: (tokenId) => attempt("deleteToken", async () => (await revoke("id = ?1", tokenId)) > 0),
    deleteUserTokens: (userId) => attempt("deleteUserTokens", () => revoke("user_id = ?1", userId)),
  };
}
