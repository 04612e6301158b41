/**
 * `tokenCache`: an opt-in, in-isolate cache of token checks with an explicit maximum staleness. A token seen
 * within `maxStalenessMs` is answered from memory (no store read); a revocation that goes through a store this
 * cache wraps (`logoutHandler`, `revokeToken`, `revokeAllTokens`, an expired token's removal) takes effect in this
 * isolate at once. Other isolates (other Workers instances, other locations) keep answering from their own cache
 * for at most `maxStalenessMs` after they last read the token: that is the whole trade-off, and it is bounded.
 * Only found tokens are cached; an unknown token is read again every time, so a new token works at once.
 * Entries belong to the store they were read from: one cache may wrap several stores (tenants) safely. Over a
 * store that is itself stale by a bound (`d1ReplicaStore`'s `maxReplicaLagMs`), the bounds add up.
 * @module
 */
import { ConfigError } from "../errors.js";
import { isThenable } from "../internal/awaitable.js";
import type { Awaitable, TokenRecord, TokenStore, User } from "../store/types.js";

/** Options of `tokenCache`. */
export interface TokenCacheOptions {
  /**
   * Required: how long (ms, 1 to 60,000) another isolate may keep accepting a token after it was revoked
   * elsewhere. There is no default, on purpose: choose the window you accept (e.g. 5,000).
   */
  readonly maxStalenessMs: number;
  /** At most this many tokens are kept (oldest out first). Default 10,000. */
  readonly maxEntries?: number;
  /** The clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The token methods the cache reads through and invalidates on. */
export type CacheableTokenStore = Pick<TokenStore, "findToken">;

/** An isolate-wide token cache; create one at module scope and wrap each token store with it. */
export interface TokenCache {
  /** The store with `findToken` answered from the cache, and `deleteToken` / `deleteUserTokens` invalidating it. */
  wrap<S extends CacheableTokenStore>(store: S): S;
  /** Forgets every cached token. */
  clear(): void;
  /** How many tokens are cached. */
  readonly size: number;
}

type Found = { token: TokenRecord; user: User };
interface Entry {
  readonly found: Found;
  /** When the read that filled it started. */
  readonly readAt: number;
}

export const MAX_STALENESS_MS = 60_000;

function checkOptions(options: TokenCacheOptions): { maxStalenessMs: number; maxEntries: number; now: () => number } {
  const { maxStalenessMs, maxEntries = 10_000, now = Date.now } = options ?? ({} as TokenCacheOptions);
  if (!Number.isSafeInteger(maxStalenessMs) || maxStalenessMs < 1 || maxStalenessMs > MAX_STALENESS_MS) {
    throw new ConfigError("maxStalenessMs", `is required: an integer from 1 to ${MAX_STALENESS_MS} (ms)`);
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new ConfigError("maxEntries", "must be a positive integer");
  if (typeof now !== "function") throw new ConfigError("now", "must be a function answering epoch ms");
  return { maxStalenessMs, maxEntries, now };
}

/** The entries and their invalidation, apart from the store wrapping. */
class Entries {
  readonly #byDigest = new Map<string, Entry>();
  /** Bumped by every invalidation: a read that started before one never fills the cache. */
  epoch = 0;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#byDigest.size;
  }

  get(digest: string): Entry | undefined {
    return this.#byDigest.get(digest);
  }

  set(digest: string, entry: Entry): void {
    this.#byDigest.delete(digest);
    if (this.#byDigest.size >= this.maxEntries) this.#byDigest.delete(this.#byDigest.keys().next().value as string);
    this.#byDigest.set(digest, entry);
  }

  forget(digest: string): void {
    this.#byDigest.delete(digest);
  }

  /** Drops the entries `matches` selects and bumps the epoch. */
  invalidate(matches: (found: Found) => boolean): void {
    this.epoch += 1;
    for (const [digest, entry] of this.#byDigest) if (matches(entry.found)) this.#byDigest.delete(digest);
  }

  clear(): void {
    this.epoch += 1;
    this.#byDigest.clear();
  }
}

/** Runs a revocation with the entries it concerns dropped before it starts and again once it is done. */
async function revoking<T>(entries: Entries, matches: (found: Found) => boolean, run: () => Promise<T>): Promise<T> {
  entries.invalidate(matches);
  try {
    return await run();
  } finally {
    entries.invalidate(matches);
  }
}

/**
 * An in-isolate token cache with a bounded staleness for other isolates (see the module notes and SECURITY.md).
 * @example
 * ```ts
 * const tokens = tokenCache({ maxStalenessMs: 5_000 }); // module scope: one per isolate
 * const store = tokens.wrap(d1Store(env.DB));           // use it for tokenAuth AND the logout endpoints
 * ```
 */
export function tokenCache(options: TokenCacheOptions): TokenCache {
  const { maxStalenessMs, maxEntries, now } = checkOptions(options);
  const entries = new Entries(maxEntries);

  // Entries are keyed by the store they were read from as well as the digest: one cache wrapping two tenants'
  // stores must never answer tenant B with a token read from tenant A.
  const storeIds = new WeakMap<object, number>();
  let nextStoreId = 1;
  const storeId = (store: object): number => {
    let id = storeIds.get(store);
    if (id === undefined) storeIds.set(store, (id = nextStoreId++));
    return id;
  };

  function findToken(store: CacheableTokenStore) {
    const namespace = `${storeId(store)}:`;
    // A hit answers directly (no promise: the token check then costs its caller's one); a miss awaits the store's.
    return (tokenDigest: string): Awaitable<Found | null> => {
      const digest = namespace + tokenDigest;
      const startedAt = now();
      const cached = entries.get(digest);
      const age = cached ? startedAt - cached.readAt : -1;
      if (cached && age >= 0 && age < maxStalenessMs) return cached.found;
      if (cached) entries.forget(digest);
      const epoch = entries.epoch;
      const found = store.findToken(tokenDigest);
      const remember = (answer: Found | null): Found | null => {
        if (answer === null || entries.epoch !== epoch) return answer;
        const frozen = Object.freeze({ token: Object.freeze({ ...answer.token }), user: Object.freeze({ ...answer.user }) });
        entries.set(digest, { found: frozen, readAt: startedAt });
        return frozen;
      };
      return isThenable(found) ? (async () => remember(await found))() : remember(found);
    };
  }

  function wrap<S extends CacheableTokenStore>(store: S): S {
    const target = store as S & Partial<Pick<TokenStore, "deleteToken" | "deleteUserTokens">>;
    const overrides: Partial<TokenStore> = {
      findToken: findToken(store),
      deleteToken: (tokenId) => revoking(entries, (f) => f.token.id === tokenId, () => (target.deleteToken as TokenStore["deleteToken"]).call(store, tokenId)),
      deleteUserTokens: (userId) =>
        revoking(entries, (f) => f.user.id === userId, () => (target.deleteUserTokens as TokenStore["deleteUserTokens"]).call(store, userId)),
    };
    return new Proxy(store, {
      get(object, property) {
        if (property === "findToken" || (property in overrides && typeof Reflect.get(object, property) === "function")) {
          return overrides[property as keyof TokenStore];
        }
        const value: unknown = Reflect.get(object, property);
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  }

  return {
    wrap,
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
