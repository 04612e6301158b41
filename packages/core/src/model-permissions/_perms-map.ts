/**
 * DRF's `perms_map` (internal): validated once, formatted for one model, looked up per method.
 * @module
 */
import { methodNotAllowed } from "../auth-error.js";
import { ConfigError, PermissionDenial } from "../errors.js";
import { isPermissionName, parseModelLabel } from "./names.js";

/** A method → permission templates map, in DRF's own syntax (`"%(app_label)s.add_%(model_name)s"`). */
export type PermsMap = Readonly<Record<string, readonly string[]>>;

/** Method → the permission names one model requires. */
export type RequiredPerms = ReadonlyMap<string, readonly string[]>;

/** Fills DRF's two placeholders; any other `%` is refused (it would be a Python formatting error). */
function format(template: string, appLabel: string, modelName: string): string {
  const filled = template.replaceAll("%(app_label)s", appLabel).replaceAll("%(model_name)s", modelName);
  if (filled.includes("%")) throw new ConfigError("permsMap", "only %(app_label)s and %(model_name)s may be used");
  if (!isPermissionName(filled)) throw new ConfigError("permsMap", `"${filled}" is not an "app_label.codename" name`);
  return filled;
}

/** Validates `model` and `permsMap` once and formats every template for the model. */
export function requiredPerms(model: unknown, permsMap: PermsMap): RequiredPerms {
  const label = typeof model === "string" ? parseModelLabel(model) : null;
  if (!label) throw new ConfigError("model", 'must be "app_label.model_name" with the model name in lowercase');
  if (typeof permsMap !== "object" || permsMap === null) throw new ConfigError("permsMap", "must be an object");
  const map = new Map<string, readonly string[]>();
  for (const [method, templates] of Object.entries(permsMap)) {
    if (!/^[A-Z]+$/.test(method)) throw new ConfigError("permsMap", `method "${method}" must be in uppercase`);
    if (!Array.isArray(templates)) throw new ConfigError("permsMap", `${method} must list permission templates`);
    map.set(method, Object.freeze(templates.map((t: unknown) => format(String(t), label.appLabel, label.modelName))));
  }
  return map;
}

/**
 * The names `method` requires (Django upper-cases the method); a method the map does not list answers DRF's 405,
 * whose `Allow` lists the map's methods (those of a view that handles every method the map lists).
 * @throws PermissionDenial (405 `Method "<M>" not allowed.`)
 */
export function requiredFor(map: RequiredPerms, method: string): readonly string[] {
  const upper = method.toUpperCase();
  const names = map.get(upper);
  if (!names) throw new PermissionDenial(methodNotAllowed(upper, [...map.keys()]));
  return names;
}
