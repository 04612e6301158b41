/**
 * The permission capability of `d1Store` (internal): `getPermissions` is one statement (the user's row, its own
 * permissions and its groups' as a JSON array); each write is one statement. A grant to a user that does not
 * exist fails on the foreign key (`StoreError`).
 * @module
 */
import type { PermissionAdminStore, PermissionStore, PermissionSubject, UserPermissions } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import type { attempt as Attempt } from "./_errors.js";

const GET = `SELECT u.is_active, u.is_superuser, CASE WHEN u.is_active = 1 AND u.is_superuser = 0 THEN (
  SELECT json_group_array(permission) FROM (
    SELECT permission FROM portcullis_user_permissions WHERE user_id = u.id
    UNION
    SELECT gp.permission FROM portcullis_user_groups ug
      JOIN portcullis_group_permissions gp ON gp.group_name = ug.group_name WHERE ug.user_id = u.id)) END AS names
FROM portcullis_users u WHERE u.id = ?1`;

interface Row {
  is_active: number;
  is_superuser: number;
  names: string | null;
}

async function getPermissions(db: D1DatabaseLike, userId: string): Promise<UserPermissions> {
  const row = await db.prepare(GET).bind(userId).first<Row>();
  if (!row || row.is_active !== 1) return { all: false, names: new Set() };
  if (row.is_superuser === 1) return { all: true, names: new Set() };
  return { all: false, names: new Set((JSON.parse(row.names ?? "[]") as unknown[]).map(String)) };
}

function table(subject: PermissionSubject): [string, string, string] {
  return "group" in subject
    ? ["portcullis_group_permissions", "group_name", subject.group]
    : ["portcullis_user_permissions", "user_id", subject.userId];
}

async function changed(db: D1DatabaseLike, sql: string, ...params: string[]): Promise<boolean> {
  const result = await db.prepare(sql).bind(...params).run();
  return result.meta.changes > 0;
}

/** The permission methods of `d1Store` on `db`, each wrapped by `attempt`. */
export function permissionMethods(db: D1DatabaseLike, attempt: typeof Attempt): PermissionStore & PermissionAdminStore {
  return {
    getPermissions: (userId) => attempt("getPermissions", () => getPermissions(db, userId)),
    grantPermission: (subject, permission) => {
      const [name, column, value] = table(subject);
      return attempt("grantPermission", () => changed(db, `INSERT INTO ${name} (${column}, permission) VALUES (?1, ?2) ON CONFLICT DO NOTHING`, value, permission));
    },
    revokePermission: (subject, permission) => {
      const [name, column, value] = table(subject);
      return attempt("revokePermission", () => changed(db, `DELETE FROM ${name} WHERE ${column} = ?1 AND permission = ?2`, value, permission));
    },
    addUserToGroup: (userId, group) =>
      attempt("addUserToGroup", () => changed(db, "INSERT INTO portcullis_user_groups (user_id, group_name) VALUES (?1, ?2) ON CONFLICT DO NOTHING", userId, group)),
    removeUserFromGroup: (userId, group) =>
      attempt("removeUserFromGroup", () => changed(db, "DELETE FROM portcullis_user_groups WHERE user_id = ?1 AND group_name = ?2", userId, group)),
  };
}
