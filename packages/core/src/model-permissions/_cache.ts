/**
 * The per-request cache of permission sets (internal): one `getPermissions` round trip per request, store and
 * user, however many permissions, object checks and `hasPerm` calls ask. Kept on the `Request` object itself,
 * under a module-private symbol, so it lives exactly as long as the request; nothing is shared between requests.
 * (Not a `WeakMap` keyed by requests: V8 keeps weakly-held keys alive into the old generation, which cost
 * about a millisecond per request in the benchmark.)
 * @module
 */
import type { PermissionStore, UserPermissions } from "../store/types.js";

/** What a permission check needs of a user: its id, and whether it is active (when the scheme knows). */
export interface PermissionUser {
  readonly id: string;
  readonly isActive?: boolean;
}

const NONE: UserPermissions = Object.freeze({ all: false, names: Object.freeze(new Set<string>()) });

type RequestCache = Map<PermissionStore, Map<string, Promise<UserPermissions>>>;
const CACHE = Symbol("portcullis.permissions");
/** Only for a request object that cannot take a property (frozen by the application). */
const frozenRequests = new WeakMap<Request, RequestCache>();

function cacheOf(request: Request): RequestCache {
  const holder = request as Request & { [CACHE]?: RequestCache };
  let cache = holder[CACHE] ?? frozenRequests.get(request);
  if (cache) return cache;
  cache = new Map();
  if (Object.isExtensible(request)) Object.defineProperty(request, CACHE, { value: cache });
  else frozenRequests.set(request, cache);
  return cache;
}
const preloaded = new WeakMap<object, { readonly store: PermissionStore; readonly permissions: Promise<UserPermissions> }>();

/**
 * For store authors: records that `store` read `user`'s permissions in the same statement that loaded `user` (a
 * token lookup), so a permission check on that very `User` object needs no second round trip. Only code holding
 * the object can attach permissions to it (a module-private `WeakMap`), never a claim or header; a user object
 * the store hands out again (a token cache) carries them for as long as it is handed out.
 * @example
 * const found = { token, user: toUser(row) };
 * preloadPermissions(store, found.user, toPermissions(row));
 */
export function preloadPermissions(store: PermissionStore, user: object, permissions: UserPermissions): void {
  preloaded.set(user, { store, permissions: Promise.resolve(permissions) });
}

/**
 * The user's permissions for this request, asked of `store` at most once per request. A user the scheme already
 * knows to be inactive holds none, without a round trip; everything else (superuser included) comes from the
 * store's own row, never from a claim the client sent.
 */
export function permissionsOf(store: PermissionStore, request: Request, user: PermissionUser): Promise<UserPermissions> {
  if (user.isActive === false) return Promise.resolve(NONE);
  const early = preloaded.get(user);
  if (early?.store === store) return early.permissions;
  const stores = cacheOf(request);
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
