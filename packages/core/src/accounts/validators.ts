/**
 * Django's four default password validators (the `AUTH_PASSWORD_VALIDATORS` of `startproject`), with Django's
 * messages, and `validate_password`, which runs them all and answers every message in order.
 * @module
 */
import { compatOf, type Compat } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import { commonPasswords } from "./common-passwords.js";

/** The user attributes a password is compared with (`UserAttributeSimilarityValidator`). */
export interface PasswordUser {
  readonly username?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
}

/** One validator: a message when the password fails, else `null`. */
export interface PasswordValidator {
  validate(password: string, user: PasswordUser | null): string | null | Promise<string | null>;
}

/** Options of `djangoPasswordValidators`. */
export interface DjangoPasswordValidatorsOptions {
  /** `MinimumLengthValidator`'s `min_length`. Default 8. */
  readonly minLength?: number;
  /** `UserAttributeSimilarityValidator`'s `max_similarity`, at least 0.1. Default 0.7. */
  readonly maxSimilarity?: number;
  /** The Django release whose common-password list is used; default Django 5.2. */
  readonly compat?: Compat;
}

/** Python's `len()`: code points. */
const length = (text: string): number => [...text].length;

/** `difflib.SequenceMatcher(a, b).quick_ratio()`: 2 × (multiset intersection of characters) / total length. */
function quickRatio(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  if (ca.length + cb.length === 0) return 1;
  const avail = new Map<string, number>();
  for (const c of cb) avail.set(c, (avail.get(c) ?? 0) + 1);
  let matches = 0;
  for (const c of ca) {
    const n = avail.get(c) ?? 0;
    if (n > 0) {
      matches += 1;
      avail.set(c, n - 1);
    }
  }
  return (2 * matches) / (ca.length + cb.length);
}

const ATTRIBUTES: readonly (readonly [keyof PasswordUser, string])[] = [
  ["username", "username"], ["firstName", "first name"], ["lastName", "last name"], ["email", "email address"],
];

/** `UserAttributeSimilarityValidator`. */
function similarityValidator(maxSimilarity: number): PasswordValidator {
  return {
    validate(password, user) {
      if (!user) return null;
      const lower = password.toLowerCase();
      for (const [attribute, verboseName] of ATTRIBUTES) {
        const value = user[attribute];
        if (typeof value !== "string" || value === "") continue;
        const valueLower = value.toLowerCase();
        // Python's re.split(r"\W+", ...) + [value]: \W is neither a letter, a digit nor "_".
        for (const part of [...valueLower.split(/[^\p{L}\p{N}\p{Mn}\p{Mc}_]+/u), valueLower]) {
          const pwdLength = length(lower);
          if (pwdLength >= 10 * length(part) && length(part) < (maxSimilarity / 2) * pwdLength) continue;
          if (quickRatio(lower, part) >= maxSimilarity) return `The password is too similar to the ${verboseName}.`;
        }
      }
      return null;
    },
  };
}

/** `MinimumLengthValidator`. */
function minimumLengthValidator(minLength: number): PasswordValidator {
  const unit = minLength === 1 ? "character" : "characters";
  return { validate: (password) => (length(password) < minLength ? `This password is too short. It must contain at least ${minLength} ${unit}.` : null) };
}

/** `CommonPasswordValidator` with the release's list. */
function commonPasswordValidator(compat: Compat): PasswordValidator {
  return {
    async validate(password) {
      const key = password.toLowerCase().replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, "");
      return (await commonPasswords(compat)).has(key) ? "This password is too common." : null;
    },
  };
}

/** `NumericPasswordValidator` (`str.isdigit()`: decimal digits of any script, and superscripts). */
const numericValidator: PasswordValidator = {
  validate: (password) => (/^[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490]+$/u.test(password) ? "This password is entirely numeric." : null),
};

/**
 * The validators `django-admin startproject` configures, in its order: user-attribute similarity, minimum length,
 * common passwords, numeric.
 * @example
 * const validators = djangoPasswordValidators({ compat: compat({ django: "4.2" }) });
 * await validatePassword("password", { username: "alice" }, validators); // ["This password is too common."]
 */
export function djangoPasswordValidators(options: DjangoPasswordValidatorsOptions = {}): readonly PasswordValidator[] {
  const { minLength = 8, maxSimilarity = 0.7 } = options;
  if (!Number.isSafeInteger(minLength) || minLength < 0) throw new ConfigError("minLength", "must be a non-negative integer");
  if (typeof maxSimilarity !== "number" || !(maxSimilarity >= 0.1)) throw new ConfigError("maxSimilarity", "must be at least 0.1");
  const compat = compatOf(options.compat);
  return Object.freeze([similarityValidator(maxSimilarity), minimumLengthValidator(minLength), commonPasswordValidator(compat), numericValidator]);
}

/**
 * Django's `validate_password`: runs every validator and answers all their messages, in order (empty: valid).
 * @example
 * const problems = await validatePassword(newPassword, account, djangoPasswordValidators());
 */
export async function validatePassword(password: string, user: PasswordUser | null, validators: readonly PasswordValidator[]): Promise<string[]> {
  const messages: string[] = [];
  for (const validator of validators) {
    const message = await validator.validate(password, user);
    if (message !== null) messages.push(message);
  }
  return messages;
}
