/**
 * Django's model and object permissions (DRF's `DjangoModelPermissions`, `DjangoObjectPermissions`) and
 * `has_perm`, over the `PermissionStore` capability.
 * @module
 */
export type { PermissionUser } from "./_cache.js";
export { preloadPermissions } from "./_cache.js";
export type { PermsMap } from "./_perms-map.js";
export type { DjangoModelPermissionsOptions, ModelPermissionOf } from "./django-model-permissions.js";
export { DRF_PERMS_MAP, djangoModelPermissions, djangoModelPermissionsOrAnonReadOnly } from "./django-model-permissions.js";
export type { DjangoObjectPermissionsOptions, ObjectPermissionSource } from "./django-object-permissions.js";
export { djangoObjectPermissions } from "./django-object-permissions.js";
export { hasPerm, hasPerms } from "./has-perm.js";
export { isPermissionName, parseModelLabel } from "./names.js";
