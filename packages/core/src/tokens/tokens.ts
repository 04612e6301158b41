/**
 * The token lifecycle: issue, list, revoke. Keys are 40 lowercase hex characters (160 bits from
 * `crypto.getRandomValues`, DRF's format) with an optional prefix; only their SHA-256 digest is stored.
 * @module
 */
import { ConfigError, PortcullisError } from "../errors.js";
import { randomHex } from "../internal/random.js";
import { sha256Hex } from "../internal/sha256.js";
import type { TokenRecord, TokenStore } from "../store/types.js";

/** Options of `issueToken`. */
export interface IssueTokenOptions {
  /** Lifetime in milliseconds; omitted or `null` for a token that never expires. */
  readonly ttlMs?: number | null;
  /**
   * A label shown by `listTokens` (e.g. the device): 1–100 characters, none of them a control character, a bidi
   * or other invisible format character (zero-width joiners aside), a line separator or a lone surrogate. Names
   * often come from clients (a device name), and are printed by admin tools; anything else is a `ConfigError`
   * naming `name`, and nothing is stored.
   */
  readonly name?: string | null;
  /** Prepended to the key (e.g. `"pc_"`), 1–32 characters of `[A-Za-z0-9_-]`; none by default. */
  readonly prefix?: string;
  /** Refuse with `TokenLimitError` when the user already holds this many unexpired tokens. */
  readonly maxTokensPerUser?: number;
  /** The clock, epoch ms. Defaults to `Date.now()`. */
  readonly now?: number;
}

/** Thrown by `issueToken` when `maxTokensPerUser` is reached. */
export class TokenLimitError extends PortcullisError {
  override name = "TokenLimitError";
  constructor() {
    super("Maximum amount of tokens allowed per user exceeded.");
  }
}

const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

/** The longest token name, in characters (code points). */
export const MAX_TOKEN_NAME_LENGTH = 100;

/** Characters a name may not hold: controls, format characters but ZWNJ/ZWJ (bidi overrides among them), U+2028/9, lone surrogates. */
const UNSAFE_NAME_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}\uD800-\uDFFF]|(?![\u200C\u200D])\p{Cf}/u;

/** Throws `ConfigError` (`name`) unless `name` is null or a safe label (see `IssueTokenOptions.name`). */
export function checkName(name: unknown): void {
  if (name === null) return;
  if (typeof name !== "string" || name === "" || [...name].length > MAX_TOKEN_NAME_LENGTH) {
    throw new ConfigError("name", `must be null or a string of 1-${MAX_TOKEN_NAME_LENGTH} characters`);
  }
  if (UNSAFE_NAME_CHARACTER.test(name)) {
    throw new ConfigError("name", "must not contain control, bidi or other invisible format characters");
  }
}

/** The digest under which a key is stored and looked up (SHA-256, lowercase hex). */
export function tokenDigest(key: string): string {
  return sha256Hex(key);
}

/** The last instant a JavaScript `Date` can hold (epoch ms): +275760-09-13. */
export const MAX_DATE_MS = 8.64e15;

const TTL_PAST_DATE_RANGE = "puts the expiry past the end of JavaScript's Date range (year 275760)";

/**
 * Whether an expiry (epoch ms) fits a JavaScript `Date`; a token lifetime that does not is refused when configured.
 * @example
 * isWithinDateRange(Date.now() + 30 * 86_400_000); // true
 */
export function isWithinDateRange(epochMs: number): boolean {
  return Number.isFinite(epochMs) && Math.abs(epochMs) <= MAX_DATE_MS;
}

/**
 * Issues a token for a user. The key is returned here once and never stored.
 * @example
 * const { key, token } = await issueToken(store, user.id, { ttlMs: 30 * 86_400_000, name: "laptop" });
 * // send `key` to the client: Authorization: Token <key>
 */
export async function issueToken(
  store: Pick<TokenStore, "createToken">,
  userId: string,
  options: IssueTokenOptions = {},
): Promise<{ key: string; token: TokenRecord }> {
  const { ttlMs = null, name = null, prefix = "", maxTokensPerUser } = options;
  if (ttlMs !== null && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
    throw new ConfigError("ttlMs", "must be a positive integer number of milliseconds or null");
  }
  checkName(name);
  if (prefix !== "" && !PREFIX.test(prefix)) throw new ConfigError("prefix", "must be 1-32 characters of [A-Za-z0-9_-]");
  if (maxTokensPerUser !== undefined && !(Number.isSafeInteger(maxTokensPerUser) && maxTokensPerUser > 0)) {
    throw new ConfigError("maxTokensPerUser", "must be a positive integer");
  }
  const now = options.now ?? Date.now();
  if (ttlMs !== null && !isWithinDateRange(now + ttlMs)) throw new ConfigError("ttlMs", TTL_PAST_DATE_RANGE);
  const key = prefix + randomHex(20);
  const token: TokenRecord = {
    id: randomHex(12),
    userId,
    name,
    createdAt: now,
    expiresAt: ttlMs === null ? null : now + ttlMs,
  };
  const stored = await store.createToken(
    { ...token, digest: tokenDigest(key) },
    maxTokensPerUser === undefined ? { now } : { now, maxPerUser: maxTokensPerUser },
  );
  if (!stored) throw new TokenLimitError();
  return { key, token };
}

/**
 * Revokes one token by its id (not its key); answers whether it existed.
 * @example
 * await revokeToken(store, token.id);
 */
export function revokeToken(store: Pick<TokenStore, "deleteToken">, tokenId: string): Promise<boolean> {
  return store.deleteToken(tokenId);
}

/**
 * Revokes every token of a user; answers how many.
 * @example
 * await revokeAllTokens(store, user.id);
 */
export function revokeAllTokens(store: Pick<TokenStore, "deleteUserTokens">, userId: string): Promise<number> {
  return store.deleteUserTokens(userId);
}

/**
 * Lists a user's tokens, oldest first: ids, names and times, never keys or digests.
 * @example
 * for (const t of await listTokens(store, user.id)) console.log(t.id, t.name, t.expiresAt);
 */
export function listTokens(store: Pick<TokenStore, "listTokens">, userId: string): Promise<TokenRecord[]> {
  return store.listTokens(userId);
}
