/**
 * `hasPerm` and `hasPerms`: Django's `user.has_perm(...)` for handlers, sharing the request's permission cache.
 * @module
 */
import type { PermissionStore } from "../store/types.js";
import { holdsAll, permissionsOf, type PermissionUser } from "./_cache.js";

/**
 * Whether `user` holds every one of `permissions` (Django's `has_perms`; `true` for an empty list). `null` (an
 * anonymous request) holds none. Reads the store at most once per request, together with the guard's permissions.
 * @example
 * if (!(await hasPerms(store, request, user, ["blog.change_article", "blog.publish_article"]))) return forbidden();
 */
export async function hasPerms(
  store: PermissionStore,
  request: Request,
  user: PermissionUser | null,
  permissions: readonly string[],
): Promise<boolean> {
  if (permissions.length === 0) return true;
  if (user === null) return false;
  return holdsAll(await permissionsOf(store, request, user), permissions);
}

/**
 * Whether `user` holds `permission` (`"app_label.codename"`), as Django's `user.has_perm(permission)`: an active
 * superuser holds every permission, an inactive user none.
 * @example
 * if (await hasPerm(store, c.req.raw, c.var.user, "blog.publish_article")) article.published = true;
 */
export function hasPerm(store: PermissionStore, request: Request, user: PermissionUser | null, permission: string): Promise<boolean> {
  return hasPerms(store, request, user, [permission]);
}
