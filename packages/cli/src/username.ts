/**
 * Usernames as Django's `createsuperuser` / `create_user` take them (internal): `AbstractBaseUser.normalize_username`
 * (Unicode NFKC), then `UnicodeUsernameValidator`. Logins look usernames up exactly, as Django's `ModelBackend`
 * does; only creation normalizes, so a look-alike (`ｊｏｈｎ`, fullwidth) becomes the name it looks like.
 * @module
 */
import { usageError } from "./errors.js";

/** Django's `UnicodeUsernameValidator` (letters, digits and @ . + - _) and its 150-character limit. */
const USERNAME = /^[\p{L}\p{N}_.@+-]{1,150}$/u;

/**
 * The username to store: NFKC-normalized, then validated; a usage error (exit 2) when it is not a valid username.
 * @example
 * normalizeUsername("ｊｏｈｎ"); // "john"
 */
export function normalizeUsername(text: string): string {
  const username = text.normalize("NFKC");
  if (!USERNAME.test(username)) {
    throw usageError("The username must be 1 to 150 letters, digits and @ . + - _ (Django's rule).");
  }
  return username;
}
