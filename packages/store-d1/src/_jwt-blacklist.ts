/**
 * The JWT blacklist methods of `d1Store` (internal). Rotation is one `batch()` (one transaction): record the old
 * token if unknown, spend it only if it is live, insert the next token only if this call spent it, and blacklist
 * the family if the old token had been spent by another call; then read the outcome back. Concurrent rotations
 * of one token serialize on D1's writer, so exactly one of them spends it.
 * @module
 */
import type { JwtBlacklistStore, JwtRotation, OutstandingJwt } from "@portcullis/core";
import type { D1DatabaseLike, D1ResultLike } from "./d1-types.js";
import { badAnswer } from "./_errors.js";

const T = "portcullis_jwt_outstanding";
const INSERT = `INSERT INTO ${T} (jti, user_id, family, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)`;
const INSERT_IF_MISSING = `${INSERT} ON CONFLICT (jti) DO NOTHING`;

/** ?1 old jti, ?2 next jti, ?3 now, ?4 1 to blacklist the old token as well. */
const SPEND = `UPDATE ${T} SET replaced_by = ?2, blacklisted_at = CASE WHEN ?4 = 1 THEN ?3 ELSE blacklisted_at END
WHERE jti = ?1 AND replaced_by IS NULL AND blacklisted_at IS NULL`;
/** ?1 old jti, ?2 next jti, ?3 user, ?4 created, ?5 expires: only when this batch spent the old token. */
const INSERT_NEXT = `INSERT INTO ${T} (jti, user_id, family, created_at, expires_at)
SELECT ?2, ?3, family, ?4, ?5 FROM ${T} WHERE jti = ?1 AND replaced_by = ?2`;
/** ?1 old jti, ?2 next jti, ?3 now: the old token was spent by another rotation, so its family is revoked. */
const REVOKE_FAMILY = `UPDATE ${T} SET blacklisted_at = ?3 WHERE blacklisted_at IS NULL AND family =
(SELECT family FROM ${T} WHERE jti = ?1 AND replaced_by IS NOT NULL AND replaced_by <> ?2)`;
const OUTCOME = `SELECT replaced_by FROM ${T} WHERE jti = ?1`;

function bindRow(db: D1DatabaseLike, sql: string, token: OutstandingJwt) {
  return db.prepare(sql).bind(token.jti, token.userId, token.family, token.createdAt, token.expiresAt);
}

async function rotate(db: D1DatabaseLike, old: OutstandingJwt, next: OutstandingJwt, now: number, blacklistOld: boolean): Promise<JwtRotation> {
  const results = (await db.batch([
    bindRow(db, INSERT_IF_MISSING, old),
    db.prepare(SPEND).bind(old.jti, next.jti, now, blacklistOld ? 1 : 0),
    db.prepare(INSERT_NEXT).bind(old.jti, next.jti, next.userId, next.createdAt, next.expiresAt),
    db.prepare(REVOKE_FAMILY).bind(old.jti, next.jti, now),
    db.prepare(OUTCOME).bind(old.jti),
  ])) as D1ResultLike<{ replaced_by: string | null }>[];
  const row = results[4]?.results[0];
  if (row === undefined) throw badAnswer("rotateJwt");
  if (row.replaced_by === next.jti) return "rotated";
  return row.replaced_by === null ? "blacklisted" : "reused";
}

async function blacklist(db: D1DatabaseLike, token: OutstandingJwt, now: number): Promise<boolean> {
  const results = (await db.batch([
    bindRow(db, INSERT_IF_MISSING, token),
    db.prepare(`UPDATE ${T} SET blacklisted_at = ?2 WHERE jti = ?1 AND blacklisted_at IS NULL`).bind(token.jti, now),
    // A spent token (rotated away) at logout: its successors may be a thief's, so the whole family goes.
    db.prepare(`UPDATE ${T} SET blacklisted_at = ?2 WHERE blacklisted_at IS NULL AND family =
(SELECT family FROM ${T} WHERE jti = ?1 AND replaced_by IS NOT NULL)`).bind(token.jti, now),
  ])) as D1ResultLike[];
  return (results[1]?.meta.changes ?? 0) > 0;
}

/** The capability's methods on `db`, each wrapped by `wrap` (error translation). */
export function jwtBlacklistMethods(db: D1DatabaseLike, wrap: <R>(operation: string, run: () => Promise<R>) => Promise<R>): JwtBlacklistStore {
  return {
    addOutstandingJwt: (token) => wrap("addOutstandingJwt", async () => void (await bindRow(db, INSERT, token).run())),
    isJwtBlacklisted: (jti) =>
      wrap("isJwtBlacklisted", async () => (await db.prepare(`SELECT 1 AS x FROM ${T} WHERE jti = ?1 AND blacklisted_at IS NOT NULL`).bind(jti).first()) !== null),
    blacklistJwt: (token, now) => wrap("blacklistJwt", () => blacklist(db, token, now)),
    rotateJwt: (old, next, { now, blacklistOld }) => wrap("rotateJwt", () => rotate(db, old, next, now, blacklistOld)),
    blacklistUserJwts: (userId, now) =>
      wrap("blacklistUserJwts", async () => {
        const sql = `UPDATE ${T} SET blacklisted_at = ?2 WHERE user_id = ?1 AND blacklisted_at IS NULL AND expires_at > ?2`;
        return (await db.prepare(sql).bind(userId, now).run()).meta.changes;
      }),
    deleteExpiredJwts: (now) =>
      wrap("deleteExpiredJwts", async () => (await db.prepare(`DELETE FROM ${T} WHERE expires_at <= ?1`).bind(now).run()).meta.changes),
  };
}
