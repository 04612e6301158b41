/**
 * dj-rest-auth's `PasswordChangeView`, `PasswordResetView` and `PasswordResetConfirmView` with Django's
 * `SetPasswordForm` and `PasswordResetForm` (internal; see `rest-auth.ts`). A new password ends the user's other
 * sessions; tokens minted with `checkRevokeToken` stop working by themselves.
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { reportFailure } from "../events.js";
import { parseBody } from "../endpoints/body.js";
import { validateFields } from "../endpoints/fields.js";
import { jsonResponse } from "../response.js";
import { randomHex } from "../internal/random.js";
import { requestCookie } from "../sessions/cookies.js";
import { randomAlphanumeric } from "../sessions/csrf-token.js";
import { sessionDigest } from "../sessions/session-auth.js";
import { sessionCookie, sessionCookieConfig } from "../sessions/session-config.js";
import type { SessionStore, User, UserAccount } from "../store/types.js";
import type { RestAuthConfig } from "./rest-auth.js";
import { decodeUid, encodeUid, type ResetTokenSubject } from "./reset-token.js";
import { validatePassword } from "./validators.js";
import { notAllowed, readValidated, withCookies } from "./_rest-auth-body.js";
import { passwordChangeSchema, passwordChangeWithOldSchema, resetConfirmSchema, resetSchema } from "./_fields.js";

/** What the reset token hashes over. */
const subjectOf = (account: UserAccount): ResetTokenSubject => ({ id: account.user.id, passwordHash: account.passwordHash, lastLogin: account.lastLogin, email: account.email });

const MISMATCH = "The two password fields didn’t match.";

/** `SetPasswordForm.clean_new_password2`: the mismatch, else every validator's message; `null` when valid. */
async function setPasswordErrors(config: RestAuthConfig, account: UserAccount, one: string, two: string): Promise<Response | null> {
  if (one !== two) return jsonResponse({ new_password2: [MISMATCH] }, 400);
  const { username } = account.user;
  const messages = await validatePassword(two, { username, firstName: account.firstName, lastName: account.lastName, email: account.email }, config.validators);
  return messages.length > 0 ? jsonResponse({ new_password2: messages }, 400) : null;
}

/** `user.set_password(); user.save()`, and the user's sessions end (Django: their auth hash no longer matches). */
async function setPassword(config: RestAuthConfig, userId: string, password: string): Promise<void> {
  await config.store.setPasswordHash(userId, await config.passwordHashers.hash(password));
  const sessions = config.store as Partial<SessionStore>;
  if (typeof sessions.deleteUserSessions === "function") await sessions.deleteUserSessions(userId);
}

/** `PasswordChangeView`: authenticated; `old_password` when enabled; keeps the changing session unless asked. */
export function passwordChangeHandler(config: RestAuthConfig) {
  const schema = config.oldPasswordField ? passwordChangeWithOldSchema : passwordChangeSchema;
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, true);
    if (authed instanceof Response) return authed;
    if (request.method !== "POST") return notAllowed(request.method, "POST, OPTIONS");
    const account = await config.store.getAccount((authed.user as User).id);
    if (account === null) return jsonResponse({ detail: "User not found" }, 401);
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status);
    const result = validateFields(body.data, schema);
    const errors: Record<string, string[]> = result.ok ? {} : { ...result.errors };
    const old = (body.data as Record<string, unknown> | null)?.old_password;
    if (config.oldPasswordField && errors.old_password === undefined && typeof old === "string") {
      const { valid } = await config.passwordHashers.verify(old.trim(), account.passwordHash);
      if (!valid) errors.old_password = ["Your old password was entered incorrectly. Please enter it again."];
    }
    if (!result.ok || Object.keys(errors).length > 0) {
      const ordered = Object.fromEntries(["old_password", "new_password1", "new_password2"].filter((k) => errors[k]).map((k) => [k, errors[k]]));
      return jsonResponse({ ...ordered, ...errors }, 400);
    }
    const refused = await setPasswordErrors(config, account, result.data.new_password1, result.data.new_password2);
    if (refused) return refused;
    await setPassword(config, account.user.id, result.data.new_password1);
    const response = jsonResponse({ detail: "New password has been saved." }, 200);
    const session = authed.auth as { source?: string } | null;
    if (config.mode !== "session" || config.logoutOnPasswordChange) return response;
    // Django's update_session_auth_hash: the changing session lives on under a new key (cycle_key).
    const now = nowOf(ctx);
    const cookie = sessionCookieConfig(config.session);
    const current = requestCookie(request, cookie.name);
    if (session?.source === "django" && config.djangoSessions !== undefined && current !== null) {
      await config.djangoSessions.end(current);
      return withCookies(response, [sessionCookie(request, cookie, await config.djangoSessions.start(account.user, ctx, cookie.ageSeconds), now)]);
    }
    if (session?.source !== "portcullis") return response;
    const key = randomAlphanumeric(32, "abcdefghijklmnopqrstuvwxyz0123456789");
    const store = config.store as RestAuthConfig["store"] & SessionStore;
    await store.createSession({ id: randomHex(16), digest: sessionDigest(key), userId: account.user.id, createdAt: now, expiresAt: now + cookie.ageSeconds * 1000 });
    return withCookies(response, [sessionCookie(request, cookie, key, now)]);
  };
}

/** Python's `unicodedata.normalize("NFKC", s).casefold()`, closely enough for e-mail addresses. */
const folded = (text: string): string => text.normalize("NFKC").toUpperCase().toLowerCase();

/** `PasswordResetView`: always the same 200, whether or not an account matched; e-mails go out afterwards. */
export function passwordResetHandler(config: RestAuthConfig) {
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, false);
    if (authed instanceof Response) return authed;
    if (request.method !== "POST") return notAllowed(request.method, "POST, OPTIONS");
    const data = await readValidated(request, resetSchema);
    if (data instanceof Response) return data;
    const email = data.email as string;
    const length = [...email].length;
    if (length > 254) return jsonResponse({ email: { email: [`Ensure this value has at most 254 characters (it has ${length}).`] } }, 400);
    const now = nowOf(ctx);
    const protocol = new URL(request.url).protocol === "https:" ? "https" : "http";
    const counted = await config.limits.resetEmail(email, request, ctx);
    if (counted instanceof Response) return counted;
    // Over the address's limit: the same answer, and no e-mail (an attacker cannot flood one inbox, or learn anything).
    const accounts = counted === "over" ? [] : await config.store.findAccountsByEmail(email);
    for (const account of accounts) {
      if (account.passwordHash.startsWith("!") || folded(account.email) !== folded(email)) continue;
      const message = { email: account.email, uid: encodeUid(account.user.id), token: config.resetTokens.make(subjectOf(account), now), account, protocol, request } as const;
      const sending = Promise.resolve().then(() => config.sendPasswordReset(message, ctx)).catch((error: unknown) => reportFailure(ctx, error));
      ctx.waitUntil?.(sending);
    }
    return jsonResponse({ detail: "Password reset e-mail has been sent." }, 200);
  };
}

/** `PasswordResetConfirmView`: `uid`, then `token`, then the new password; the user's sessions end. */
export function passwordResetConfirmHandler(config: RestAuthConfig) {
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, false);
    if (authed instanceof Response) return authed;
    if (request.method !== "POST") return notAllowed(request.method, "POST, OPTIONS");
    const data = await readValidated(request, resetConfirmSchema);
    if (data instanceof Response) return data;
    const id = decodeUid(data.uid);
    const account = id === null ? null : await config.store.getAccount(id);
    if (account === null) return jsonResponse({ uid: ["Invalid value"] }, 400);
    if (!config.resetTokens.check(subjectOf(account), data.token, nowOf(ctx))) return jsonResponse({ token: ["Invalid value"] }, 400);
    const refused = await setPasswordErrors(config, account, data.new_password1, data.new_password2);
    if (refused) return refused;
    await setPassword(config, account.user.id, data.new_password1);
    return jsonResponse({ detail: "Password has been reset with the new password." }, 200);
  };
}
