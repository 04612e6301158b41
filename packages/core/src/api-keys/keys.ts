/**
 * The API key lifecycle: issue, list, rotate (the old key stays valid for a stated grace period), revoke. A key
 * is `<prefix><id>_<secret><checksum>`; only the SHA-256 digest of the whole key is stored.
 * @module
 */
import { ConfigError, ConflictError } from "../errors.js";
import { sha256Hex } from "../internal/sha256.js";
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey } from "../store/types.js";
import { checkName, isWithinDateRange } from "../tokens/tokens.js";
import { newKey } from "./_format.js";

/** The default key prefix: `pk_live_`. */
export const DEFAULT_API_KEY_PREFIX = "pk_live_";
/** The default grace period of `rotateApiKey`: the old key keeps working for 24 hours. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 3_600_000;
/** The most scopes one key may hold. */
export const MAX_API_KEY_SCOPES = 100;

const PREFIX = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** An RFC 6749 scope-token: printable ASCII but space, `"` and `\`, here at most 100 characters. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

/** Options of `issueApiKey`. */
export interface IssueApiKeyOptions {
  /** The user's or organisation's id the key acts for. */
  readonly ownerId: string;
  /** A label (same rules as token names: 1–100 characters, no control or invisible format characters). */
  readonly name?: string | null;
  /** Scopes (RFC 6749 scope-tokens, at most 100). Default none. */
  readonly scopes?: readonly string[];
  /** Lifetime in milliseconds; omitted or `null` for a key that never expires. */
  readonly ttlMs?: number | null;
  /** The key prefix, 1–32 characters `[A-Za-z][A-Za-z0-9_]*`. Default `pk_live_`; must match `apiKeyAuth`'s. */
  readonly prefix?: string;
  /** The clock, epoch ms. Defaults to `Date.now()`. */
  readonly now?: number;
}

/** Throws `ConfigError` (`prefix`) unless the prefix is usable; answers it. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new ConfigError("prefix", "must be 1-32 characters of [A-Za-z0-9_], starting with a letter");
  }
  return prefix;
}

/** Throws `ConfigError` (`scopes`) unless every scope is a scope-token; answers a copy without duplicates. */
export function checkScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length > MAX_API_KEY_SCOPES) {
    throw new ConfigError("scopes", `must be an array of at most ${MAX_API_KEY_SCOPES} scopes`);
  }
  for (const scope of scopes) {
    if (typeof scope !== "string" || !SCOPE.test(scope)) {
      throw new ConfigError("scopes", "each scope must be 1-100 printable ASCII characters without spaces, quotes or backslashes");
    }
  }
  return [...new Set(scopes as string[])];
}

/**
 * Issues an API key. The key is returned here once and never stored.
 * @example
 * const { key, apiKey } = await issueApiKey(store, { ownerId: user.id, name: "ci", scopes: ["articles:read"] });
 * // the client sends: Authorization: Bearer <key>
 */
export async function issueApiKey(
  store: Pick<ApiKeyStore, "createApiKey">,
  options: IssueApiKeyOptions,
): Promise<{ key: string; apiKey: ApiKeyRecord }> {
  const { ownerId, name = null, scopes = [], ttlMs = null } = options ?? ({} as IssueApiKeyOptions);
  // No control characters: a NUL byte would be a database error (503) in PostgreSQL rather than a clear refusal.
  if (typeof ownerId !== "string" || ownerId === "" || ownerId.length > 255 || /[\p{Cc}]/u.test(ownerId)) {
    throw new ConfigError("ownerId", "must be a non-empty string of at most 255 characters, none of them a control character");
  }
  checkName(name);
  const granted = checkScopes(scopes);
  const prefix = checkPrefix(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  if (ttlMs !== null && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
    throw new ConfigError("ttlMs", "must be a positive integer number of milliseconds or null");
  }
  const now = options.now ?? Date.now();
  if (ttlMs !== null && !isWithinDateRange(now + ttlMs)) throw new ConfigError("ttlMs", "puts the expiry past year 275760");
  const { key, id } = newKey(prefix);
  const apiKey: ApiKeyRecord = {
    id,
    ownerId,
    name,
    scopes: granted,
    createdAt: now,
    expiresAt: ttlMs === null ? null : now + ttlMs,
    lastUsedAt: null,
  };
  await store.createApiKey({ ...apiKey, digest: sha256Hex(key) });
  return { key, apiKey };
}

/** Options of `rotateApiKey`. */
export interface RotateApiKeyOptions {
  /** How long the old key keeps working, ms (0: it stops now). Default 24 hours (`DEFAULT_ROTATION_GRACE_MS`). */
  readonly graceMs?: number;
  /** Lifetime of the new key; default: the old key's lifetime (`expiresAt - createdAt`), or none. */
  readonly ttlMs?: number | null;
  readonly prefix?: string;
  readonly now?: number;
}

/** The message of the `ConflictError` (`field` `"rotation"`) that `rotateApiKey` throws for a key rotated before. */
const ALREADY_ROTATED = "This API key has already been rotated.";

/**
 * Rotates a key: issues a new one with the same owner, name and scopes, and ends the old one's life after the
 * grace period (never later than it would have ended anyway), in one atomic store call. Answers `null` when the key
 * does not exist (or has already expired): nothing is issued then. A key is rotated once: rotating it again (or
 * concurrently) throws `ConflictError` with `field` `"rotation"`, and only one replacement ever exists.
 * @example
 * const rotated = await rotateApiKey(store, apiKey.id, { graceMs: 3_600_000 });
 * if (rotated) console.log(rotated.key); // shown once
 */
export async function rotateApiKey(
  store: Pick<ApiKeyStore, "findApiKey" | "rotateApiKey">,
  id: string,
  options: RotateApiKeyOptions = {},
): Promise<{ key: string; apiKey: ApiKeyRecord; previous: ApiKeyRecord } | null> {
  const graceMs = options.graceMs ?? DEFAULT_ROTATION_GRACE_MS;
  if (!(Number.isSafeInteger(graceMs) && graceMs >= 0)) throw new ConfigError("graceMs", "must be a non-negative integer");
  const now = options.now ?? Date.now();
  const old = await store.findApiKey(id);
  if (old === null || (old.expiresAt !== null && old.expiresAt <= now)) return null;
  const ttlMs = options.ttlMs !== undefined ? options.ttlMs : old.expiresAt === null ? null : Math.max(1, old.expiresAt - old.createdAt);
  const end = Math.min(old.expiresAt ?? Number.POSITIVE_INFINITY, now + graceMs);
  let replacement: StoredApiKey | undefined;
  const issued = await issueApiKey(
    { createApiKey: async (key) => void (replacement = key) },
    { ownerId: old.ownerId, name: old.name, scopes: old.scopes, ttlMs, now, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) },
  );
  const outcome = await store.rotateApiKey(id, replacement as StoredApiKey, end, now);
  if (outcome === "missing") return null;
  if (outcome === "conflict") throw new ConflictError("rotation", ALREADY_ROTATED);
  const { digest: _digest, ...record } = old;
  return { ...issued, previous: { ...record, expiresAt: end } };
}

/**
 * Revokes one key by its id (not the key); answers whether it existed. It stops working at once.
 * @example
 * await revokeApiKey(store, apiKey.id);
 */
export function revokeApiKey(store: Pick<ApiKeyStore, "deleteApiKey">, id: string): Promise<boolean> {
  return store.deleteApiKey(id);
}

/**
 * Lists an owner's keys, oldest first: ids, names, scopes and times, never keys or digests.
 * @example
 * for (const k of await listApiKeys(store, user.id)) console.log(k.id, k.scopes, k.lastUsedAt);
 */
export function listApiKeys(store: Pick<ApiKeyStore, "listApiKeys">, ownerId: string): Promise<ApiKeyRecord[]> {
  return store.listApiKeys(ownerId);
}
