/**
 * The permission capability of `memoryStore` (internal): user and group permissions and group members, as
 * Django's five auth tables hold them, in maps.
 * @module
 */
import { StoreError, type PermissionAdminStore, type PermissionStore, type PermissionSubject, type UserPermissions } from "@portcullis/core";
import type { Users } from "./_users.js";

/** Adds `value` to the set at `key`; answers whether it was new. */
function addTo(map: Map<string, Set<string>>, key: string, value: string): boolean {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set.size !== set.add(value).size;
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): boolean {
  return map.get(key)?.delete(value) === true;
}

/** Permissions by user and by group, and each user's groups. */
export class Permissions {
  readonly #ofUser = new Map<string, Set<string>>();
  readonly #ofGroup = new Map<string, Set<string>>();
  readonly #groupsOfUser = new Map<string, Set<string>>();
  readonly #users: Users;

  constructor(users: Users) {
    this.#users = users;
  }

  /** `ModelBackend.get_all_permissions`: none for an inactive or unknown user, all for an active superuser. */
  get(userId: string): UserPermissions {
    const user = this.#users.byId(userId);
    if (!user?.isActive) return { all: false, names: new Set() };
    if (user.isSuperuser === true) return { all: true, names: new Set() };
    const names = new Set(this.#ofUser.get(userId));
    for (const group of this.#groupsOfUser.get(userId) ?? []) for (const name of this.#ofGroup.get(group) ?? []) names.add(name);
    return { all: false, names };
  }

  #mustExist(userId: string, operation: string): void {
    if (!this.#users.has(userId)) throw new StoreError(`${operation}: the user does not exist`);
  }

  methods(): PermissionStore & PermissionAdminStore {
    const target = (subject: PermissionSubject): [Map<string, Set<string>>, string] =>
      "group" in subject ? [this.#ofGroup, subject.group] : [this.#ofUser, subject.userId];
    return {
      getPermissions: async (userId) => this.get(userId),
      grantPermission: async (subject, permission) => {
        if (!("group" in subject)) this.#mustExist(subject.userId, "grantPermission");
        return addTo(...target(subject), permission);
      },
      revokePermission: async (subject, permission) => removeFrom(...target(subject), permission),
      addUserToGroup: async (userId, group) => {
        this.#mustExist(userId, "addUserToGroup");
        return addTo(this.#groupsOfUser, userId, group);
      },
      removeUserFromGroup: async (userId, group) => removeFrom(this.#groupsOfUser, userId, group),
    };
  }
}
