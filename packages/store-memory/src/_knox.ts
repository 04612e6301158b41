/**
 * The knox capability of `memoryStore` (internal): knox's `knox_authtoken` rows by digest. Every method is
 * synchronous under the hood, so `maxPerUser` is atomic within the process. A token always belongs to an existing
 * user (knox's foreign key); a user's tokens are not removed with it (memory users are never deleted).
 * @module
 */
import { ConflictError, StoreError, type KnoxTokenRecord, type KnoxTokenStore } from "@portcullis/core";
import type { Users } from "./_users.js";

/** knox tokens held in a `Map`. */
export class KnoxTokens {
  readonly #byDigest = new Map<string, KnoxTokenRecord>();
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
        return true;
      },
      findKnoxTokens: async (tokenKey, now) => {
        const found = [];
        for (const token of this.#byDigest.values()) {
          const user = token.tokenKey === tokenKey ? this.#users.byId(token.userId) : null;
          if (!user) continue;
          const userHasExpired = this.#ofUser(user.id).some((t) => t.expiresAt !== null && t.expiresAt < now);
          found.push({ token: { ...token }, user, userHasExpired });
        }
        return found;
      },
      deleteExpiredKnoxTokens: async (userId, now) => this.#deleteWhere((t) => t.userId === userId && t.expiresAt !== null && t.expiresAt < now),
      renewKnoxToken: async (digest, expiresAt) => {
        const token = this.#byDigest.get(digest);
        if (token) this.#byDigest.set(digest, { ...token, expiresAt });
        return token !== undefined;
      },
      deleteKnoxToken: async (digest) => this.#byDigest.delete(digest),
      deleteUserKnoxTokens: async (userId) => this.#deleteWhere((t) => t.userId === userId),
    };
  }

  #ofUser(userId: string): KnoxTokenRecord[] {
    return [...this.#byDigest.values()].filter((token) => token.userId === userId);
  }

  #deleteWhere(matches: (token: KnoxTokenRecord) => boolean): number {
    let deleted = 0;
    for (const [digest, token] of [...this.#byDigest]) if (matches(token) && this.#byDigest.delete(digest)) deleted += 1;
    return deleted;
  }
}
