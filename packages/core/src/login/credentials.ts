/**
 * Login policy: a username and password checked against a store (the same work whatever fails), behind
 * brute-force protection, with its events. Shared by `basicAuth`, `obtainTokenHandler` and the JWT endpoints.
 * @module
 */
import type { AuthContext } from "../context.js";
import { emit, type LoginFailureReason } from "../events.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import type { User, UserStore } from "../store/types.js";
import type { LoginThrottle } from "./login-throttle.js";

/** The store methods a password check needs. */
export type CredentialStore = Pick<UserStore, "getUserByUsername" | "setPasswordHash">;

/**
 * Answers the user for good credentials, `null` otherwise, after the same work whether the user is unknown, the
 * password wrong or the user inactive (a missing hash is verified against a dummy). An outdated hash is upgraded
 * after a successful check (in `ctx.waitUntil` when the runtime has it); a failed upgrade keeps the old hash.
 * `hashers` decides both, as the stated Django does (default `DEFAULT_PASSWORD_HASHERS`).
 */
export async function checkStoreCredentials(
  store: CredentialStore,
  username: string,
  password: string,
  ctx: AuthContext,
  hashers?: PasswordHashers,
): Promise<User | null> {
  const passwords = passwordHashersOf(hashers);
  // No user's name holds a NUL byte (PostgreSQL text cannot even store one): not found, never a store error.
  const found = username.includes("\0") ? null : await store.getUserByUsername(username);
  const { valid, needsRehash } = await passwords.verify(password, found?.passwordHash ?? null);
  const user = found?.user ?? null;
  // Active only when the flag is exactly `true`: a raw `0`, `"0"` or `"false"` from a row is inactive (fail closed).
  const active = user !== null && user.isActive === true;
  if (user !== null && !active && valid && needsRehash) {
    // A weak hash that matched costs less than a default check; pad it so that the time does not tell an
    // inactive user's right password from a wrong one (a wrong one is padded inside verifyPassword).
    await passwords.dummy(password);
  }
  if (user === null || !valid || !active) return null;
  if (needsRehash) {
    const upgrade = passwords.hash(password)
      .then((encoded: string) => store.setPasswordHash(user.id, encoded))
      .catch(() => undefined);
    if (ctx.waitUntil) ctx.waitUntil(upgrade);
    else await upgrade;
  }
  return user;
}

/**
 * Reports a password login's outcome as a `login.succeeded` or `login.failed` event (`via` names the scheme or
 * endpoint). `id` is the user's id when it has one (a custom `verify` may answer users without).
 */
export function emitLogin(
  ctx: AuthContext,
  via: string,
  username: string,
  outcome: { readonly user: object | null; readonly blockedForMs?: number; readonly reason?: LoginFailureReason },
): void {
  const { clientIp } = ctx;
  if (outcome.user !== null && outcome.reason === undefined) {
    const id = (outcome.user as { readonly id?: unknown }).id;
    const userId = typeof id === "string" || typeof id === "number" ? String(id) : "";
    emit(ctx, { type: "login.succeeded", via, userId, username, clientIp });
  } else if (outcome.blockedForMs) {
    emit(ctx, { type: "login.failed", via, reason: "throttled", username, waitMs: outcome.blockedForMs, clientIp });
  } else {
    emit(ctx, { type: "login.failed", via, reason: outcome.reason ?? "invalid_credentials", username, clientIp });
  }
}

/** A login's outcome: the user, `null` for bad credentials, or the wait (ms) when brute-force protection blocks it. */
export interface LoginOutcome<U> {
  readonly user: U | null;
  /** Set when brute-force protection refused the login without checking it. */
  readonly blockedForMs?: number;
}

/**
 * Runs a credential check behind brute-force protection. A slot is first reserved in every counter (atomically,
 * so concurrent attempts cannot all slip under the limit); a blocked login does no password work and answers the
 * wait. A failed check keeps its reservation (the failure is counted); a successful one releases it (successes
 * are not counted). When the check throws (a store failure), the reservation is released as far as the store
 * allows and the error is rethrown.
 */
export async function throttledLogin<U>(
  throttle: LoginThrottle | null,
  username: string,
  ctx: AuthContext,
  check: () => Promise<U | null>,
): Promise<LoginOutcome<U>> {
  if (!throttle) return { user: await check() };
  const reservation = await throttle.reserve(username, ctx);
  if ("blockedForMs" in reservation) return { user: null, blockedForMs: reservation.blockedForMs };
  let user: U | null;
  try {
    user = await check();
  } catch (error) {
    await reservation.release().catch(() => undefined);
    throw error;
  }
  if (user !== null) await reservation.release();
  return { user };
}
