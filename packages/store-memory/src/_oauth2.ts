/**
 * The OAuth2 access-token table of `memoryStore` (internal): what a resource server reads (`OAuth2TokenStore`),
 * plus `putOAuth2AccessToken` to seed it in tests and development. Rows are keyed by `token_checksum` and join
 * their user at read time, as DOT's `select_related("user")` does.
 * @module
 */
import type { OAuth2TokenStore, StoredOAuth2AccessToken } from "@portcullis/core";
import type { Users } from "./_users.js";

/** A row of the memory OAuth2 table: an access token with its user's id (`null` for client credentials). */
export interface MemoryOAuth2AccessToken extends Omit<StoredOAuth2AccessToken, "user"> {
  readonly userId: string | null;
}

/** What `memoryStore` adds for OAuth2 tokens. */
export interface MemoryOAuth2Store extends OAuth2TokenStore {
  /** Stores (or replaces) the token whose `token_checksum` (SHA-256 hex of the token) is `checksum`. */
  putOAuth2AccessToken(checksum: string, token: MemoryOAuth2AccessToken): Promise<void>;
  /** Deletes it (DOT's revocation); answers whether it existed. */
  deleteOAuth2AccessToken(checksum: string): Promise<boolean>;
}

/** The OAuth2 token capability held in a `Map`. */
export function oauth2Methods(users: Users): MemoryOAuth2Store {
  const rows = new Map<string, MemoryOAuth2AccessToken>();
  return {
    putOAuth2AccessToken: async (checksum, token) => {
      rows.set(checksum, { ...token });
    },
    deleteOAuth2AccessToken: async (checksum) => rows.delete(checksum),
    findOAuth2AccessToken: async (checksum) => {
      const row = rows.get(checksum);
      if (row === undefined) return null;
      const { userId, ...token } = row;
      if (userId === null) return { ...token, user: null };
      // A row whose user is gone is gone too (DOT's foreign key cascades).
      const user = users.byId(userId);
      return user === null ? null : { ...token, user };
    },
  };
}
