/**
 * The session methods of `postgresStore` in its own tables (internal), one SQL statement each. A session check
 * (`findSession`) is a single `SELECT ... JOIN` of the session with its user, by the unique digest index; the
 * digest is never selected.
 * @module
 */
import type { SessionRecord, SessionStore, StoredSession, User } from "@portcullis/core";
import type { SqlClient, SqlParam } from "./client.js";
import { attempt } from "./_errors.js";
import { toUser } from "./_users.js";

const FIND_SESSION = `SELECT s.id, s.user_id, s.created_at, s.expires_at, u.username, u.is_active, u.is_staff
FROM portcullis_sessions AS s JOIN portcullis_users AS u ON u.id = s.user_id
WHERE s.digest = $1`;

async function findSession(db: SqlClient, digest: string): Promise<{ session: SessionRecord; user: User } | null> {
  const row = (await db.query(FIND_SESSION, [digest])).rows[0];
  if (!row) return null;
  const session = { id: String(row.id), userId: String(row.user_id), createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) };
  return { session, user: toUser({ ...row, id: row.user_id }) };
}

async function deleteWhere(db: SqlClient, where: string, value: SqlParam): Promise<number> {
  return (await db.query(`DELETE FROM portcullis_sessions WHERE ${where}`, [value])).rowCount;
}

/** The session capability on `db`, in `portcullis_sessions`. */
export function sessionStore(db: SqlClient): SessionStore {
  return {
    createSession: (session: StoredSession) =>
      attempt("createSession", async () => {
        const { id, digest, userId, createdAt, expiresAt } = session;
        await db.query(
          "INSERT INTO portcullis_sessions (id, digest, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4::bigint, $5::bigint)",
          [id, digest, userId, createdAt, expiresAt],
        );
      }),
    findSession: (digest) => attempt("findSession", () => findSession(db, digest)),
    deleteSession: (id) => attempt("deleteSession", async () => (await deleteWhere(db, "id = $1", id)) > 0),
    deleteUserSessions: (userId) => attempt("deleteUserSessions", () => deleteWhere(db, "user_id = $1", userId)),
    deleteExpiredSessions: (now) => attempt("deleteExpiredSessions", () => deleteWhere(db, "expires_at <= $1::bigint", now)),
  };
}
