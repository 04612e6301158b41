/**
 * `guardianObjectPermissions`: django-guardian's object permissions, read live from its two tables, as the
 * object-permission source of `djangoObjectPermissions`.
 * @module
 */
import { ConfigError, parseModelLabel, type ObjectPermissionSource } from "@portcullis/core";
import { attempt } from "./_errors.js";
import { djangoId } from "./_django-users.js";
import { toSqlClient, type PostgresClient } from "./client.js";

/** Options of `guardianObjectPermissions`. */
export interface GuardianOptions<O> {
  /** The model of the objects, as Django's `_meta.label_lower`: `"blog.article"`. */
  readonly model: string;
  /** The object's primary key as guardian stores it (`object_pk`, text). */
  readonly pk: (object: O) => string | number;
}

// guardian's UserObjectPermission and GroupObjectPermission rows for one object of one content type, joined with
// the permission (of that same content type, as guardian's backend requires), for the user and its groups.
const OBJECT_PERMISSIONS = `
SELECT ct.app_label || '.' || p.codename AS name
  FROM django_content_type ct
  JOIN guardian_userobjectpermission o ON o.content_type_id = ct.id
  JOIN auth_permission p ON p.id = o.permission_id AND p.content_type_id = ct.id
 WHERE ct.app_label = $1 AND ct.model = $2 AND o.object_pk = $3 AND o.user_id = $4::bigint
UNION
SELECT ct.app_label || '.' || p.codename
  FROM django_content_type ct
  JOIN guardian_groupobjectpermission o ON o.content_type_id = ct.id
  JOIN auth_permission p ON p.id = o.permission_id AND p.content_type_id = ct.id
  JOIN auth_user_groups ug ON ug.group_id = o.group_id
 WHERE ct.app_label = $1 AND ct.model = $2 AND o.object_pk = $3 AND ug.user_id = $4::bigint`;

/**
 * The permissions a Django user holds on one object through django-guardian's `guardian_userobjectpermission`
 * and `guardian_groupobjectpermission` tables (directly or through a group), in one statement, read live and
 * never written. `djangoObjectPermissions` asks it only for active non-superusers, as guardian's backend answers.
 * @throws ConfigError (`model`, `pk`)
 * @example
 * ```ts
 * const articles = djangoObjectPermissions({
 *   store,
 *   model: "blog.article",
 *   permsMap: { ...DRF_PERMS_MAP, GET: ["%(app_label)s.view_%(model_name)s"] },
 *   objectPermissions: guardianObjectPermissions(sql, { model: "blog.article", pk: (a: { id: number }) => a.id }),
 * });
 * ```
 */
export function guardianObjectPermissions<O>(client: PostgresClient, options: GuardianOptions<O>): ObjectPermissionSource {
  const label = parseModelLabel(options?.model);
  if (!label) throw new ConfigError("model", 'must be "app_label.model_name" with the model name in lowercase');
  if (typeof options.pk !== "function") throw new ConfigError("pk", "must be a function answering the object's primary key");
  const db = toSqlClient(client);
  return async (user, object) => {
    const userId = djangoId(user.id);
    if (userId === null) return [];
    const params = [label.appLabel, label.modelName, String(options.pk(object as O)), userId];
    const { rows } = await attempt("guardianObjectPermissions", () => db.query(OBJECT_PERMISSIONS, params));
    return rows.map((row) => String(row.name));
  };
}
