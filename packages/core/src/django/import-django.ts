/**
 * `importDjango(target, dumpdata)`: Django users and DRF tokens into any Portcullis store.
 * @module
 */
import { PortcullisError } from "../errors.js";
import type { PermissionAdminStore } from "../store/types.js";
import { grantsAnything, type DumpPermissions } from "./dump-permissions.js";
import { DumpError, parseDump } from "./dump.js";
import { planImport, type ImportTarget } from "./import-plan.js";

/** Options of `importDjango`. */
export interface ImportDjangoOptions {
  /** The model label of the users (Django's `AUTH_USER_MODEL`). Default `"auth.user"`. */
  readonly userModel?: string;
  /** The clock of the token writes, epoch ms. Default `Date.now()`. */
  readonly now?: number;
}

/** What an import wrote, and what it found already there. */
export interface ImportDjangoResult {
  /** Users created. */
  readonly users: number;
  /** Tokens stored (as digests). */
  readonly tokens: number;
  /** Users already present with the same id and username (left unchanged). */
  readonly presentUsers: number;
  /** Tokens already present for the same user. */
  readonly presentTokens: number;
  /** One line per present user whose dump record differs (left unchanged); no hash or key in them. */
  readonly warnings: readonly string[];
  /** Permissions newly granted (to users and to groups) and group memberships newly added (`dumpdata auth`). */
  readonly grants: number;
  /** Records of other models, skipped. */
  readonly ignored: number;
}

/**
 * Thrown when a write fails midway (the store failed): what was written stays, and running the import again
 * completes it. The message says how far it got; `cause` is the store's error.
 */
export class ImportInterruptedError extends PortcullisError {
  override name = "ImportInterruptedError";
  constructor(
    readonly users: number,
    readonly tokens: number,
    cause: unknown,
  ) {
    super(`The import stopped after ${users} users and ${tokens} tokens. Run it again to complete it (what was imported is skipped).`, { cause });
  }
}

/**
 * Imports the output of `manage.py dumpdata auth authtoken.token` (JSON text, or the parsed list) into a
 * store: users keep their ids, usernames, Django password hashes, `is_active`, `is_staff` and `is_superuser`; DRF
 * token keys keep working and are stored only as SHA-256 digests; groups, group permissions, memberships and user
 * permissions are granted through `PermissionAdminStore` (pks need `contenttypes` in the dump, or dump with
 * `--natural-foreign`). The whole dump is validated and checked against the store
 * (reads only) before anything is written: a bad record, a username taken under another id or a token whose user
 * is unknown throws `DumpError` naming every problem (tokens by their user, never by their key), and nothing is
 * written. Records already present are skipped, so a second run imports nothing.
 * @throws DumpError when the dump cannot be imported (nothing written).
 * @throws ImportInterruptedError when the store fails midway (re-run to complete).
 * @example
 * const result = await importDjango(store, await readFile("dump.json", "utf8"));
 * console.log(`Imported ${result.users} users and ${result.tokens} tokens`);
 */
export async function importDjango(
  target: ImportTarget & Partial<PermissionAdminStore>,
  dumpdata: string | unknown,
  options: ImportDjangoOptions = {},
): Promise<ImportDjangoResult> {
  const dump = parseDump(dumpdata, options.userModel ?? "auth.user");
  const admin = adminOf(target);
  if (admin === null && grantsAnything(dump.permissions)) {
    throw new DumpError(["the dump has permissions or groups, and this store cannot hold them (Django mode reads Django's own tables)"]);
  }
  const plan = await planImport(target, dump);
  let users = 0;
  let tokens = 0;
  let grants = 0;
  try {
    for (const { id, username, passwordHash, isActive, isStaff, isSuperuser } of plan.users) {
      await target.createUser({ id, username, passwordHash, isActive, isStaff, ...(isSuperuser ? { isSuperuser } : {}) });
      users++;
    }
    for (const token of plan.tokens) {
      await target.createToken(token, { now: options.now ?? Date.now() });
      tokens++;
    }
    if (admin !== null) grants = await grant(admin, dump.permissions);
  } catch (error) {
    throw new ImportInterruptedError(users, tokens, error);
  }
  const { presentUsers, presentTokens, warnings } = plan;
  return { users, tokens, presentUsers, presentTokens, warnings, grants, ignored: dump.ignored };
}

function adminOf(target: Partial<PermissionAdminStore>): PermissionAdminStore | null {
  const { grantPermission, revokePermission, addUserToGroup, removeUserFromGroup } = target;
  if (!grantPermission || !revokePermission || !addUserToGroup || !removeUserFromGroup) return null;
  return { grantPermission, revokePermission, addUserToGroup, removeUserFromGroup };
}

/** Writes the dump's group permissions, memberships and user permissions (each idempotent); counts the new ones. */
async function grant(admin: PermissionAdminStore, permissions: DumpPermissions): Promise<number> {
  let count = 0;
  for (const [group, names] of permissions.groups) {
    for (const name of names) if (await admin.grantPermission({ group }, name)) count++;
  }
  for (const [userId, links] of permissions.users) {
    for (const group of links.groups) if (await admin.addUserToGroup(userId, group)) count++;
    for (const name of links.permissions) if (await admin.grantPermission({ userId }, name)) count++;
  }
  return count;
}
