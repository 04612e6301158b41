/**
 * DRF's `CharField` validation as zod schemas, answering DRF's exact messages.
 * @module
 */
import { z } from "zod";

export const fieldMessages = {
  required: "This field is required.",
  null: "This field may not be null.",
  invalid: "Not a valid string.",
  blank: "This field may not be blank.",
  nullCharacters: "Null characters are not allowed.",
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
} as const;

interface CharFieldOptions {
  readonly trimWhitespace: boolean;
  readonly maxLength?: number;
}

/** A required, non-blank string field; numbers are accepted as their text (as DRF does). */
export function charField({ trimWhitespace, maxLength }: CharFieldOptions) {
  return z.unknown().transform((value, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (value === undefined) return fail(fieldMessages.required);
    if (value === null) return fail(fieldMessages.null);
    if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
      return fail(fieldMessages.invalid);
    }
    const text = trimWhitespace ? String(value).trim() : String(value);
    if (text === "") return fail(fieldMessages.blank);
    if (maxLength !== undefined && [...text].length > maxLength) ctx.addIssue({ code: "custom", message: fieldMessages.maxLength(maxLength) });
    if (text.includes("\0")) ctx.addIssue({ code: "custom", message: fieldMessages.nullCharacters });
    return text;
  });
}

/** DRF's `AuthTokenSerializer` fields: the username is trimmed (at most 150 characters), the password is not. */
export const credentialsSchema = z.object({
  username: charField({ trimWhitespace: true, maxLength: 150 }),
  password: charField({ trimWhitespace: false }),
});

/** Validated credentials, or DRF's error body (`{"field": ["message", ...]}`). */
export type CredentialsResult =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly errors: Record<string, string[]> };

/** Validates parsed body data as credentials. */
export function validateCredentials(data: unknown): CredentialsResult {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] } };
  }
  const parsed = credentialsSchema.safeParse(data);
  if (parsed.success) return { ok: true, ...parsed.data };
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "non_field_errors");
    (errors[field] ??= []).push(issue.message);
  }
  return { ok: false, errors };
}

/** The Python type name DRF reports for a JSON value that is not an object. */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}
