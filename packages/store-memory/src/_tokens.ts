/**
 * The token table of `memoryStore` (internal): tokens by id, with a unique digest index and a per-user index.
 * @module
 */
import { ConflictError, type CreateTokenOptions, type StoredToken, type TokenRecord } from "@portcullis/core";

/** The record of a token: a fresh object without the digest. */
export function recordOf({ id, userId, name, createdAt, expiresAt }: StoredToken): TokenRecord {
  return { id, userId, name, createdAt, expiresAt };
}

/** Whether a token has expired at `now` (`expiresAt <= now`). */
function isExpired(token: StoredToken, now: number): boolean {
  return token.expiresAt !== null && token.expiresAt <= now;
}

/** The token table. Every method is synchronous, so each is atomic within the process. */
export class Tokens {
  readonly #byId = new Map<string, StoredToken>();
  /** The same rows by digest: a token check is one lookup. */
  readonly #byDigest = new Map<string, StoredToken>();
  /** Token ids per user, in insertion order. */
  readonly #idsByUser = new Map<string, Set<string>>();

  /** Stores a token unless the user holds `maxPerUser` unexpired tokens (answers `false` then). */
  create(token: StoredToken, { maxPerUser, now }: CreateTokenOptions): boolean {
    if (maxPerUser !== undefined && this.#liveCount(token.userId, now) >= maxPerUser) return false;
    if (this.#byId.has(token.id)) throw new ConflictError("id");
    if (this.#byDigest.has(token.digest)) throw new ConflictError("digest");
    const row: StoredToken = { ...recordOf(token), digest: token.digest };
    this.#byId.set(row.id, row);
    this.#byDigest.set(row.digest, row);
    const ids = this.#idsByUser.get(token.userId) ?? new Set<string>();
    this.#idsByUser.set(token.userId, ids.add(token.id));
    return true;
  }

  byDigest(digest: string): StoredToken | null {
    return this.#byDigest.get(digest) ?? null;
  }

  /** A user's tokens, oldest first (ties in insertion order). */
  list(userId: string): TokenRecord[] {
    return this.#ofUser(userId)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(recordOf);
  }

  delete(id: string): boolean {
    const token = this.#byId.get(id);
    if (!token) return false;
    this.#byId.delete(id);
    this.#byDigest.delete(token.digest);
    const ids = this.#idsByUser.get(token.userId);
    ids?.delete(id);
    if (ids?.size === 0) this.#idsByUser.delete(token.userId);
    return true;
  }

  deleteOfUser(userId: string): number {
    return this.#deleteAll(this.#ofUser(userId));
  }

  deleteExpired(now: number): number {
    return this.#deleteAll([...this.#byId.values()].filter((token) => isExpired(token, now)));
  }

  #deleteAll(tokens: readonly StoredToken[]): number {
    let deleted = 0;
    for (const token of tokens) if (this.delete(token.id)) deleted += 1;
    return deleted;
  }

  #ofUser(userId: string): StoredToken[] {
    const ids = [...(this.#idsByUser.get(userId) ?? [])];
    return ids.map((id) => this.#byId.get(id)).filter((token) => token !== undefined);
  }

  #liveCount(userId: string, now: number): number {
    return this.#ofUser(userId).filter((token) => !isExpired(token, now)).length;
  }
}
