/**
 * DRF's `DjangoObjectPermissions`, over a `PermissionStore` for the model level and an object-permission source
 * the application supplies (django-guardian's tables, a column, a function).
 * @module
 */
import { notFound } from "../auth-error.js";
import { ConfigError, PermissionDenial } from "../errors.js";
import type { AuthenticatedPermission, PermissionCheck } from "../permissions/types.js";
import { permissionsOf, type PermissionUser } from "./_cache.js";
import { requiredFor, requiredPerms } from "./_perms-map.js";
import { DRF_PERMS_MAP, modelCheck, type DjangoModelPermissionsOptions } from "./django-model-permissions.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The permissions a user holds on one object, as `"app_label.codename"` names (django-guardian's
 * `get_perms(user, obj)` with the app label). Asked only for an active non-superuser, at most once per check.
 */
export type ObjectPermissionSource<U extends PermissionUser = PermissionUser> = (
  user: U,
  object: unknown,
) => Promise<Iterable<string>> | Iterable<string>;

/** Options of `djangoObjectPermissions`. */
export interface DjangoObjectPermissionsOptions<U extends PermissionUser = PermissionUser>
  extends Omit<DjangoModelPermissionsOptions, "ignoreModelPermissions"> {
  /** The user's permissions on one object (see `ObjectPermissionSource`). */
  readonly objectPermissions: ObjectPermissionSource<U>;
}

/**
 * DRF's `DjangoObjectPermissions`. At request level it is `djangoModelPermissions` with the same map; on an object
 * the user needs the method's permissions ON THAT OBJECT (an active superuser has them all; model permissions do
 * not count, as with guardian's backend). DRF's 404-vs-403 rule: a user who may not even read the object gets 404
 * `Not found.` (always for GET/HEAD/OPTIONS); one who may read it but not do this gets 403. With DRF's default map
 * reads need nothing, so pass a `permsMap` with view permissions for GET, as guardian's docs do.
 * @throws ConfigError (`model`, `permsMap`, `objectPermissions`)
 * @example
 * const articles = djangoObjectPermissions({
 *   store,
 *   model: "blog.article",
 *   permsMap: { ...DRF_PERMS_MAP, GET: ["%(app_label)s.view_%(model_name)s"], HEAD: ["%(app_label)s.view_%(model_name)s"] },
 *   objectPermissions: (user, article) => guardianPermissions(user.id, article),
 * });
 */
export function djangoObjectPermissions<U extends PermissionUser = PermissionUser>(
  options: DjangoObjectPermissionsOptions<U>,
): AuthenticatedPermission<U> {
  const map = requiredPerms(options?.model, options?.permsMap ?? DRF_PERMS_MAP);
  const source = options.objectPermissions;
  if (typeof source !== "function") throw new ConfigError("objectPermissions", "must be a function (user, object) => permission names");
  const read = requiredFor(map, "GET");
  const hasPermission = modelCheck(options, map, true);

  async function hasObjectPermission({ request, user, authenticated }: PermissionCheck<U>, object: unknown): Promise<boolean> {
    const required = requiredFor(map, request.method);
    let onObject: ReadonlySet<string> | undefined;
    const holds = async (names: readonly string[]): Promise<boolean> => {
      if (names.length === 0) return true;
      if (!authenticated || user === null || user.isActive === false) return false;
      if ((await permissionsOf(options.store, request, user)).all) return true;
      onObject ??= new Set(await source(user, object));
      return names.every((name) => onObject?.has(name) === true);
    };
    if (await holds(required)) return true;
    if (SAFE_METHODS.has(request.method.toUpperCase()) || !(await holds(read))) throw new PermissionDenial(notFound());
    return false;
  }

  return Object.freeze({ hasPermission, hasObjectPermission, requiresAuthentication: true as const });
}
