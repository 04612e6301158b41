/**
 * Permission and model names as Django writes them.
 * @module
 */

const PERMISSION = /^[A-Za-z_][A-Za-z0-9_]*\.[^\s.\0][^\s\0]{0,99}$/;
const MODEL = /^([A-Za-z_][A-Za-z0-9_]*)\.([a-z_][a-z0-9_]*)$/;

/**
 * Whether `name` is a Django permission name: `"app_label.codename"` (an identifier, a dot, then a codename of
 * 1–100 characters without whitespace or NUL, as `auth_permission.codename` holds).
 * @example
 * isPermissionName("blog.change_article"); // true
 */
export function isPermissionName(name: unknown): name is string {
  return typeof name === "string" && PERMISSION.test(name);
}

/**
 * Splits `"app_label.model_name"` (Django's `_meta.label_lower`), or answers `null` when it is not one.
 * @example
 * parseModelLabel("blog.article"); // { appLabel: "blog", modelName: "article" }
 */
export function parseModelLabel(label: string): { readonly appLabel: string; readonly modelName: string } | null {
  const match = MODEL.exec(label);
  return match?.[1] && match[2] ? { appLabel: match[1], modelName: match[2] } : null;
}
