/**
 * Permissions and groups of `manage.py dumpdata auth` (internal to `importDjango`): `auth.permission`,
 * `auth.group` and the users' `groups`, `user_permissions` and `is_superuser`, resolved to `"app_label.codename"`
 * names and group names. References may be pks (then the content types come from `contenttypes.contenttype`
 * records in the same dump) or natural keys (`--natural-foreign`).
 * @module
 */
import { z } from "zod";
import { isPermissionName } from "../model-permissions/names.js";

/** What the dump grants: each group's permissions, and each user's (by user id) groups and own permissions. */
export interface DumpPermissions {
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly users: ReadonlyMap<string, { readonly groups: readonly string[]; readonly permissions: readonly string[] }>;
}

const PK = z.union([z.int().min(0), z.string().min(1).max(255)]);
const CONTENT_TYPE = z.object({ pk: PK, fields: z.object({ app_label: z.string().min(1), model: z.string().min(1) }) });
const PERMISSION_REF = z.union([PK, z.tuple([z.string().min(1), z.string().min(1), z.string().min(1)])]);
const PERMISSION = z.object({
  pk: PK.optional(),
  fields: z.object({ codename: z.string().min(1).max(100), content_type: z.union([PK, z.tuple([z.string().min(1), z.string().min(1)])]) }),
});
const GROUP_REF = z.union([PK, z.tuple([z.string().min(1).max(150)])]);
const GROUP = z.object({ pk: PK.optional(), fields: z.object({ name: z.string().min(1).max(150), permissions: z.array(PERMISSION_REF).default([]) }) });
const USER_LINKS = z.object({ pk: PK, fields: z.object({ groups: z.array(GROUP_REF).default([]), user_permissions: z.array(PERMISSION_REF).default([]) }) });

type Raw = { readonly model: string; readonly index: number; readonly record: unknown };

/** Resolves the references of one dump; collects problems instead of throwing. */
class Resolver {
  readonly problems: string[] = [];
  readonly #contentTypes = new Map<string, string>();
  readonly #permissions = new Map<string, string>();
  readonly #groups = new Map<string, string>();

  constructor(records: readonly Raw[]) {
    for (const { model, index, record } of records) {
      if (model === "contenttypes.contenttype") {
        const parsed = CONTENT_TYPE.safeParse(record);
        if (parsed.success) this.#contentTypes.set(String(parsed.data.pk), parsed.data.fields.app_label);
        else this.problems.push(`dump[${index}] (contenttypes.contenttype): not a content type`);
      }
    }
    for (const { model, index, record } of records) {
      if (model !== "auth.permission") continue;
      const parsed = PERMISSION.safeParse(record);
      if (!parsed.success) {
        this.problems.push(`dump[${index}] (auth.permission): not a permission`);
        continue;
      }
      const { content_type: ct, codename } = parsed.data.fields;
      const app = Array.isArray(ct) ? ct[0] : this.#contentTypes.get(String(ct));
      if (app === undefined) this.problems.push(`dump[${index}] (auth.permission ${codename}): content type ${String(ct)} is not in the dump (add contenttypes, or dump with --natural-foreign)`);
      else if (parsed.data.pk !== undefined) this.#permissions.set(String(parsed.data.pk), this.#named(`${app}.${codename}`, index));
    }
  }

  #named(name: string, index: number): string {
    if (!isPermissionName(name)) this.problems.push(`dump[${index}]: "${name}" is not an app_label.codename permission name`);
    return name;
  }

  permission(ref: z.infer<typeof PERMISSION_REF>, label: string): string | null {
    const name = Array.isArray(ref) ? `${ref[1]}.${ref[0]}` : this.#permissions.get(String(ref));
    if (name === undefined) this.problems.push(`${label}: permission ${String(ref)} is not in the dump`);
    return name ?? null;
  }

  group(ref: z.infer<typeof GROUP_REF>, label: string): string | null {
    const name = Array.isArray(ref) ? ref[0] : this.#groups.get(String(ref));
    if (name === undefined) this.problems.push(`${label}: group ${String(ref)} is not in the dump`);
    return name ?? null;
  }

  addGroup(pk: string | undefined, name: string): void {
    if (pk !== undefined) this.#groups.set(pk, name);
  }
}

const present = <T>(values: readonly (T | null)[]): T[] => values.filter((value): value is T => value !== null);

/** Reads the permissions and groups of `records` (the dump's records with their lowercase model); problems apart. */
export function readPermissions(records: readonly Raw[], userModel: string): { permissions: DumpPermissions; problems: string[] } {
  const resolver = new Resolver(records);
  const groups = new Map<string, string[]>();
  const users = new Map<string, { groups: string[]; permissions: string[] }>();
  const groupRecords = records.filter((r) => r.model === "auth.group");
  for (const { index, record } of groupRecords) {
    const parsed = GROUP.safeParse(record);
    if (parsed.success) resolver.addGroup(parsed.data.pk === undefined ? undefined : String(parsed.data.pk), parsed.data.fields.name);
    else resolver.problems.push(`dump[${index}] (auth.group): not a group`);
  }
  for (const { index, record } of groupRecords) {
    const parsed = GROUP.safeParse(record);
    if (!parsed.success) continue;
    const label = `dump[${index}] (auth.group ${parsed.data.fields.name})`;
    groups.set(parsed.data.fields.name, present(parsed.data.fields.permissions.map((ref) => resolver.permission(ref, label))));
  }
  for (const { index, record } of records.filter((r) => r.model === userModel)) {
    const parsed = USER_LINKS.safeParse(record);
    if (!parsed.success) continue; // the user's own validation reports it
    const label = `dump[${index}] (${userModel} pk ${parsed.data.pk})`;
    const { groups: memberOf, user_permissions: own } = parsed.data.fields;
    users.set(String(parsed.data.pk), {
      groups: present(memberOf.map((ref) => resolver.group(ref, label))),
      permissions: present(own.map((ref) => resolver.permission(ref, label))),
    });
  }
  return { permissions: { groups, users }, problems: resolver.problems };
}

/** Whether the dump grants anything at all. */
export function grantsAnything(permissions: DumpPermissions): boolean {
  if ([...permissions.groups.values()].some((names) => names.length > 0)) return true;
  return [...permissions.users.values()].some((user) => user.groups.length > 0 || user.permissions.length > 0);
}
