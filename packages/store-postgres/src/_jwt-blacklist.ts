/**
 * The JWT blacklist methods of `postgresStore` in its own table (internal), one SQL statement each. Rotation is
 * one call of `portcullis_rotate_jwt` (see `0004_sessions_jwt.sql`): the old token's row is locked, so of any
 * number of concurrent rotations exactly one spends it, and a spent token presented again blacklists its family.
 * @module
 */
import type { JwtBlacklistStore, JwtRotation, OutstandingJwt } from "@portcullis/core";
import type { SqlClient } from "./client.js";
import { attempt, badAnswer } from "./_errors.js";

const T = "portcullis_jwt_outstanding";
const INSERT = `INSERT INTO ${T} (jti, user_id, family, created_at, expires_at) VALUES ($1, $2, $3, $4::bigint, $5::bigint)`;
const ROTATE = `SELECT portcullis_rotate_jwt($1, $2, $3, $4::bigint, $5::bigint, $6, $7, $8::bigint, $9::bigint, $10::bigint,
  $11::boolean) AS outcome`;
const OUTCOMES: ReadonlySet<string> = new Set<JwtRotation>(["rotated", "reused", "blacklisted"]);

function row(token: OutstandingJwt): [string, string | null, string, number, number] {
  return [token.jti, token.userId, token.family, token.createdAt, token.expiresAt];
}

/**
 * Blacklists a token. A data-modifying CTE cannot see the row its sibling inserts, so an unknown token is
 * inserted already blacklisted (the INSERT's `blacklisted_at` column) and an existing one updated. A spent token
 * (rotated away: its successors may be a thief's) revokes its whole family in the same statement (`revoked`, which
 * leaves the token's own row to `updated`).
 */
async function blacklist(db: SqlClient, token: OutstandingJwt, now: number): Promise<boolean> {
  const sql = `WITH recorded AS (INSERT INTO ${T} (jti, user_id, family, created_at, expires_at, blacklisted_at)
    VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint) ON CONFLICT (jti) DO NOTHING RETURNING jti)
  , updated AS (UPDATE ${T} SET blacklisted_at = $6::bigint WHERE jti = $1 AND blacklisted_at IS NULL RETURNING jti)
  , revoked AS (UPDATE ${T} SET blacklisted_at = $6::bigint WHERE blacklisted_at IS NULL AND jti <> $1
      AND family = (SELECT family FROM ${T} WHERE jti = $1 AND replaced_by IS NOT NULL) RETURNING jti)
  SELECT (SELECT count(*) FROM updated) + (SELECT count(*) FROM recorded) AS changed`;
  const { rows } = await db.query(sql, [...row(token), now]);
  return Number(rows[0]?.changed ?? 0) > 0;
}

async function rotate(db: SqlClient, old: OutstandingJwt, next: OutstandingJwt, now: number, blacklistOld: boolean): Promise<JwtRotation> {
  const { rows } = await db.query(ROTATE, [...row(old), next.jti, next.userId, next.createdAt, next.expiresAt, now, blacklistOld]);
  const outcome = String(rows[0]?.outcome ?? "");
  if (!OUTCOMES.has(outcome)) throw badAnswer("rotateJwt");
  return outcome as JwtRotation;
}

/** The JWT blacklist capability on `db`, in `portcullis_jwt_outstanding`. */
export function jwtBlacklistStore(db: SqlClient): JwtBlacklistStore {
  return {
    addOutstandingJwt: (token) => attempt("addOutstandingJwt", async () => void (await db.query(INSERT, row(token)))),
    isJwtBlacklisted: (jti) =>
      attempt("isJwtBlacklisted", async () => (await db.query(`SELECT 1 FROM ${T} WHERE jti = $1 AND blacklisted_at IS NOT NULL`, [jti])).rows.length > 0),
    blacklistJwt: (token, now) => attempt("blacklistJwt", () => blacklist(db, token, now)),
    rotateJwt: (old, next, { now, blacklistOld }) => attempt("rotateJwt", () => rotate(db, old, next, now, blacklistOld)),
    blacklistUserJwts: (userId, now) =>
      attempt("blacklistUserJwts", async () => {
        const sql = `UPDATE ${T} SET blacklisted_at = $2::bigint WHERE user_id = $1 AND blacklisted_at IS NULL AND expires_at > $2::bigint`;
        return (await db.query(sql, [userId, now])).rowCount;
      }),
    deleteExpiredJwts: (now) =>
      attempt("deleteExpiredJwts", async () => (await db.query(`DELETE FROM ${T} WHERE expires_at <= $1::bigint`, [now])).rowCount),
  };
}
