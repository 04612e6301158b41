/**
 * `compat()`: one statement of the Django, DRF and simplejwt releases the Django half of a deployment runs. Built
 * and validated once, then passed as a value (`compat`) to everything whose behaviour differs between releases:
 * password hashing, `jwtSettings`, sessions and CSRF, the endpoints and the CLI. Every fact below names the release
 * that changed it (`specs/django-versions.md`).
 * @module
 */
import { ConfigError } from "../errors.js";
import {
  atLeast,
  DJANGO_RELEASES,
  DRF_RELEASES,
  hasDjangoFix,
  parseRelease,
  parseSimplejwt,
  SIMPLEJWT_RELEASES,
  type DjangoRelease,
  type DrfRelease,
  type Release,
  type SimplejwtRelease,
} from "./releases.js";

/** What the user runs. Each field is optional; the defaults are today's current releases. */
export interface CompatOptions {
  /** Django's release, `"3.2"` … `"6.1"`, optionally with its patch (`"4.2.14"`). Default `"5.2"`. */
  readonly django?: string;
  /** DRF's release, `"3.14"` … `"3.18"` (3.15.0 itself is refused). Default `"3.17"`. */
  readonly drf?: string;
  /** simplejwt's release: `"5.2"`, `"5.3"`, `"5.4"`, `"5.5.0"` or `"5.5.1"`. Default `"5.5.1"`. */
  readonly simplejwt?: string;
  /**
   * The Argon2 hash length the Django side's argon2-cffi writes: 16 bytes before argon2-cffi 21.2, 32 from it.
   * Default 32; Django 6.0+ requires argon2-cffi 23.1, so it is always 32 there.
   */
  readonly argon2HashLen?: 16 | 32;
}

/** The parameters Django's built-in hashers write with, for the stated release. */
export interface HasherDefaults {
  readonly pbkdf2Iterations: number;
  /** `null` before Django 4.0, which has no scrypt hasher. */
  readonly scrypt: { readonly n: number; readonly r: number; readonly p: number } | null;
  readonly argon2: { readonly timeCost: number; readonly memoryCost: number; readonly parallelism: number; readonly hashLen: 16 | 32 };
  readonly bcryptRounds: number;
  /** Django's default `PASSWORD_HASHERS`, by algorithm name, preferred first. */
  readonly passwordHashers: readonly string[];
  /** Algorithms this release no longer ships (a row of them cannot be verified by that Django). */
  readonly removedHashers: readonly string[];
  /**
   * Whether an unusable or unknown hash still costs one default hash before `False` (4.2.14, 5.0.7, 5.1+), as
   * upstream released it; distributions may backport it (Debian's 3.2.25 has it). Portcullis reads it nowhere: it
   * always pays one preferred hash there.
   */
  readonly hashesUnusable: boolean;
}

/** The validated statement. Frozen; build it with {@link compat}. */
export interface Compat {
  readonly django: Release<DjangoRelease>;
  readonly drf: Release<DrfRelease>;
  readonly simplejwt: Release<SimplejwtRelease>;
  readonly hashers: HasherDefaults;
  /** Django's CSRF rules: `"3.2"` (no Origin check, generic reasons, masked cookie), `"4.0"` (Origin, masked), `"4.1"` (unmasked 32-char cookie). */
  readonly csrf: "3.2" | "4.0" | "4.1";
  readonly sessions: {
    /** 3.2 accepts SHA-1 signatures and the legacy SHA-1 session auth hash on read. */
    readonly acceptsSha1: boolean;
    /** `SECRET_KEY_FALLBACKS` are tried on signed data (4.1+). */
    readonly signingFallbacks: boolean;
    /** `SECRET_KEY_FALLBACKS` are tried on `_auth_user_hash` (4.1.8+). */
    readonly sessionHashFallbacks: boolean;
    /** `_session_expiry` may be an ISO-8601 string (4.1+); before, seconds only. */
    readonly isoExpiry: boolean;
  };
  readonly rest: {
    /** Basic credentials without `:`: DRF 3.14 reads an empty password; 3.15+ answers the base64 message. */
    readonly basicWithoutColon: "empty-password" | "malformed";
    /** `DjangoModelPermissions` checks authentication before `_ignore_model_permissions` (3.15+). */
    readonly authBeforeModelPermissions: boolean;
    /** Django `Http404`/`PermissionDenied` messages reach the body (3.15+); before, DRF's fixed texts. */
    readonly djangoExceptionMessages: boolean;
  };
  readonly jwt: {
    /** How `user_id` is written: a number for integer ids up to 5.5.0, always a string from 5.5.1. */
    readonly userIdType: "number" | "string";
    /** An access token made from a refresh token copies its `iat` (up to 5.5.0). */
    readonly accessCopiesRefreshIat: boolean;
    /** Refresh applies `USER_AUTHENTICATION_RULE` (5.4+): an inactive user answers 401. */
    readonly refreshChecksUser: boolean;
    /** `Token is expired` apart from `Token is invalid` (5.5.0+); before, `Token is invalid or expired`. */
    readonly separateExpiredMessage: boolean;
    /** A rotated refresh token gets its own outstanding row (5.5.0+). */
    readonly outstandsRotated: boolean;
    /** `CHECK_REVOKE_TOKEN` exists (5.3+). */
    readonly revokeTokenSetting: boolean;
    /** `CHECK_USER_IS_ACTIVE` exists (5.4+); before, inactive users are always refused. */
    readonly checkUserIsActiveSetting: boolean;
    /** What `blacklist()` writes to a token's new outstanding row: nothing (≤5.3), the raw claim (5.4), the user looked up (5.5+). */
    readonly blacklistUser: "none" | "claim" | "lookup";
  };
  /** Django's password reset and validation (`contrib/auth/tokens.py`, `password_validation.py`). */
  readonly accounts: {
    /** `PasswordResetTokenGenerator` tries `SECRET_KEY_FALLBACKS` (4.1+). */
    readonly resetTokenFallbacks: boolean;
    /** 3.2 also accepts SHA-1 reset tokens and pre-3.1 tokens whose timestamp counts days (`RemovedInDjango40Warning`). */
    readonly resetTokenLegacy: boolean;
    /** Which `common-passwords.txt.gz` `CommonPasswordValidator` reads: 19,726 passwords up to 4.1, 20,000 from 4.2. */
    readonly commonPasswords: "3.2" | "4.2";
  };
  readonly [COMPAT]: true;
}

const COMPAT = Symbol("portcullis.compat");

/** Today's current releases, the default everywhere: Django 5.2 LTS, DRF 3.17, simplejwt 5.5.1. */
export const DEFAULT_RELEASES = Object.freeze({ django: "5.2", drf: "3.17", simplejwt: "5.5.1" });

const PBKDF2_ITERATIONS: Readonly<Record<DjangoRelease, number>> = {
  "3.2": 260_000, "4.0": 320_000, "4.1": 390_000, "4.2": 600_000, "5.0": 720_000,
  "5.1": 870_000, "5.2": 1_000_000, "6.0": 1_200_000, "6.1": 1_500_000,
};

const KNOWN_OPTIONS = new Set(["django", "drf", "simplejwt", "argon2HashLen"]);

function hasherDefaults(django: Release<DjangoRelease>, argon2HashLen: 16 | 32): HasherDefaults {
  const since = (minor: DjangoRelease) => atLeast(django, minor, DJANGO_RELEASES);
  const removedHashers = [...(since("5.0") ? ["crypt"] : []), ...(since("5.1") ? ["sha1", "unsalted_sha1", "unsalted_md5"] : [])];
  return {
    pbkdf2Iterations: PBKDF2_ITERATIONS[django.minor],
    scrypt: since("4.0") ? { n: 16_384, r: 8, p: since("5.1") ? 5 : 1 } : null,
    argon2: { timeCost: 2, memoryCost: 102_400, parallelism: 8, hashLen: since("6.0") ? 32 : argon2HashLen },
    bcryptRounds: 12,
    passwordHashers: ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", ...(since("4.0") ? ["scrypt"] : [])],
    removedHashers,
    hashesUnusable: hasDjangoFix(django, "4.2", 14) && (django.minor !== "5.0" || hasDjangoFix(django, "5.0", 7)),
  };
}

/**
 * States the releases the Django half runs, validated once. A release outside the supported list is a
 * `ConfigError` naming the supported ones. A release given without its patch level is taken as the newest patch
 * of that minor (e.g. `"4.2"` includes 4.2.14's dummy hash).
 * @example
 * const releases = compat({ django: "4.2", drf: "3.17", simplejwt: "5.5.1" });
 * const jwt = jwtSettings({ signingKey: env.SECRET_KEY, compat: releases });
 */
export function compat(options: CompatOptions = {}): Compat {
  if (typeof options !== "object" || options === null) throw new ConfigError("compat", "must be an object");
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw new ConfigError(key, "is not a compat option (django, drf, simplejwt, argon2HashLen)");
  const django = parseRelease("django", options.django ?? DEFAULT_RELEASES.django, DJANGO_RELEASES);
  const drf = parseRelease("drf", options.drf ?? DEFAULT_RELEASES.drf, DRF_RELEASES);
  if (drf.minor === "3.15" && drf.patch === 0) {
    throw new ConfigError("drf", "3.15.0 is not supported (its GET/HEAD model permissions were reverted in 3.15.1): state 3.15.1 or later");
  }
  const simplejwt = parseSimplejwt(options.simplejwt ?? DEFAULT_RELEASES.simplejwt);
  const argon2HashLen = options.argon2HashLen ?? 32;
  if (argon2HashLen !== 16 && argon2HashLen !== 32) throw new ConfigError("argon2HashLen", "must be 16 or 32");
  const djangoSince = (minor: DjangoRelease) => atLeast(django, minor, DJANGO_RELEASES);
  const drfSince = (minor: DrfRelease) => atLeast(drf, minor, DRF_RELEASES);
  const jwtSince = (release: SimplejwtRelease) => atLeast(simplejwt, release, SIMPLEJWT_RELEASES);
  return Object.freeze({
    django,
    drf,
    simplejwt,
    hashers: Object.freeze(hasherDefaults(django, argon2HashLen)),
    csrf: djangoSince("4.1") ? "4.1" : djangoSince("4.0") ? "4.0" : "3.2",
    sessions: Object.freeze({
      acceptsSha1: !djangoSince("4.0"),
      signingFallbacks: djangoSince("4.1"),
      sessionHashFallbacks: hasDjangoFix(django, "4.1", 8),
      isoExpiry: djangoSince("4.1"),
    }),
    rest: Object.freeze({
      basicWithoutColon: drfSince("3.15") ? "malformed" : "empty-password",
      authBeforeModelPermissions: drfSince("3.15"),
      djangoExceptionMessages: drfSince("3.15"),
    }),
    jwt: Object.freeze({
      userIdType: jwtSince("5.5.1") ? "string" : "number",
      accessCopiesRefreshIat: !jwtSince("5.5.1"),
      refreshChecksUser: jwtSince("5.4"),
      separateExpiredMessage: jwtSince("5.5.0"),
      outstandsRotated: jwtSince("5.5.0"),
      revokeTokenSetting: jwtSince("5.3"),
      checkUserIsActiveSetting: jwtSince("5.4"),
      blacklistUser: jwtSince("5.5.0") ? "lookup" : jwtSince("5.4") ? "claim" : "none",
    }),
    accounts: Object.freeze({
      resetTokenFallbacks: djangoSince("4.1"),
      resetTokenLegacy: !djangoSince("4.0"),
      commonPasswords: djangoSince("4.2") ? "4.2" : "3.2",
    }),
    [COMPAT]: true as const,
  } satisfies Compat);
}

/** The default statement: Django 5.2, DRF 3.17, simplejwt 5.5.1. */
export const DEFAULT_COMPAT: Compat = compat();

/** Whether `value` was built by {@link compat}. */
export function isCompat(value: unknown): value is Compat {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[COMPAT] === true;
}

/** The statement an option holds (`undefined` → the default), or a `ConfigError` naming the option. */
export function compatOf(value: unknown, option = "compat"): Compat {
  if (value === undefined) return DEFAULT_COMPAT;
  if (!isCompat(value)) throw new ConfigError(option, "must be built by compat({ django, drf, simplejwt })");
  return value;
}
