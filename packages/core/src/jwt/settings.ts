/**
 * `jwtSettings()`: simplejwt's `SIMPLE_JWT` settings, in TypeScript naming, validated once. The result is shared by
 * `jwtAuth`, the JWT endpoints and `mintTokens`, so verifying and minting can never disagree.
 * @module
 */
import type { CryptoKey, JWK } from "jose"; // the runtime's CryptoKey type, also on Node's types (a value there)
import { z } from "zod";
import { compatOf, type Compat } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import type { JwtKeys } from "./keys.js";
import { buildKeys } from "./keys.js";

/** The algorithms simplejwt accepts that WebCrypto can run (ES256K is not in WebCrypto). */
export const JWT_ALGORITHMS = [
  "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
] as const;

/** One of `JWT_ALGORITHMS`. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** A token type that authenticates requests (simplejwt's `AUTH_TOKEN_CLASSES`: `AccessToken`, `SlidingToken`). */
export type AuthTokenType = "access" | "sliding";

/** A key: text (an HMAC secret, or a PEM), raw bytes (HMAC), a JWK or a `CryptoKey`. */
export type JwtKeyInput = string | Uint8Array | JWK | CryptoKey;

/** simplejwt's settings in TypeScript naming; durations in milliseconds. Every field is optional. */
export interface JwtSettingsOptions {
  /** `ALGORITHM`. Exactly this one is accepted on verify. Default `"HS256"`. */
  readonly algorithm?: JwtAlgorithm;
  /** `SIGNING_KEY`: Django's `SECRET_KEY` for HS*; a PKCS#8 PEM or private JWK for the others (only to mint). */
  readonly signingKey?: JwtKeyInput;
  /** `VERIFYING_KEY`: an SPKI or X.509 PEM, a public JWK or a `CryptoKey`, for asymmetric algorithms. */
  readonly verifyingKey?: JwtKeyInput;
  /** `JWK_URL`: a JWKS fetched (and cached) to verify asymmetric tokens by their `kid`. */
  readonly jwkUrl?: string;
  /** `JWKS cache`: how long fetched keys are kept, ms. Default 10 minutes. */
  readonly jwkCacheMs?: number;
  /**
   * After a fetch, how long a token with an unknown `kid` is refused without fetching the JWKS again, ms (so that
   * tokens with made-up `kid`s cannot make every request fetch). A key rotated in is picked up after it. Default 30 s.
   */
  readonly jwkCooldownMs?: number;
  /** How long one JWKS fetch may take before the request is answered 503, ms. Default 5 s. */
  readonly jwkTimeoutMs?: number;
  /** `AUDIENCE`: added on mint, required and checked on verify. */
  readonly audience?: string | readonly string[];
  /** `ISSUER`: added on mint, required and checked on verify. */
  readonly issuer?: string;
  /** `LEEWAY` in ms. Default 0. */
  readonly leewayMs?: number;
  /** `AUTH_HEADER_TYPES`, matched case-sensitively; the first is the challenge's. Default `["Bearer"]`. */
  readonly authHeaderTypes?: readonly string[];
  /** `USER_ID_FIELD`: `"id"` (default) looks users up by id, `"username"` by username. */
  readonly userIdField?: "id" | "username";
  /** `USER_ID_CLAIM`. Default `"user_id"`. */
  readonly userIdClaim?: string;
  /**
   * How minted tokens write the user id: `"string"` (simplejwt 5.5.1+) or `"number"` (up to 5.5.0, ids that are
   * integers). Default: the stated simplejwt's (`compat`); stating both and disagreeing is a `ConfigError`.
   */
  readonly userIdType?: "string" | "number";
  /**
   * The releases the Django half runs (`compat({ simplejwt, ... })`), default simplejwt 5.5.1. It decides the
   * `user_id` type minted, whether an access token copies its refresh token's `iat` (up to 5.5.0), the error words
   * (`Token is invalid or expired` up to 5.4; `Token is invalid` / `Token is expired` from 5.5.0), and which settings
   * exist: `checkUserIsActive` needs 5.4+, `checkRevokeToken` / `revokeTokenClaim` need 5.3+.
   */
  readonly compat?: Compat;
  /** `TOKEN_TYPE_CLAIM`. Default `"token_type"`. */
  readonly tokenTypeClaim?: string;
  /** `JTI_CLAIM`. Default `"jti"`. */
  readonly jtiClaim?: string;
  /** `AUTH_TOKEN_CLASSES`. Default `["access"]`; add `"sliding"` for sliding tokens. */
  readonly authTokenClasses?: readonly AuthTokenType[];
  /** `CHECK_USER_IS_ACTIVE`. Default `true`. */
  readonly checkUserIsActive?: boolean;
  /** `CHECK_REVOKE_TOKEN`: tokens carry `hash_password`; a changed password invalidates them. Default `false`. */
  readonly checkRevokeToken?: boolean;
  /** `REVOKE_TOKEN_CLAIM`. Default `"hash_password"`. */
  readonly revokeTokenClaim?: string;
  /** `ACCESS_TOKEN_LIFETIME`, ms. Default 5 minutes. */
  readonly accessTokenLifetimeMs?: number;
  /** `REFRESH_TOKEN_LIFETIME`, ms. Default 1 day. */
  readonly refreshTokenLifetimeMs?: number;
  /** `SLIDING_TOKEN_LIFETIME`, ms. Default 5 minutes. */
  readonly slidingTokenLifetimeMs?: number;
  /** `SLIDING_TOKEN_REFRESH_LIFETIME`, ms. Default 1 day. */
  readonly slidingTokenRefreshLifetimeMs?: number;
  /** `SLIDING_TOKEN_REFRESH_EXP_CLAIM`. Default `"refresh_exp"`. */
  readonly slidingTokenRefreshExpClaim?: string;
  /** `ROTATE_REFRESH_TOKENS`: refresh also answers a new refresh token (atomically; needs a blacklist store). */
  readonly rotateRefreshTokens?: boolean;
  /** `BLACKLIST_AFTER_ROTATION`: the rotated refresh token is also blacklisted. Default `false`. */
  readonly blacklistAfterRotation?: boolean;
  /**
   * Accept an HMAC `signingKey` shorter than the hash output (32 bytes for HS256, 48 for HS384, 64 for HS512; RFC
   * 7518 §3.2, PyJWT's `InsecureKeyLengthWarning`). Default `false`: a shorter key is a `ConfigError`.
   */
  readonly allowShortSigningKey?: boolean;
}

const claimName = z.string().min(1).max(100);
const positiveMs = z.number().int().positive().max(100 * 365 * 86_400_000);
const headerType = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);

const schema = z.object({
  algorithm: z.enum(JWT_ALGORITHMS).default("HS256"),
  jwkUrl: z.url({ protocol: /^https?$/ }).optional(),
  jwkCacheMs: positiveMs.default(600_000),
  jwkCooldownMs: z.number().int().min(0).max(86_400_000).default(30_000),
  jwkTimeoutMs: z.number().int().positive().max(60_000).default(5_000),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  issuer: z.string().min(1).optional(),
  leewayMs: z.number().int().min(0).max(86_400_000).default(0),
  authHeaderTypes: z.array(headerType).min(1).default(["Bearer"]),
  userIdField: z.enum(["id", "username"]).default("id"),
  userIdClaim: claimName.default("user_id"),
  userIdType: z.enum(["string", "number"]).optional(),
  tokenTypeClaim: claimName.default("token_type"),
  jtiClaim: claimName.default("jti"),
  authTokenClasses: z.array(z.enum(["access", "sliding"])).min(1).default(["access"]),
  checkUserIsActive: z.boolean().default(true),
  checkRevokeToken: z.boolean().default(false),
  revokeTokenClaim: claimName.default("hash_password"),
  accessTokenLifetimeMs: positiveMs.default(300_000),
  refreshTokenLifetimeMs: positiveMs.default(86_400_000),
  slidingTokenLifetimeMs: positiveMs.default(300_000),
  slidingTokenRefreshLifetimeMs: positiveMs.default(86_400_000),
  slidingTokenRefreshExpClaim: claimName.default("refresh_exp"),
  rotateRefreshTokens: z.boolean().default(false),
  blacklistAfterRotation: z.boolean().default(false),
  allowShortSigningKey: z.boolean().default(false),
});

/** Validated settings: every default filled in, keys prepared. Frozen; build it with `jwtSettings`. */
export type JwtSettings = Readonly<Omit<z.infer<typeof schema>, "userIdType">> & {
  readonly userIdType: "string" | "number";
  /** The stated releases (`compat()`); `compat.jwt` holds simplejwt's per-release behaviours. */
  readonly compat: Compat;
  readonly audiences: readonly string[] | null;
  readonly keys: JwtKeys;
  /** The `WWW-Authenticate` challenge: `<first header type> realm="api"`. */
  readonly challenge: string;
  readonly [SETTINGS]: true;
};

const SETTINGS = Symbol("portcullis.jwtSettings");

/**
 * Validates simplejwt's settings once (zod) and prepares the keys. Throws `ConfigError` naming the option.
 * @example
 * const jwt = jwtSettings({ signingKey: env.DJANGO_SECRET_KEY, accessTokenLifetimeMs: 5 * 60_000 });
 */
export function jwtSettings(options: JwtSettingsOptions = {}): JwtSettings {
  const { signingKey, verifyingKey, compat: stated, ...rest } = options ?? {};
  const releases = compatOf(stated);
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? "options"), issue?.message ?? "is invalid");
  }
  const settings = { ...parsed.data, userIdType: userIdTypeOf(parsed.data.userIdType, stated, releases) };
  checkAvailable(rest, releases);
  if (settings.blacklistAfterRotation && !settings.rotateRefreshTokens) {
    throw new ConfigError("blacklistAfterRotation", "needs rotateRefreshTokens: true");
  }
  const { jwkUrl, jwkCacheMs, jwkCooldownMs, jwkTimeoutMs, allowShortSigningKey } = settings;
  const keyOptions = { signingKey, verifyingKey, jwkUrl, jwkCacheMs, jwkCooldownMs, jwkTimeoutMs, allowShortSigningKey };
  const keys = buildKeys(settings.algorithm, keyOptions);
  const audience = settings.audience;
  const audiences = audience === undefined ? null : typeof audience === "string" ? [audience] : [...audience];
  const challenge = `${settings.authHeaderTypes[0]} realm="api"`;
  return Object.freeze({ ...settings, compat: releases, audiences, keys, challenge, [SETTINGS]: true as const });
}

/** The `user_id` type: the stated simplejwt's, or `userIdType` alone (without `compat`, for older settings). */
function userIdTypeOf(given: "string" | "number" | undefined, stated: Compat | undefined, releases: Compat): "string" | "number" {
  if (given !== undefined && stated !== undefined && given !== releases.jwt.userIdType) {
    throw new ConfigError("userIdType", `simplejwt ${releases.simplejwt.text} writes user_id as a ${releases.jwt.userIdType}`);
  }
  return given ?? releases.jwt.userIdType;
}

/** A setting the stated simplejwt does not have is a `ConfigError` naming the release that added it. */
function checkAvailable(options: Readonly<Record<string, unknown>>, releases: Compat): void {
  const missing = (option: string, since: string) =>
    new ConfigError(option, `is a simplejwt ${since}+ setting; the stated simplejwt is ${releases.simplejwt.text}`);
  if (options.checkUserIsActive !== undefined && !releases.jwt.checkUserIsActiveSetting) throw missing("checkUserIsActive", "5.4");
  if (options.checkRevokeToken !== undefined && !releases.jwt.revokeTokenSetting) throw missing("checkRevokeToken", "5.3");
  if (options.revokeTokenClaim !== undefined && !releases.jwt.revokeTokenSetting) throw missing("revokeTokenClaim", "5.3");
}

/** Whether `value` was built by `jwtSettings`. */
export function isJwtSettings(value: unknown): value is JwtSettings {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SETTINGS] === true;
}

/** The settings an option holds, or `ConfigError` naming it. */
export function settingsOf(value: unknown, option = "jwt"): JwtSettings {
  if (!isJwtSettings(value)) throw new ConfigError(option, "must be built by jwtSettings({...})");
  return value;
}
