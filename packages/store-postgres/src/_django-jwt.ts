/**
 * The JWT blacklist of `postgresStore` in Django mode (internal), one SQL statement each, on simplejwt's own
 * `token_blacklist_outstandingtoken` and `token_blacklist_blacklistedtoken`: a token Portcullis mints gets an
 * outstanding row as simplejwt writes one (jti, created_at, expires_at, user_id; the token text, a live
 * credential, is never stored: `''`), Django's blacklist rows are honoured and Portcullis writes its own there.
 * Families and spent tokens live in `portcullis_django_jwt` (see `0005_django_jwt.sql`).
 * @module
 */
import type { JwtBlacklistStore, JwtRotation, OutstandingJwt } from "@portcullis/core";
import type { SqlClient, SqlParam } from "./client.js";
import { attempt, badAnswer } from "./_errors.js";
import { djangoId } from "./_django-users.js";

const O = "token_blacklist_outstandingtoken";
const B = "token_blacklist_blacklistedtoken";
const ts = (param: string): string => `to_timestamp(${param}::float8 / 1000)`;
/** The user of $2, or NULL when no such user exists (simplejwt's `blacklist()`: `User.DoesNotExist` → `None`). */
const USER = "(SELECT id FROM auth_user WHERE id = $2::bigint)";

/** Records the outstanding row and the family row; $1 jti, $2 user, $3 family, $4 created, $5 expires. */
const ADD = `WITH outstanding AS (INSERT INTO ${O} (jti, token, created_at, expires_at, user_id)
  VALUES ($1, '', ${ts("$4")}, ${ts("$5")}, ${USER}) RETURNING jti)
INSERT INTO portcullis_django_jwt (jti, family) SELECT jti, $3 FROM outstanding ON CONFLICT (jti) DO NOTHING`;

/**
 * simplejwt's `get_or_create` of both rows; $6 now. Counts the blacklist rows this statement inserted for the token
 * itself. A spent token (rotated away: its successors may be a thief's) also blacklists its whole family (`revoked`).
 */
const BLACKLIST = `WITH recorded AS (INSERT INTO ${O} (jti, token, created_at, expires_at, user_id)
  VALUES ($1, '', ${ts("$4")}, ${ts("$5")}, ${USER}) ON CONFLICT (jti) DO NOTHING RETURNING id)
, family AS (INSERT INTO portcullis_django_jwt (jti, family) VALUES ($1, $3) ON CONFLICT (jti) DO NOTHING)
, token AS (SELECT id FROM recorded UNION ALL SELECT id FROM ${O} WHERE jti = $1)
, blacklisted AS (INSERT INTO ${B} (token_id, blacklisted_at) SELECT id, ${ts("$6")} FROM token
  ON CONFLICT (token_id) DO NOTHING RETURNING 1)
, revoked AS (INSERT INTO ${B} (token_id, blacklisted_at) SELECT o.id, ${ts("$6")} FROM ${O} AS o
  JOIN portcullis_django_jwt AS f ON f.jti = o.jti WHERE o.jti <> $1
  AND f.family = (SELECT family FROM portcullis_django_jwt WHERE jti = $1 AND replaced_by IS NOT NULL)
  ON CONFLICT (token_id) DO NOTHING)
SELECT count(*) AS changed FROM blacklisted`;

const ROTATE = `SELECT portcullis_django_rotate_jwt($1, $2::bigint, $3, $4::float8, $5::float8, $6, $7::bigint, $8::float8,
  $9::float8, $10::float8, $11::boolean) AS outcome`;

/** What `flushexpiredtokens` deletes (with the blacklist rows Django's CASCADE deletes), and orphaned families. */
const DELETE_EXPIRED = `WITH gone AS (SELECT id, jti FROM ${O} WHERE expires_at <= ${ts("$1")})
, blacklist AS (DELETE FROM ${B} WHERE token_id IN (SELECT id FROM gone))
, families AS (DELETE FROM portcullis_django_jwt AS f WHERE f.jti IN (SELECT jti FROM gone)
  OR NOT EXISTS (SELECT 1 FROM ${O} AS o WHERE o.jti = f.jti))
, outstanding AS (DELETE FROM ${O} WHERE id IN (SELECT id FROM gone) RETURNING 1)
SELECT count(*) AS deleted FROM outstanding`;

const OUTCOMES: ReadonlySet<string> = new Set<JwtRotation>(["rotated", "reused", "blacklisted"]);

/** The row parameters: a user id that is not a Django id is unknown (`NULL`), as simplejwt's nullable column. */
function row(token: OutstandingJwt): SqlParam[] {
  const userId = token.userId === null ? null : djangoId(token.userId);
  return [token.jti, userId, token.family, token.createdAt, token.expiresAt];
}

async function rotate(db: SqlClient, old: OutstandingJwt, next: OutstandingJwt, now: number, blacklistOld: boolean): Promise<JwtRotation> {
  const [jti, userId, , createdAt, expiresAt] = row(next);
  const { rows } = await db.query(ROTATE, [...row(old), jti!, userId!, createdAt!, expiresAt!, now, blacklistOld]);
  const outcome = String(rows[0]?.outcome ?? "");
  if (!OUTCOMES.has(outcome)) throw badAnswer("rotateJwt");
  return outcome as JwtRotation;
}

async function blacklistUser(db: SqlClient, userId: string, now: number): Promise<number> {
  const id = djangoId(userId);
  if (id === null) return 0;
  const sql = `INSERT INTO ${B} (token_id, blacklisted_at) SELECT id, ${ts("$2")} FROM ${O}
    WHERE user_id = $1::bigint AND expires_at > ${ts("$2")} ON CONFLICT (token_id) DO NOTHING`;
  return (await db.query(sql, [id, now])).rowCount;
}

/** The JWT blacklist capability on `db`, in simplejwt's tables. */
export function djangoJwtBlacklistStore(db: SqlClient): JwtBlacklistStore {
  return {
    addOutstandingJwt: (token) => attempt("addOutstandingJwt", async () => void (await db.query(ADD, row(token)))),
    isJwtBlacklisted: (jti) =>
      attempt("isJwtBlacklisted", async () => {
        const sql = `SELECT 1 FROM ${B} AS b JOIN ${O} AS o ON o.id = b.token_id WHERE o.jti = $1`;
        return (await db.query(sql, [jti])).rows.length > 0;
      }),
    blacklistJwt: (token, now) =>
      attempt("blacklistJwt", async () => Number((await db.query(BLACKLIST, [...row(token), now])).rows[0]?.changed ?? 0) > 0),
    rotateJwt: (old, next, { now, blacklistOld }) => attempt("rotateJwt", () => rotate(db, old, next, now, blacklistOld)),
    blacklistUserJwts: (userId, now) => attempt("blacklistUserJwts", () => blacklistUser(db, userId, now)),
    deleteExpiredJwts: (now) => attempt("deleteExpiredJwts", async () => Number((await db.query(DELETE_EXPIRED, [now])).rows[0]?.deleted ?? 0)),
  };
}
