/**
 * The serializers of dj-rest-auth's endpoints as zod schemas with DRF's and Django's messages (internal):
 * `LoginSerializer`, the password serializers (`CharField(max_length=128)`), `PasswordResetSerializer` (DRF's
 * `EmailField` with Django's `EmailValidator`) and `UserDetailsSerializer`.
 * @module
 */
import { z } from "zod";
import { charField } from "../endpoints/fields.js";

const INVALID_EMAIL = "Enter a valid email address.";
const USER_PART = /^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$/i;
const DOMAIN_PART = /^(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z0-9-]{2,63})$/i;

/** Django's `EmailValidator` (the domain also tried as IDNA, as Django does). */
export function isDjangoEmail(value: string): boolean {
  if (value === "" || !value.includes("@") || value.length > 320) return false;
  const at = value.lastIndexOf("@");
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!USER_PART.test(user)) return false;
  const okDomain = (d: string) => d === "localhost" || (DOMAIN_PART.test(d) && !d.endsWith("-"));
  if (okDomain(domain)) return true;
  if (/^\[[0-9a-f:.]+\]$/i.test(domain)) return true;
  try {
    const ascii = new URL(`http://${domain}/`).hostname;
    return ascii !== domain.toLowerCase() && okDomain(ascii);
  } catch {
    return false;
  }
}

/** DRF's `EmailField` (trimmed; `allowBlank` answers `""` for a blank value). */
function emailField(options: { required: boolean; allowBlank: boolean }) {
  return z.unknown().transform((value, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (value === undefined) return options.required ? fail("This field is required.") : undefined;
    if (value === null) return fail("This field may not be null.");
    if (typeof value !== "string" && typeof value !== "number") return fail("Not a valid string.");
    const text = String(value).trim();
    if (text === "") return options.allowBlank ? "" : fail("This field may not be blank.");
    return isDjangoEmail(text) ? text : fail(INVALID_EMAIL);
  });
}

/** An optional `CharField(allow_blank=True)`. */
function optionalText(maxLength?: number) {
  return z.unknown().transform((value, ctx) => {
    if (value === undefined) return undefined;
    if (value === null) {
      ctx.addIssue({ code: "custom", message: "This field may not be null." });
      return z.NEVER;
    }
    if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
      ctx.addIssue({ code: "custom", message: "Not a valid string." });
      return z.NEVER;
    }
    const text = String(value).trim();
    if (maxLength !== undefined && [...text].length > maxLength) ctx.addIssue({ code: "custom", message: `Ensure this field has no more than ${maxLength} characters.` });
    if (text.includes("\0")) ctx.addIssue({ code: "custom", message: "Null characters are not allowed." });
    return text;
  });
}

/** `LoginSerializer`: `username` and `email` optional and blank-able, `password` required. */
export const loginSchema = z.object({
  username: optionalText().optional(),
  email: emailField({ required: false, allowBlank: true }).optional(),
  password: charField({ trimWhitespace: true }),
});

const password128 = charField({ trimWhitespace: true, maxLength: 128 });

/** `PasswordChangeSerializer` without `old_password` (`OLD_PASSWORD_FIELD_ENABLED = False`). */
export const passwordChangeSchema = z.object({ new_password1: password128, new_password2: password128 });
/** `PasswordChangeSerializer` with `old_password`. */
export const passwordChangeWithOldSchema = z.object({ old_password: password128, new_password1: password128, new_password2: password128 });
/** `PasswordResetConfirmSerializer`. */
export const resetConfirmSchema = z.object({
  new_password1: password128, new_password2: password128, uid: charField({ trimWhitespace: true }), token: charField({ trimWhitespace: true }),
});
/** `PasswordResetSerializer`. */
export const resetSchema = z.object({ email: emailField({ required: true, allowBlank: false }) });

const USERNAME = /^[\p{L}\p{N}_.@+-]+$/u;
const USERNAME_MESSAGE = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";

/** `UserDetailsSerializer`'s writable fields: `username` (required on PUT), `first_name`, `last_name`. */
export function userDetailsSchema(partial: boolean) {
  const username = z.unknown().transform((value, ctx) => {
    if (value === undefined && partial) return undefined;
    const parsed = charField({ trimWhitespace: true, maxLength: 150 }).safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
      return z.NEVER;
    }
    if (!USERNAME.test(parsed.data)) {
      ctx.addIssue({ code: "custom", message: USERNAME_MESSAGE });
      return z.NEVER;
    }
    return parsed.data;
  });
  return z.object({ username: partial ? username.optional() : username, first_name: optionalText(150).optional(), last_name: optionalText(150).optional() });
}
