/**
 * `basicAuth`: DRF's `BasicAuthentication` (`Authorization: Basic base64(username:password)`).
 * @module
 */
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { parseBasic } from "../internal/basic-credentials.js";
import { throttled } from "../auth-error.js";
import { checkStoreCredentials, emitLogin, throttledLogin } from "../login/credentials.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import { compatOf, type Compat } from "../compat/compat.js";
import type { BruteForceOptions } from "../login/login-throttle.js";
import { hasLoginCounters, loginThrottle } from "../login/login-throttle.js";
import type { Awaitable, CounterStore, User, UserStore } from "../store/types.js";
import type { Scheme, SchemeResult } from "./types.js";
import { SKIP, failure } from "./types.js";

/** The user-store methods Basic auth reads users through. */
export type BasicUserStore = Pick<UserStore, "getUserByUsername" | "setPasswordHash">;

/**
 * A user as a custom `verify` returns it: anything, with an optional `isActive` flag. The user is active when the
 * flag is `true` or absent; any other value (`false`, `0`, `"0"`, `null`) is inactive.
 */
export interface VerifiedUser {
  readonly isActive?: boolean;
}

interface CommonOptions {
  /** The realm of the `WWW-Authenticate` challenge. Default `"api"`. */
  readonly realm?: string;
  /** Reported as `scheme` when this scheme authenticates. Default `"basic"`. */
  readonly name?: string;
  /**
   * Brute-force protection: failed logins per username (default 5/min) and per client IP (default 20/min),
   * counted in `counters`; past the limit, 429 with `Retry-After`. `false` turns it off.
   */
  readonly bruteForce?: BruteForceOptions | false;
  /**
   * Where brute-force counters live. Default: `users`, when it is also a counter store (as `memoryStore()` and
   * `d1Store()` are). Without a counter store, brute-force protection must be turned off explicitly
   * (`bruteForce: false`), else `ConfigError`. With `verify` and no `counters`, protection is off (the function
   * is yours to protect).
   */
  readonly counters?: Pick<CounterStore, "hit" | "releaseHit">;
  /**
   * The DRF release to answer as (`compat({ drf })`): credentials without `:` are a username with an empty password
   * on 3.14, `Invalid basic header. Credentials not correctly base64 encoded.` on 3.15+. Default: the
   * `passwordHashers`' compat, else DRF 3.17.
   */
  readonly compat?: Compat;
}

/** Options of `basicAuth` with users read from a Portcullis store. */
export interface BasicAuthStoreOptions extends CommonOptions {
  readonly users: BasicUserStore;
  /**
   * Django's release and `PASSWORD_HASHERS` (`passwordHashers({ compat, hashers })`): which hashes verify and when a
   * successful login rewrites one. Default Django 5.2's `pbkdf2_sha256` at 1,000,000 iterations.
   */
  readonly passwordHashers?: PasswordHashers;
}

/** Options of `basicAuth` with a custom check. */
export interface BasicAuthVerifyOptions<U extends VerifiedUser> extends CommonOptions {
  /** Answers the user for good credentials, `null` otherwise. Must spend the same time in every case. */
  readonly verify: (username: string, password: string, ctx: AuthContext) => Promise<U | null>;
}

export type BasicAuthOptions<U extends VerifiedUser = User> = BasicAuthStoreOptions | BasicAuthVerifyOptions<U>;

/** DRF's words for Basic failures. */
export const basicMessages = {
  noCredentials: "Invalid basic header. No credentials provided.",
  spaces: "Invalid basic header. Credentials string should not contain spaces.",
  badEncoding: "Invalid basic header. Credentials not correctly base64 encoded.",
  invalidCredentials: "Invalid username/password.",
  inactive: "User inactive or deleted.",
} as const;

const REALM = /^[\x20-\x7e]{1,200}$/;

/**
 * Basic authentication against a store (passwords in Django's format; outdated hashes are upgraded after a
 * successful login) or a custom `verify`. An unknown user, a wrong password and an inactive store user all answer
 * `Invalid username/password.` after the same work.
 * @example
 * basicAuth({ users: store, realm: "api" });
 * basicAuth({ verify: async (username, password) => (await checkLdap(username, password)) ?? null });
 */
export function basicAuth(options: BasicAuthStoreOptions): Scheme<User, null>;
export function basicAuth<U extends VerifiedUser>(options: BasicAuthVerifyOptions<U>): Scheme<U, null>;
export function basicAuth<U extends VerifiedUser>(options: BasicAuthOptions<U>): Scheme<U | User, null> {
  const realm = options?.realm ?? "api";
  if (typeof realm !== "string" || !REALM.test(realm) || realm.includes('"') || realm.includes("\\")) {
    throw new ConfigError("realm", "must be 1-200 printable ASCII characters without quotes or backslashes");
  }
  const verify = verifierOf(options);
  const counters = countersOf(options);
  // A custom `verify` without `counters` has nowhere to count: protection is off unless asked for.
  const bruteForce = "verify" in options && counters === undefined && options.bruteForce === undefined ? false : options.bruteForce;
  const throttle = loginThrottle(bruteForce, counters);
  const challenge = `Basic realm="${realm}"`;
  const name = options.name ?? "basic";
  const withoutColon = compatOfScheme(options).rest.basicWithoutColon;

  // Not my header (the common case before a token scheme) and a malformed one are answered without a promise.
  function authenticate(request: Request, ctx: AuthContext): Awaitable<SchemeResult<U | User, null>> {
    const parsed = parseBasic(request, withoutColon);
    if (parsed.type === "skip") return SKIP;
    if (parsed.type === "invalid") return failure(basicMessages[parsed.problem]);
    return login(parsed.username, parsed.password, ctx);
  }

  async function login(username: string, password: string, ctx: AuthContext): Promise<SchemeResult<U | User, null>> {
    const outcome = await throttledLogin<U | User>(throttle, username, ctx, () => verify(username, password, ctx));
    const user = outcome.user;
    const inactive = user !== null && user.isActive === false;
    emitLogin(ctx, name, username, inactive ? { user, reason: "inactive" } : outcome);
    if (user === null) {
      if (outcome.blockedForMs) {
        const error = throttled(outcome.blockedForMs / 1000);
        return { type: "failure", detail: error.detail, error };
      }
      return failure(basicMessages.invalidCredentials);
    }
    if (!isActiveFlag(user.isActive)) return failure(basicMessages.inactive);
    return { type: "success", user, auth: null };
  }

  return { name, authenticate, challenge: () => challenge };
}

/** `verify`'s flag: `undefined` means active (the function vouches for the user); only `true` otherwise. */
function isActiveFlag(flag: unknown): boolean {
  return flag === undefined || flag === true;
}

function verifierOf<U extends VerifiedUser>(options: BasicAuthOptions<U>) {
  if (typeof options === "object" && options !== null) {
    if ("verify" in options && typeof options.verify === "function") return options.verify;
    if ("users" in options) return storeVerifier(options.users, passwordHashersOf(options.passwordHashers));
  }
  throw new ConfigError("users", "pass either `users` (a store) or `verify` (a function)");
}

/** The stated releases: `compat`, else the `passwordHashers`' (they must agree when both are given). */
function compatOfScheme<U extends VerifiedUser>(options: BasicAuthOptions<U>): Compat {
  const hashers = "users" in options && options.passwordHashers !== undefined ? passwordHashersOf(options.passwordHashers) : undefined;
  if (options.compat === undefined) return hashers?.compat ?? compatOf(undefined);
  const stated = compatOf(options.compat);
  if (hashers !== undefined && hashers.compat !== stated) throw new ConfigError("compat", "differs from the compat of passwordHashers: build both from one compat() value");
  return stated;
}

/** Where brute-force failures are counted: `counters`, else a user store that also has counters. */
function countersOf<U extends VerifiedUser>(options: BasicAuthOptions<U>): unknown {
  if (options.counters !== undefined) return options.counters;
  if ("users" in options) return hasLoginCounters(options.users) ? options.users : undefined;
  return undefined;
}

/** A verifier over a store: the same work for unknown, wrong and inactive; upgrades outdated hashes. */
function storeVerifier(users: BasicUserStore, hashers: PasswordHashers) {
  if (typeof users?.getUserByUsername !== "function") throw new ConfigError("users", "must be a Portcullis store");
  return (username: string, password: string, ctx: AuthContext): Promise<User | null> =>
    checkStoreCredentials(users, username, password, ctx, hashers);
}
