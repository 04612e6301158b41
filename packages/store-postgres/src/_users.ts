/**
 * The user methods of `postgresStore` in its own tables (internal), one SQL statement each.
 * @module
 */
import type { NewUser, User, UserCredentials } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { randomId } from "@portcullis/core";

const USER_COLUMNS = "id, username, is_active, is_staff, is_superuser";

/** A user from its row, without the hash. */
export function toUser(row: SqlRow): User {
  return userWithId(row, row.id);
}

/** A user from a row whose user id is in another column (a token joined with its user), without a copy of the row. */
export function userWithId(row: SqlRow, id: unknown): User {
  const user = { id: String(id), username: String(row.username), isActive: row.is_active === true, isStaff: row.is_staff === true };
  return row.is_superuser === true ? { ...user, isSuperuser: true } : user;
}

/** Inserts a user; a taken username or id fails with a unique violation. */
export async function createUser(db: SqlClient, user: NewUser): Promise<User> {
  const created: User = {
    id: user.id ?? randomId(),
    username: user.username,
    isActive: user.isActive ?? true,
    isStaff: user.isStaff ?? false,
    ...(user.isSuperuser === true ? { isSuperuser: true } : {}),
  };
  await db.query(
    "INSERT INTO portcullis_users (id, username, password_hash, is_active, is_staff, is_superuser) VALUES ($1, $2, $3, $4, $5, $6)",
    [created.id, created.username, user.passwordHash, created.isActive, created.isStaff, user.isSuperuser === true],
  );
  return created;
}

/** The user with exactly this username, and its hash. */
export async function getUserByUsername(db: SqlClient, username: string): Promise<UserCredentials | null> {
  const { rows } = await db.query(`SELECT ${USER_COLUMNS}, password_hash FROM portcullis_users WHERE username = $1`, [username]);
  const row = rows[0];
  return row ? { user: toUser(row), passwordHash: String(row.password_hash) } : null;
}

/** The user with this id, without its hash. */
export async function getUserById(db: SqlClient, id: string): Promise<User | null> {
  const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM portcullis_users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Replaces a user's hash (nothing happens for an unknown id). */
export async function setPasswordHash(db: SqlClient, userId: string, passwordHash: string): Promise<void> {
  await db.query("UPDATE portcullis_users SET password_hash = $2 WHERE id = $1", [userId, passwordHash]);
}
