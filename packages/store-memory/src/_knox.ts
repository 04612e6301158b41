/**
 * The knox capability of `memoryStore` (internal): knox's `knox_authtoken` rows by digest, indexed by `token_key`
 * and by user. Every method is synchronous under the hood, so `maxPerUser` is atomic within the process. A token
 * always belongs to an existing user (knox's foreign key).
 * @module
 */
import { ConflictError, StoreError, type FoundKnoxToken, type KnoxTokenRecord, type KnoxTokenStore } from "@portcullis/core";
import type { Users } from "./_users.js";

function addTo(index: Map<string, Set<string>>, key: string, digest: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(digest);
}

function removeFrom(index: Map<string, Set<string>>, key: string, digest: string): void {
  const set = index.get(key);
  if (set?.delete(digest) && set.size === 0) index.delete(key);
}

/** knox tokens held in a `Map`. */
export class KnoxTokens {
  readonly #byDigest = new Map<string, KnoxTokenRecord>();
  readonly #byKey = new Map<string, Set<string>>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #users: Users;

  constructor(users: Users) {
    this.#users = users;
  }

  methods(): KnoxTokenStore {
    return {
      createKnoxToken: async (token, { maxPerUser, now }) => {
        if (!this.#users.has(token.userId)) throw new StoreError("createKnoxToken: the token's user does not exist");
        if (this.#byDigest.has(token.digest)) throw new ConflictError("digest");
        if (maxPerUser !== undefined && this.#ofUser(token.userId).filter((t) => t.expiresAt !== null && t.expiresAt > now).length >= maxPerUser) {
          return false;
        }
        this.#byDigest.set(token.digest, { ...token });
        addTo(this.#byKey, token.tokenKey, token.digest);
        addTo(this.#byUser, token.userId, token.digest);
        return true;
      },
      findKnoxTokens: async (tokenKey, now) => {
        const found: FoundKnoxToken[] = [];
        for (const digest of this.#byKey.get(tokenKey) ?? []) {
          const token = this.#byDigest.get(digest);
          const user = token && this.#users.byId(token.userId);
          if (!token || !user) continue;
          const userHasExpired = this.#ofUser(user.id).some((t) => t.expiresAt !== null && t.expiresAt < now);
          found.push({ token: { ...token }, user, userHasExpired });
        }
        return found;
      },
      deleteExpiredKnoxTokens: async (userId, now) => this.#deleteWhere(this.#ofUser(userId).filter((t) => t.expiresAt !== null && t.expiresAt < now)),
      renewKnoxToken: async (digest, expiresAt) => {
        const token = this.#byDigest.get(digest);
        if (token) this.#byDigest.set(digest, { ...token, expiresAt });
        return token !== undefined;
      },
      deleteKnoxToken: async (digest) => {
        const token = this.#byDigest.get(digest);
        return token !== undefined && this.#deleteWhere([token]) === 1;
      },
      deleteUserKnoxTokens: async (userId) => this.#deleteWhere(this.#ofUser(userId)),
    };
  }

  #ofUser(userId: string): KnoxTokenRecord[] {
    const tokens: KnoxTokenRecord[] = [];
    for (const digest of this.#byUser.get(userId) ?? []) {
      const token = this.#byDigest.get(digest);
      if (token) tokens.push(token);
    }
    return tokens;
  }

  #deleteWhere(tokens: readonly KnoxTokenRecord[]): number {
    for (const token of tokens) {
      this.#byDigest.delete(token.digest);
      removeFrom(this.#byKey, token.tokenKey, token.digest);
      removeFrom(this.#byUser, token.userId, token.digest);
    }
    return tokens.length;
  }
}
