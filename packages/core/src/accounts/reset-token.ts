/**
 * Django's `PasswordResetTokenGenerator` and the `uid` of a reset link (`urlsafe_base64_encode(force_bytes(pk))`),
 * so a link mailed by either half works on the other and expires the same way. The token is
 * `<base36 seconds since 2001-01-01>-<every other hex digit of salted_hmac(...)>` over the user's pk, password hash,
 * last login, the timestamp and e-mail: a password change or a login spends it.
 * @module
 */
import { compatOf, type Compat } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import { fromBase36, pythonDateTime, saltedHmacHex, secondsSince2001, secondsSinceMidnight, toBase36, wallClockMs } from "./_django-time.js";

/** What the token hashes over: the user's pk, current password hash, last login and e-mail. */
export interface ResetTokenSubject {
  readonly id: string;
  readonly passwordHash: string;
  /** Epoch ms, `null` for never (Django's `last_login` is `NULL`). */
  readonly lastLogin: number | null;
  readonly email: string;
}

/** Options of `passwordResetTokens` (Django's settings). */
export interface PasswordResetTokensOptions {
  /** `SECRET_KEY`. */
  readonly secretKey: string;
  /** `SECRET_KEY_FALLBACKS`: tried on check from Django 4.1 (per `compat`). Default none. */
  readonly secretKeyFallbacks?: readonly string[];
  /** `PASSWORD_RESET_TIMEOUT` in seconds. Default 259,200 (three days). */
  readonly timeoutSeconds?: number;
  /** `TIME_ZONE`: Django stamps tokens with `datetime.now()`, the wall clock of this zone. Default `"UTC"`. */
  readonly timeZone?: string;
  /**
   * `USE_TZ`. With `false`, Django keeps `last_login` as the naive wall clock of `TIME_ZONE` and hashes that, so
   * the token does too. Default `true`.
   */
  readonly useTz?: boolean;
  /** The Django release (`compat({...})`); default Django 5.2. */
  readonly compat?: Compat;
}

/** What `passwordResetTokens` answers. */
export interface PasswordResetTokens {
  /** `make_token(user)` at `now` (epoch ms, default `Date.now()`). */
  make(user: ResetTokenSubject, now?: number): string;
  /** `check_token(user, token)` at `now`; never throws. */
  check(user: ResetTokenSubject, token: unknown, now?: number): boolean;
}

const KEY_SALT = "django.contrib.auth.tokens.PasswordResetTokenGenerator";

function validate(options: PasswordResetTokensOptions): Required<Omit<PasswordResetTokensOptions, "compat">> & { compat: Compat } {
  const { secretKey, secretKeyFallbacks = [], timeoutSeconds = 259_200, timeZone = "UTC", useTz = true } = options ?? ({} as PasswordResetTokensOptions);
  if (typeof useTz !== "boolean") throw new ConfigError("useTz", "must be a boolean");
  if (typeof secretKey !== "string" || secretKey === "") throw new ConfigError("secretKey", "must be Django's SECRET_KEY");
  if (!Array.isArray(secretKeyFallbacks) || !secretKeyFallbacks.every((k) => typeof k === "string" && k !== "")) {
    throw new ConfigError("secretKeyFallbacks", "must be a list of keys");
  }
  if (!Number.isSafeInteger(timeoutSeconds) || timeoutSeconds < 1) throw new ConfigError("timeoutSeconds", "must be a positive integer");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new ConfigError("timeZone", "must be an IANA time zone such as \"UTC\" or \"Europe/Paris\"");
  }
  return { secretKey, secretKeyFallbacks: [...secretKeyFallbacks], timeoutSeconds, timeZone, useTz, compat: compatOf(options.compat) };
}

/** `last_login` as Django hashes it: the UTC wall clock with `USE_TZ`, else `TIME_ZONE`'s (`loginZone`). */
function hashValue(user: ResetTokenSubject, timestamp: number, loginZone: string): string {
  const login = user.lastLogin === null ? "" : pythonDateTime(wallClockMs(user.lastLogin, loginZone));
  return `${user.id}${user.passwordHash}${login}${timestamp}${user.email ?? ""}`;
}

function tokenWith(user: ResetTokenSubject, timestamp: number, secret: string, algorithm: "sha256" | "sha1", loginZone: string): string {
  const digest = saltedHmacHex(KEY_SALT, hashValue(user, timestamp, loginZone), secret, algorithm);
  let half = "";
  for (let i = 0; i < digest.length; i += 2) half += digest[i];
  return `${toBase36(timestamp)}-${half}`;
}

/**
 * Django's password reset tokens for the stated release: SHA-256 (3.2 also accepts its SHA-1 and day-counting
 * legacy tokens), `SECRET_KEY_FALLBACKS` from 4.1, `PASSWORD_RESET_TIMEOUT`.
 * @example
 * const tokens = passwordResetTokens({ secretKey: env.SECRET_KEY, compat: compat({ django: "4.2" }) });
 * const link = `https://app.example.com/reset/${encodeUid(account.user.id)}/${tokens.make(subject)}/`;
 */
export function passwordResetTokens(options: PasswordResetTokensOptions): PasswordResetTokens {
  const { secretKey, secretKeyFallbacks, timeoutSeconds, timeZone, useTz, compat } = validate(options);
  const loginZone = useTz ? "UTC" : timeZone;
  const secrets = compat.accounts.resetTokenFallbacks ? [secretKey, ...secretKeyFallbacks] : [secretKey];
  const legacy = compat.accounts.resetTokenLegacy;

  function check(user: ResetTokenSubject, token: unknown, now = Date.now()): boolean {
    if (typeof token !== "string" || token === "" || token.length > 100 || !user) return false;
    const parts = token.split("-");
    if (parts.length !== 2) return false;
    let timestamp = fromBase36(parts[0] as string);
    if (timestamp === null) return false;
    let matched = false;
    for (const secret of secrets) matched = timingSafeEqualString(tokenWith(user, timestamp, secret, "sha256", loginZone), token) || matched;
    if (!matched && legacy) matched = timingSafeEqualString(tokenWith(user, timestamp, secretKey, "sha1", loginZone), token);
    if (!matched) return false;
    if (legacy && (parts[0] as string).length < 4) timestamp = timestamp * 86_400 + secondsSinceMidnight(now, timeZone);
    return secondsSince2001(now, timeZone) - timestamp <= timeoutSeconds;
  }

  return {
    make: (user, now = Date.now()) => tokenWith(user, secondsSince2001(now, timeZone), secretKey, "sha256", loginZone),
    check,
  };
}

/**
 * `urlsafe_base64_encode(force_bytes(pk))`: the `uid` of a reset link.
 * @example
 * encodeUid("42"); // "NDI"
 */
export function encodeUid(id: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(id)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The pk of a reset link's `uid`, or `null` when it is not canonical URL-safe base64 of UTF-8 text (stricter than
 * Django's decoder, which skips stray characters; every uid Django makes decodes the same).
 * @example
 * decodeUid("NDI"); // "42"
 */
export function decodeUid(uid: unknown): string | null {
  if (typeof uid !== "string" || uid.length === 0 || uid.length > 200 || !/^[A-Za-z0-9_-]+$/.test(uid) || uid.length % 4 === 1) return null;
  try {
    const binary = atob(uid.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (uid.length % 4)) % 4));
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    return encodeUid(text) === uid && text !== "" ? text : null;
  } catch {
    return null;
  }
}
