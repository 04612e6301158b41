/**
 * Django's database sessions for `djangoSessions` / `djangoSessionReader` (internal), one SQL statement each: the
 * `session_data` of an unexpired `django_session` row, keyed by Django's own raw session key (Django stores it so,
 * and Django's middleware looks it up by it), a new row, a deleted row; and Django's users with their current
 * password hashes, by id, for the `_auth_user_hash` check.
 * @module
 */
import type { UserCredentials } from "@portcullis/core";
import type { DjangoSessionTable, DjangoUserSource } from "@portcullis/core/sessions";
import type { SqlClient } from "./client.js";
import { attempt } from "./_errors.js";
import { djangoId } from "./_django-users.js";
import { toUser } from "./_users.js";

async function getSessionData(db: SqlClient, sessionKey: string, now: number): Promise<string | null> {
  const { rows } = await db.query(
    "SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > to_timestamp($2::float8 / 1000)",
    [sessionKey, now],
  );
  return rows[0] ? String(rows[0].session_data) : null;
}

async function getUserCredentialsById(db: SqlClient, id: string): Promise<UserCredentials | null> {
  const djangoUserId = djangoId(id);
  if (djangoUserId === null) return null;
  const { rows } = await db.query("SELECT id::text AS id, username, is_active, is_staff, password FROM auth_user WHERE id = $1::bigint", [djangoUserId]);
  const row = rows[0];
  return row ? { user: toUser(row), passwordHash: String(row.password) } : null;
}

/** Django's sessions and users on `db`, for `djangoSessions({ backend: store, users: store })`. */
export function djangoSessionSource(db: SqlClient): DjangoSessionTable & DjangoUserSource {
  return {
    getSessionData: (key, now) => attempt("getSessionData", () => getSessionData(db, key, now)),
    createSessionData: (key, data, expireDate) =>
      attempt("createSessionData", async () => {
        const sql = `INSERT INTO django_session (session_key, session_data, expire_date)
          VALUES ($1, $2, to_timestamp($3::float8 / 1000)) ON CONFLICT (session_key) DO NOTHING`;
        return (await db.query(sql, [key, data, expireDate])).rowCount > 0;
      }),
    deleteSessionData: (key) =>
      attempt("deleteSessionData", async () => (await db.query("DELETE FROM django_session WHERE session_key = $1", [key])).rowCount > 0),
    getUserCredentialsById: (id) => attempt("getUserCredentialsById", () => getUserCredentialsById(db, id)),
  };
}
