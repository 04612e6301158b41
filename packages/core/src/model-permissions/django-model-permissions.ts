/**
 * DRF's `DjangoModelPermissions` and `DjangoModelPermissionsOrAnonReadOnly`, over a `PermissionStore`.
 * @module
 */
import { compatOf, type Compat } from "../compat/index.js";
import type { AuthenticatedPermission, Permission, PermissionCheck } from "../permissions/types.js";
import type { PermissionStore } from "../store/types.js";
import { holdsAll, permissionsOf, type PermissionUser } from "./_cache.js";
import { requiredFor, requiredPerms, type PermsMap, type RequiredPerms } from "./_perms-map.js";

/**
 * DRF's default `perms_map`: nothing for GET, OPTIONS and HEAD (but a user, unless anonymous reads are allowed);
 * add for POST; change for PUT and PATCH; delete for DELETE. Any other method answers 405.
 */
export const DRF_PERMS_MAP: PermsMap = Object.freeze({
  GET: [],
  OPTIONS: [],
  HEAD: [],
  POST: ["%(app_label)s.add_%(model_name)s"],
  PUT: ["%(app_label)s.change_%(model_name)s"],
  PATCH: ["%(app_label)s.change_%(model_name)s"],
  DELETE: ["%(app_label)s.delete_%(model_name)s"],
});

/** Options of `djangoModelPermissions` and `djangoModelPermissionsOrAnonReadOnly`. */
export interface DjangoModelPermissionsOptions {
  /** Where the user's permissions live (one round trip per request at most). */
  readonly store: PermissionStore;
  /** The model, as Django's `_meta.label_lower`: `"blog.article"`. */
  readonly model: string;
  /** Replaces DRF's `perms_map` (same syntax; spread `DRF_PERMS_MAP` to change one method). */
  readonly permsMap?: PermsMap;
  /** The DefaultRouter root's `_ignore_model_permissions`: allow without looking at permissions. */
  readonly ignoreModelPermissions?: boolean;
  /** The releases to match (`compat({...})`); decides whether authentication is checked before `ignoreModelPermissions`. */
  readonly compat?: Compat;
}

/** `djangoModelPermissions`'s result: it requires a user unless `ignoreModelPermissions` is set. */
export type ModelPermissionOf<O> = O extends { readonly ignoreModelPermissions: true }
  ? Permission<PermissionUser>
  : AuthenticatedPermission<PermissionUser>;

/** DRF's `has_permission` of the model permission classes. */
export function modelCheck(
  options: DjangoModelPermissionsOptions,
  map: RequiredPerms,
  authenticatedOnly: boolean,
): (check: PermissionCheck<PermissionUser>) => Promise<boolean> | boolean {
  const { store } = options;
  const ignore = options.ignoreModelPermissions === true;
  const authFirst = compatOf(options.compat).rest.authBeforeModelPermissions;
  return ({ request, user, authenticated }) => {
    const anonymousRefused = authenticatedOnly && (!authenticated || user === null);
    if (authFirst && anonymousRefused) return false;
    if (ignore) return true;
    if (anonymousRefused) return false;
    const required = requiredFor(map, request.method);
    if (required.length === 0) return true;
    if (!authenticated || user === null) return false; // AnonymousUser.has_perms: False for any permission
    return permissionsOf(store, request, user).then((held) => holdsAll(held, required));
  };
}

function build(options: DjangoModelPermissionsOptions, authenticatedOnly: boolean): Permission<PermissionUser> {
  const map = requiredPerms(options?.model, options?.permsMap ?? DRF_PERMS_MAP);
  const hasPermission = modelCheck(options, map, authenticatedOnly);
  const marked = authenticatedOnly && options.ignoreModelPermissions !== true;
  return Object.freeze(marked ? { hasPermission, requiresAuthentication: true as const } : { hasPermission });
}

/**
 * DRF's `DjangoModelPermissions`: an authenticated user holding the model permissions the method requires
 * (`DRF_PERMS_MAP`: POST add, PUT/PATCH change, DELETE delete, reads none). Permissions come from `store` (user and
 * group permissions; an active superuser holds all; an inactive user none), read live once per request.
 * @throws ConfigError (`model`, `permsMap`) on a malformed model label or map.
 * @example
 * guard({ schemes, permissions: [djangoModelPermissions({ store, model: "blog.article" })] });
 */
export function djangoModelPermissions<const O extends DjangoModelPermissionsOptions>(options: O): ModelPermissionOf<O> {
  return build(options, true) as ModelPermissionOf<O>;
}

/**
 * DRF's `DjangoModelPermissionsOrAnonReadOnly`: as `djangoModelPermissions`, but anonymous requests may use the
 * methods that require no permission (GET, OPTIONS, HEAD with DRF's map).
 * @example
 * guard({ schemes, permissions: [djangoModelPermissionsOrAnonReadOnly({ store, model: "blog.article" })] });
 */
export function djangoModelPermissionsOrAnonReadOnly(options: DjangoModelPermissionsOptions): Permission<PermissionUser> {
  return build(options, false);
}
