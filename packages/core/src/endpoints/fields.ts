/**
 * DRF's `CharField` validation as zod schemas, answering DRF's exact messages.
 * @module
 */
import { z } from "zod";

const fieldMessages = {
  required: "This field is required.",
  null: "This field may not be null.",
  invalid: "Not a valid string.",
  blank: "This field may not be blank.",
  nullCharacters: "Null characters are not allowed.",
  surrogate: (codePoint: number) => `Surrogate characters are not allowed: U+${codePoint.toString(16).toUpperCase()}.`,
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
} as const;

/** A lone surrogate (a well-formed pair is one code point under the `u` flag), as Django's validator finds. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The characters Python's `str.strip()` removes (JS's `trim` also removes U+FEFF and keeps U+001C-U+001F, U+0085). */
const PYTHON_SPACE = new Set(
  [..."\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"].map((c) => c.charCodeAt(0)),
);
for (let code = 0x2000; code <= 0x200a; code++) PYTHON_SPACE.add(code);

/** Python's `str.strip()`, in linear time (a `/\s+$/` regex backtracks quadratically on long runs of spaces). */
function stripPython(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PYTHON_SPACE.has(text.charCodeAt(start))) start++;
  while (end > start && PYTHON_SPACE.has(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

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
    const text = trimWhitespace ? stripPython(String(value)) : String(value);
    if (text === "") return fail(fieldMessages.blank);
    if (maxLength !== undefined && [...text].length > maxLength) ctx.addIssue({ code: "custom", message: fieldMessages.maxLength(maxLength) });
    if (text.includes("\0")) ctx.addIssue({ code: "custom", message: fieldMessages.nullCharacters });
    const surrogate = LONE_SURROGATE.exec(text);
    if (surrogate) ctx.addIssue({ code: "custom", message: fieldMessages.surrogate(surrogate[0].charCodeAt(0)) });
    return text;
  });
}

/** DRF's `AuthTokenSerializer` fields: the username is trimmed (at most 150 characters), the password is not. */
const credentialsSchema = z.object({
  username: charField({ trimWhitespace: true, maxLength: 150 }),
  password: charField({ trimWhitespace: false }),
});

/** Validated credentials, or DRF's error body (`{"field": ["message", ...]}`). */
type CredentialsResult =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly errors: Record<string, string[]> };

/** Validates parsed body data as credentials. */
export function validateCredentials(data: unknown): CredentialsResult {
  const result = validateFields(data, credentialsSchema);
  return result.ok ? { ok: true, ...result.data } : result;
}

/** Validates parsed body data against a DRF-like serializer schema: the data, or DRF's error body. */
export function validateFields<T>(
  data: unknown,
  schema: z.ZodType<T>,
): { readonly ok: true; readonly data: T } | { readonly ok: false; readonly errors: Record<string, string[]> } {
  // DRF's `Serializer.errors` edge case: a `null` body is "No data provided", not a type error.
  if (data === null) return { ok: false, errors: { non_field_errors: ["No data provided"] } };
  if (typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] } };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
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
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}
