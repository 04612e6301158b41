/**
 * A `PermissionAdminStore` for the tests of Django mode (shared helper): writes Django's own auth tables the way
 * Django's admin would (content type, permission, group rows created as needed), so the permission conformance
 * suite runs unchanged on the read-only Django mode. Portcullis itself never writes these tables.
 * @module
 */
import { StoreError, type PermissionAdminStore, type PermissionSubject } from "@portcullis/core";
import type { SqlClient } from "../src/index.js";

async function permissionId(db: SqlClient, name: string): Promise<number> {
  const dot = name.indexOf(".");
  const [appLabel, codename] = [name.slice(0, dot), name.slice(dot + 1)];
  await db.query("INSERT INTO django_content_type (app_label, model) VALUES ($1, 'conformance') ON CONFLICT DO NOTHING", [appLabel]);
  const { rows } = await db.query(
    `WITH ct AS (SELECT id FROM django_content_type WHERE app_label = $1 AND model = 'conformance'),
     made AS (INSERT INTO auth_permission (name, content_type_id, codename) SELECT $2, id, $2 FROM ct ON CONFLICT DO NOTHING RETURNING id)
     SELECT id FROM made UNION ALL SELECT p.id FROM auth_permission p JOIN ct ON p.content_type_id = ct.id WHERE p.codename = $2`,
    [appLabel, codename],
  );
  return Number(rows[0]?.id);
}

async function groupId(db: SqlClient, group: string): Promise<number> {
  const { rows } = await db.query(
    `WITH made AS (INSERT INTO auth_group (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id)
     SELECT id FROM made UNION ALL SELECT id FROM auth_group WHERE name = $1`,
    [group],
  );
  return Number(rows[0]?.id);
}

async function wrapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StoreError("django admin write failed", { cause: error });
  }
}

async function link(db: SqlClient, subject: PermissionSubject, name: string, add: boolean): Promise<boolean> {
  const permission = await permissionId(db, name);
  const [table, column, owner] =
    "group" in subject
      ? ["auth_group_permissions", "group_id", await groupId(db, subject.group)]
      : ["auth_user_user_permissions", "user_id", Number(subject.userId)];
  const sql = add
    ? `INSERT INTO ${table} (${column}, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
    : `DELETE FROM ${table} WHERE ${column} = $1 AND permission_id = $2`;
  return (await db.query(sql, [owner, permission])).rowCount > 0;
}

/** The admin writes for Django mode, on `db`. */
export function djangoPermissionAdmin(db: SqlClient): PermissionAdminStore {
  return {
    grantPermission: (subject, name) => wrapped(() => link(db, subject, name, true)),
    revokePermission: (subject, name) => wrapped(() => link(db, subject, name, false)),
    addUserToGroup: (userId, group) =>
      wrapped(async () => {
        const sql = "INSERT INTO auth_user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        return (await db.query(sql, [Number(userId), await groupId(db, group)])).rowCount > 0;
      }),
    removeUserFromGroup: (userId, group) =>
      wrapped(async () => {
        const sql = "DELETE FROM auth_user_groups WHERE user_id = $1 AND group_id = (SELECT id FROM auth_group WHERE name = $2)";
        return (await db.query(sql, [Number(userId), group])).rowCount > 0;
      }),
  };
}
