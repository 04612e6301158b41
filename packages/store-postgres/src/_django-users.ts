/**
 * The user methods of `postgresStore` in Django mode (internal), one SQL statement each, on Django's own
 * `auth_user` table: read live, written row by row (new users, upgraded hashes), never altered. Ids are
 * Django's integer ids as decimal text; anything else names no user.
 * @module
 */
import type { NewUser, User, UserCredentials } from "@portcullis/core";
import type { SqlClient } from "./client.js";
import { toUser } from "./_users.js";

const USER_COLUMNS = "id::text AS id, username, is_active, is_staff, is_superuser";

/** Django's ids are positive integers; only their canonical decimal text names a user. */
export function djangoId(id: string): string | null {
  return /^[1-9][0-9]{0,17}$/.test(id) ? id : null;
}

/**
 * Inserts a Django user as `UserManager.create_user` would: the username NFKC-normalised (Django's
 * `normalize_username`), empty names and email, a superuser only when asked, joined now, never logged in. An explicit id
 * (an import keeping Django's ids) must be an integer.
 */
export async function createUser(db: SqlClient, user: NewUser): Promise<User> {
  const id = user.id === undefined ? null : djangoId(user.id);
  if (user.id !== undefined && id === null) throw new TypeError("a Django user id must be a positive integer");
  const username = user.username.normalize("NFKC");
  const { rows } = await db.query(
    `INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
       is_active, date_joined)
     VALUES (coalesce($1::integer, nextval(pg_get_serial_sequence('auth_user', 'id'))), $2, NULL, $6, $3, '', '', '',
       $4, $5, now())
     RETURNING ${USER_COLUMNS}`,
    [id, user.passwordHash, username, user.isStaff ?? false, user.isActive ?? true, user.isSuperuser ?? false],
  );
  if (!rows[0]) throw new TypeError("auth_user returned no row");
  return toUser(rows[0]);
}

/** The user with exactly this username (as Django's `get_by_natural_key`), and its hash. */
export async function getUserByUsername(db: SqlClient, username: string): Promise<UserCredentials | null> {
  const { rows } = await db.query(`SELECT ${USER_COLUMNS}, password FROM auth_user WHERE username = $1`, [username]);
  const row = rows[0];
  return row ? { user: toUser(row), passwordHash: String(row.password) } : null;
}

/** The user with this id, without its hash. */
export async function getUserById(db: SqlClient, id: string): Promise<User | null> {
  const djangoUserId = djangoId(id);
  if (djangoUserId === null) return null;
  const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM auth_user WHERE id = $1::bigint`, [djangoUserId]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Writes a hash to `auth_user.password` (Portcullis's hashes are Django's format); an unknown id changes nothing. */
export async function setPasswordHash(db: SqlClient, userId: string, passwordHash: string): Promise<void> {
  const djangoUserId = djangoId(userId);
  if (djangoUserId === null) return;
  await db.query("UPDATE auth_user SET password = $2 WHERE id = $1::bigint", [djangoUserId, passwordHash]);
}
