/**
 * `apiKeyAuth`: prefixed API keys (`Authorization: Bearer pk_live_…`, or a header such as `X-API-Key`). A credential
 * without the configured prefix is not this scheme's (skip), so API keys and JWT Bearer tokens share a header.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { asciiLower, authorizationFor } from "../internal/header.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import { sha256Hex } from "../internal/sha256.js";
import type { Scheme, SchemeResult } from "../schemes/types.js";
import { SKIP, failure } from "../schemes/types.js";
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey, User, UserStore } from "../store/types.js";
import { parseKey } from "./_format.js";
import { DEFAULT_API_KEY_PREFIX, checkPrefix } from "./keys.js";

/** The principal of an API-key request when no `owners` store resolves it: the key's owner id. */
export interface ApiKeyOwner {
  readonly id: string;
}

/** Options of `apiKeyAuth`. */
export interface ApiKeyAuthOptions {
  /** Where keys live. `touchApiKey` is used only with `lastUsedIntervalMs`. */
  readonly store: Pick<ApiKeyStore, "findApiKey"> & Partial<Pick<ApiKeyStore, "touchApiKey">>;
  /** The key prefix (must match `issueApiKey`'s). Default `pk_live_`. */
  readonly prefix?: string;
  /** The `Authorization` keyword, matched case-insensitively. Default `"Bearer"`. Ignored with `header`. */
  readonly keyword?: string;
  /** Read the key from this header instead (e.g. `"X-API-Key"`); the scheme then has no challenge (DRF: 403). */
  readonly header?: string;
  /**
   * Resolve the owner as a user of this store: a missing owner answers `Invalid API key.`, an inactive one
   * `User inactive or deleted.` Default: no lookup; the user is `{ id: ownerId }`.
   */
  readonly owners?: Pick<UserStore, "getUserById">;
  /** Write `lastUsedAt` at most once per this many ms (never a write per request). Default: never written. */
  readonly lastUsedIntervalMs?: number;
  /** Reported as `scheme`. Default `"apiKey"`. */
  readonly name?: string;
}

export const apiKeyMessages = {
  noCredentials: "Invalid API key header. No credentials provided.",
  spaces: "Invalid API key header. Key string should not contain spaces.",
  invalidKey: "Invalid API key.",
  inactive: "User inactive or deleted.",
} as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DUMMY_DIGEST = "0".repeat(64);

/**
 * API key authentication. `auth` is the key's record (id, ownerId, name, scopes, times), never the key.
 * @example
 * const schemes = [apiKeyAuth({ store, lastUsedIntervalMs: 60_000 }), jwtAuth(settings)];
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): Scheme<User | ApiKeyOwner, ApiKeyRecord> {
  const { store, keyword = "Bearer", header, owners, lastUsedIntervalMs } = options ?? ({} as ApiKeyAuthOptions);
  if (typeof store?.findApiKey !== "function") throw new ConfigError("store", "must be a store with API keys");
  const prefix = checkPrefix(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  if (typeof keyword !== "string" || !TOKEN.test(keyword)) throw new ConfigError("keyword", "must be an HTTP token such as \"Bearer\"");
  if (header !== undefined && (typeof header !== "string" || !TOKEN.test(header))) throw new ConfigError("header", "must be a header name");
  if (owners !== undefined && typeof owners?.getUserById !== "function") throw new ConfigError("owners", "must be a user store");
  if (lastUsedIntervalMs !== undefined) {
    if (!(Number.isSafeInteger(lastUsedIntervalMs) && lastUsedIntervalMs > 0)) throw new ConfigError("lastUsedIntervalMs", "must be a positive integer");
    if (typeof store.touchApiKey !== "function") throw new ConfigError("store", "must have touchApiKey for lastUsedIntervalMs");
  }
  const lowerKeyword = asciiLower(keyword);

  function credential(request: Request): string | SchemeResult<never, never> {
    if (header !== undefined) {
      const value = request.headers.get(header);
      if (value === null) return SKIP;
      const trimmed = value.trim();
      if (!trimmed.startsWith(prefix)) return trimmed === "" ? failure(apiKeyMessages.noCredentials) : SKIP;
      return /\s/.test(trimmed) ? failure(apiKeyMessages.spaces) : trimmed;
    }
    const parts = authorizationFor(request, lowerKeyword);
    if (parts === null) return SKIP;
    // Not an API key (a JWT, an opaque token): the next scheme with this keyword decides.
    if (parts.length === 1 || !(parts[1] as string).startsWith(prefix)) return SKIP;
    return parts.length > 2 ? failure(apiKeyMessages.spaces) : (parts[1] as string);
  }

  async function authenticate(request: Request, ctx: AuthContext): Promise<SchemeResult<User | ApiKeyOwner, ApiKeyRecord>> {
    const key = credential(request);
    if (typeof key !== "string") return key;
    const id = parseKey(key, prefix);
    // A bad checksum is refused without a store round trip (typos, scanners' guesses).
    if (id === null) return failure(apiKeyMessages.invalidKey);
    const found = await store.findApiKey(id);
    const digest = sha256Hex(key);
    // Compared even when the id is unknown, so both answers take the same time.
    const matches = timingSafeEqualString(found?.digest ?? DUMMY_DIGEST, digest);
    if (found === null || !matches || found.id !== id) return failure(apiKeyMessages.invalidKey);
    const now = nowOf(ctx);
    if (found.expiresAt !== null && found.expiresAt <= now) return failure(apiKeyMessages.invalidKey);
    let user: User | ApiKeyOwner = { id: found.ownerId };
    if (owners !== undefined) {
      const owner = await owners.getUserById(found.ownerId);
      if (owner === null) return failure(apiKeyMessages.invalidKey);
      if (owner.isActive !== true) return failure(apiKeyMessages.inactive);
      user = owner;
    }
    if (lastUsedIntervalMs !== undefined) touch(found, now, lastUsedIntervalMs, ctx);
    return { type: "success", user, auth: recordOf(found) };
  }

  function touch(found: StoredApiKey, now: number, interval: number, ctx: AuthContext): void {
    if (found.lastUsedAt !== null && found.lastUsedAt > now - interval) return;
    // Best effort, off the request's path: a failed write never fails the request.
    const write = (store.touchApiKey as ApiKeyStore["touchApiKey"])(found.id, now, interval).catch(() => false);
    ctx.waitUntil?.(write);
  }

  const name = options.name ?? "apiKey";
  return header === undefined ? { name, authenticate, challenge: () => keyword } : { name, authenticate };
}

function recordOf(key: StoredApiKey): ApiKeyRecord {
  const { id, ownerId, name, scopes, createdAt, expiresAt, lastUsedAt } = key;
  return { id, ownerId, name, scopes: [...scopes], createdAt, expiresAt, lastUsedAt };
}
