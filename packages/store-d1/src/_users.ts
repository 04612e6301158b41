/**
 * The user methods of `d1Store` (internal), one SQL statement each.
 * @module
 */
import { randomId, type NewUser, type User, type UserCredentials } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";


interface UserRow {
  id: string;
  username: string;
  password_hash?: string;
  is_active: number;
  is_staff: number;
  is_superuser: number;
}

const USER_COLUMNS = "id, username, is_active, is_staff, is_superuser";

/** A user from its row, without the hash. */
function toUser(row: UserRow): User {
  const user = { id: row.id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 };
  return row.is_superuser === 1 ? { ...user, isSuperuser: true } : user;
}

/** Inserts a user; a taken username or id fails with D1's UNIQUE error. */
export async function createUser(db: D1DatabaseLike, user: NewUser): Promise<User> {
  const created: User = {
    id: user.id ?? randomId(),
    username: user.username,
    isActive: user.isActive ?? true,
    isStaff: user.isStaff ?? false,
    ...(user.isSuperuser === true ? { isSuperuser: true } : {}),
  };
  await db
    .prepare(
      "INSERT INTO portcullis_users (id, username, password_hash, is_active, is_staff, is_superuser) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(created.id, created.username, user.passwordHash, Number(created.isActive), Number(created.isStaff), Number(user.isSuperuser === true))
    .run();
  return created;
}

/** The user with exactly this username (BINARY collation), and its hash. */
export async function getUserByUsername(db: D1DatabaseLike, username: string): Promise<UserCredentials | null> {
  const row = await db
    .prepare(`SELECT ${USER_COLUMNS}, password_hash FROM portcullis_users WHERE username = ?1`)
    .bind(username)
    .first<UserRow>();
  return row ? { user: toUser(row), passwordHash: String(row.password_hash) } : null;
}

/** The user with this id, without its hash. */
export async function getUserById(db: D1DatabaseLike, id: string): Promise<User | null> {
  const row = await db.prepare(`SELECT ${USER_COLUMNS} FROM portcullis_users WHERE id = ?1`).bind(id).first<UserRow>();
  return row ? toUser(row) : null;
}

/** Replaces a user's hash (nothing happens for an unknown id). */
export async function setPasswordHash(db: D1DatabaseLike, userId: string, passwordHash: string): Promise<void> {
  await db.prepare("UPDATE portcullis_users SET password_hash = ?2 WHERE id = ?1").bind(userId, passwordHash).run();
}
