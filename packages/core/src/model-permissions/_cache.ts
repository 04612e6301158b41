/**
 * The per-request cache of permission sets (internal): one `getPermissions` round trip per request, store and
 * user, however many permissions, object checks and `hasPerm` calls ask. Keyed by the `Request` object, so it
 * lives exactly as long as the request; nothing is shared between requests.
 * @module
 */
import type { PermissionStore, UserPermissions } from "../store/types.js";

/** What a permission check needs of a user: its id, and whether it is active (when the scheme knows). */
export interface PermissionUser {
  readonly id: string;
  readonly isActive?: boolean;
}

const NONE: UserPermissions = Object.freeze({ all: false, names: Object.freeze(new Set<string>()) });

const byRequest = new WeakMap<Request, Map<PermissionStore, Map<string, Promise<UserPermissions>>>>();

/**
 * The user's permissions for this request, asked of `store` at most once per request. A user the scheme already
 * knows to be inactive holds none, without a round trip; everything else (superuser included) comes from the
 * store's own row, never from a claim the client sent.
 */
export function permissionsOf(store: PermissionStore, request: Request, user: PermissionUser): Promise<UserPermissions> {
  if (user.isActive === false) return Promise.resolve(NONE);
  let stores = byRequest.get(request);
  if (!stores) byRequest.set(request, (stores = new Map()));
  let users = stores.get(store);
  if (!users) stores.set(store, (users = new Map()));
  let answer = users.get(user.id);
  if (!answer) users.set(user.id, (answer = store.getPermissions(user.id)));
  return answer;
}

/** Whether `held` includes every one of `required` (Django's `has_perms`: true for an empty list). */
export function holdsAll(held: UserPermissions, required: readonly string[]): boolean {
  return held.all || required.every((name) => held.names.has(name));
}
