/**
 * The permission capability of `postgresStore` (internal), one SQL statement per call: Portcullis's own tables
 * (`portcullis_user_permissions`, `portcullis_group_permissions`, `portcullis_user_groups`), or, in Django mode,
 * Django's five auth tables read live and never written.
 * @module
 */
import type { PermissionSubject, UserPermissions } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { djangoId } from "./_django-users.js";

/** No permission (a fresh set each time: callers may hold it). */
const none = (): UserPermissions => ({ all: false, names: new Set() });

/** The answer from one row: `is_active`, `is_superuser` and `names` (the permissions, when they were read). */
export function toPermissions(row: SqlRow | undefined): UserPermissions {
  if (!row || row.is_active !== true) return none();
  if (row.is_superuser === true) return { all: true, names: new Set() };
  return { all: false, names: new Set((row.names as unknown[] | null ?? []).map(String)) };
}

/**
 * The `names` column for the user aliased `u` in Django's tables: `ModelBackend.get_all_permissions` (the user's
 * own permissions and its groups', as `app_label.codename`), listed only for an active non-superuser. Duplicates
 * (a permission held twice) are harmless: the answer is a set.
 */
export const DJANGO_NAMES = `CASE WHEN u.is_active AND NOT u.is_superuser THEN ARRAY(
  SELECT ct.app_label || '.' || p.codename FROM auth_user_user_permissions up
    JOIN auth_permission p ON p.id = up.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id
   WHERE up.user_id = u.id
  UNION ALL
  SELECT ct.app_label || '.' || p.codename FROM auth_user_groups ug
    JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
    JOIN auth_permission p ON p.id = gp.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id
   WHERE ug.user_id = u.id) END AS names`;

/** The same column in Portcullis's own tables. */
export const OWN_NAMES = `CASE WHEN u.is_active AND NOT u.is_superuser THEN ARRAY(
  SELECT permission FROM portcullis_user_permissions WHERE user_id = u.id
  UNION ALL
  SELECT gp.permission FROM portcullis_user_groups ug
    JOIN portcullis_group_permissions gp ON gp.group_name = ug.group_name WHERE ug.user_id = u.id) END AS names`;

/** Django's `ModelBackend.get_all_permissions` in one statement. */
export async function djangoPermissions(db: SqlClient, userId: string): Promise<UserPermissions> {
  const id = djangoId(userId);
  if (id === null) return none();
  const { rows } = await db.query(`SELECT u.is_active, u.is_superuser, ${DJANGO_NAMES} FROM auth_user u WHERE u.id = $1::bigint`, [id]);
  return toPermissions(rows[0]);
}

/** The same answer from Portcullis's own tables. */
export async function permissions(db: SqlClient, userId: string): Promise<UserPermissions> {
  if (userId.includes("\0")) return none(); // PostgreSQL text cannot hold NUL: no user has such an id
  const { rows } = await db.query(`SELECT u.is_active, u.is_superuser, ${OWN_NAMES} FROM portcullis_users u WHERE u.id = $1`, [userId]);
  return toPermissions(rows[0]);
}

function table(subject: PermissionSubject): [string, string, string] {
  return "group" in subject
    ? ["portcullis_group_permissions", "group_name", subject.group]
    : ["portcullis_user_permissions", "user_id", subject.userId];
}

/** Grants; a user that does not exist fails on the foreign key. */
export async function grant(db: SqlClient, subject: PermissionSubject, permission: string): Promise<boolean> {
  const [name, column, value] = table(subject);
  const sql = `INSERT INTO ${name} (${column}, permission) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  return (await db.query(sql, [value, permission])).rowCount > 0;
}

export async function revoke(db: SqlClient, subject: PermissionSubject, permission: string): Promise<boolean> {
  const [name, column, value] = table(subject);
  return (await db.query(`DELETE FROM ${name} WHERE ${column} = $1 AND permission = $2`, [value, permission])).rowCount > 0;
}

export async function join(db: SqlClient, userId: string, group: string): Promise<boolean> {
  const sql = "INSERT INTO portcullis_user_groups (user_id, group_name) VALUES ($1, $2) ON CONFLICT DO NOTHING";
  return (await db.query(sql, [userId, group])).rowCount > 0;
}

export async function leave(db: SqlClient, userId: string, group: string): Promise<boolean> {
  return (await db.query("DELETE FROM portcullis_user_groups WHERE user_id = $1 AND group_name = $2", [userId, group])).rowCount > 0;
}
