/**
 * `knoxSettings`: django-rest-knox 5's `REST_KNOX` settings, camelCased (durations in milliseconds), validated once
 * and shared by `knoxAuth` and the knox endpoints so the two can never disagree.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { User } from "../store/types.js";

/** knox's `CONSTANTS`: fixed by knox's table layout. */
export const KNOX_CONSTANTS = Object.freeze({ TOKEN_KEY_LENGTH: 15, DIGEST_LENGTH: 128, MAXIMUM_TOKEN_PREFIX_LENGTH: 10 });

/** Options of `knoxSettings`, knox's names in camelCase; every one optional, knox's defaults stated. */
export interface KnoxSettingsOptions {
  /** `AUTH_TOKEN_CHARACTER_LENGTH`: hex characters of a new token (without the prefix). Default 64. */
  readonly authTokenCharacterLength?: number;
  /** `TOKEN_TTL`: lifetime of a new token; `null` for tokens that never expire. Default 10 hours. */
  readonly tokenTtlMs?: number | null;
  /** `TOKEN_LIMIT_PER_USER`: the login answers 403 when the user holds this many unexpired tokens. Default none. */
  readonly tokenLimitPerUser?: number | null;
  /** `AUTO_REFRESH`: each authenticated request moves the token's expiry to now + `tokenTtlMs`. Default `false`. */
  readonly autoRefresh?: boolean;
  /** `AUTO_REFRESH_MAX_TTL`: a refreshed expiry never passes `created + this`. Default none. */
  readonly autoRefreshMaxTtlMs?: number | null;
  /** `MIN_REFRESH_INTERVAL`: a refresh is written only when it moves the expiry by more than this. Default 60 s. */
  readonly minRefreshIntervalMs?: number;
  /** `AUTH_HEADER_PREFIX`: the `Authorization` keyword and the `WWW-Authenticate` challenge. Default `"Token"`. */
  readonly authHeaderPrefix?: string;
  /** `TOKEN_PREFIX`: put before new tokens (at most 10 characters). Default `""`. */
  readonly tokenPrefix?: string;
  /** `USER_SERIALIZER`: the `user` of the login response; none (the default) leaves `user` out. */
  readonly userSerializer?: ((user: User) => unknown) | null;
}

/** The validated settings (`knoxSettings(...)`), frozen. */
export interface KnoxSettings {
  readonly authTokenCharacterLength: number;
  readonly tokenTtlMs: number | null;
  readonly tokenLimitPerUser: number | null;
  readonly autoRefresh: boolean;
  readonly autoRefreshMaxTtlMs: number | null;
  readonly minRefreshIntervalMs: number;
  readonly authHeaderPrefix: string;
  readonly tokenPrefix: string;
  readonly userSerializer: ((user: User) => unknown) | null;
}

const KEYWORD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PREFIX = /^[\x21-\x7e]*$/;
const validated = new WeakSet<KnoxSettings>();

function duration(name: string, value: unknown, fallback: number | null, nullable: boolean): number | null {
  if (value === undefined) return fallback;
  if (value === null && nullable) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(name, nullable ? "must be a non-negative integer of milliseconds, or null" : "must be a non-negative integer of milliseconds");
  }
  return value;
}

/**
 * Validates knox's settings once. Throws `ConfigError` naming the option.
 * @example
 * const settings = knoxSettings({ tokenTtlMs: 10 * 3600_000, autoRefresh: true, tokenPrefix: "app_" });
 */
export function knoxSettings(options: KnoxSettingsOptions | KnoxSettings = {}): KnoxSettings {
  if (validated.has(options as KnoxSettings)) return options as KnoxSettings;
  const length = options.authTokenCharacterLength ?? 64;
  if (!Number.isSafeInteger(length) || length < 16 || length > 512 || length % 2 !== 0) {
    throw new ConfigError("authTokenCharacterLength", "must be an even integer from 16 to 512");
  }
  const limit = options.tokenLimitPerUser ?? null;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) throw new ConfigError("tokenLimitPerUser", "must be a non-negative integer or null");
  const prefix = options.tokenPrefix ?? "";
  if (typeof prefix !== "string" || prefix.length > KNOX_CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH || !PREFIX.test(prefix)) {
    throw new ConfigError("tokenPrefix", "must be at most 10 printable ASCII characters without spaces (knox: Illegal TOKEN_PREFIX length)");
  }
  const keyword = options.authHeaderPrefix ?? "Token";
  if (typeof keyword !== "string" || !KEYWORD.test(keyword)) throw new ConfigError("authHeaderPrefix", 'must be an HTTP token such as "Token"');
  const tokenTtlMs = duration("tokenTtlMs", options.tokenTtlMs, 10 * 3600_000, true);
  const autoRefresh = options.autoRefresh ?? false;
  if (typeof autoRefresh !== "boolean") throw new ConfigError("autoRefresh", "must be a boolean");
  if (autoRefresh && tokenTtlMs === null) throw new ConfigError("tokenTtlMs", "must be set when autoRefresh is on");
  const serializer = options.userSerializer ?? null;
  if (serializer !== null && typeof serializer !== "function") throw new ConfigError("userSerializer", "must be a function or null");
  const settings: KnoxSettings = Object.freeze({
    authTokenCharacterLength: length,
    tokenTtlMs,
    tokenLimitPerUser: limit,
    autoRefresh,
    autoRefreshMaxTtlMs: duration("autoRefreshMaxTtlMs", options.autoRefreshMaxTtlMs, null, true),
    minRefreshIntervalMs: duration("minRefreshIntervalMs", options.minRefreshIntervalMs, 60_000, false) as number,
    authHeaderPrefix: keyword,
    tokenPrefix: prefix,
    userSerializer: serializer,
  });
  validated.add(settings);
  return settings;
}
