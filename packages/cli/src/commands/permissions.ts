/**
 * `portcullis grant | revoke <user or group> <permission> [--group]` and `add-to-group | remove-from-group
 * <username> <group>` (internal): Django-style permissions and groups in Portcullis's own tables. Django mode is
 * read-only here: Django's admin (or `manage.py shell`) owns its auth tables.
 * @module
 */
import { isPermissionName, type PermissionAdminStore, type PermissionSubject } from "@portcullis/core";
import { withBackend, type Backend } from "../backend.js";
import { CliError, usageError } from "../errors.js";
import { requireUser, type Command } from "./command.js";

/** Django's `Group.name`: 1 to 150 characters, no control characters. */
function checkGroup(name: string): string {
  if (name.length < 1 || name.length > 150 || /[\p{Cc}]/u.test(name)) {
    throw usageError(`A group name is 1 to 150 characters without control characters.`);
  }
  return name;
}

function checkPermission(name: string): string {
  if (!isPermissionName(name)) throw usageError(`"${name}" is not a permission name: write app_label.codename (blog.change_article).`);
  return name;
}

/** The store's admin methods, or a clear refusal (Django mode). */
function adminOf({ store, description }: Backend): PermissionAdminStore {
  const { grantPermission, revokePermission, addUserToGroup, removeUserFromGroup } = store;
  if (!grantPermission || !revokePermission || !addUserToGroup || !removeUserFromGroup) {
    throw new CliError(`${description} is read-only for permissions: grant them in Django's admin or with manage.py shell.`);
  }
  return { grantPermission, revokePermission, addUserToGroup, removeUserFromGroup };
}

/** `grant` and `revoke`. */
function permissionCommand(grant: boolean): Command {
  return async ({ args, options, io }) => {
    const [subjectName, permission] = [args[0] as string, checkPermission(args[1] as string)];
    const isGroup = options.group === true;
    if (isGroup) checkGroup(subjectName);
    await withBackend(options, io.cwd, async (backend) => {
      const admin = adminOf(backend);
      const action = grant ? "grant a permission" : "revoke a permission";
      const subject: PermissionSubject = isGroup ? { group: subjectName } : { userId: (await requireUser(backend.store, subjectName, action)).id };
      const label = isGroup ? `group ${subjectName}` : `user ${subjectName}`;
      if (grant) {
        const added = await admin.grantPermission(subject, permission);
        io.out(added ? `Granted ${permission} to ${label}` : `${label[0]!.toUpperCase()}${label.slice(1)} already has ${permission}`);
      } else {
        const removed = await admin.revokePermission(subject, permission);
        io.out(removed ? `Revoked ${permission} from ${label}` : `${label[0]!.toUpperCase()}${label.slice(1)} did not have ${permission}`);
      }
    });
  };
}

/** `add-to-group` and `remove-from-group`. */
function membershipCommand(add: boolean): Command {
  return async ({ args, options, io }) => {
    const [username, group] = [args[0] as string, checkGroup(args[1] as string)];
    await withBackend(options, io.cwd, async (backend) => {
      const admin = adminOf(backend);
      const user = await requireUser(backend.store, username, add ? "add to a group" : "remove from a group");
      if (add) {
        const added = await admin.addUserToGroup(user.id, group);
        io.out(added ? `Added user ${username} to group ${group}` : `User ${username} is already in group ${group}`);
      } else {
        const removed = await admin.removeUserFromGroup(user.id, group);
        io.out(removed ? `Removed user ${username} from group ${group}` : `User ${username} was not in group ${group}`);
      }
    });
  };
}

export const grantCommand = permissionCommand(true);
export const revokeCommand = permissionCommand(false);
export const addToGroupCommand = membershipCommand(true);
export const removeFromGroupCommand = membershipCommand(false);
