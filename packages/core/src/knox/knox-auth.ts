/**
 * `knoxAuth`: django-rest-knox 5's `TokenAuthentication`, live on knox's `knox_authtoken` rows (through a
 * `KnoxTokenStore`): the `token_key` prefix lookup, SHA-512 digests compared in constant time, expired tokens
 * deleted on use, `AUTO_REFRESH` with `AUTO_REFRESH_MAX_TTL` and `MIN_REFRESH_INTERVAL`, knox's messages and the
 * `Token` challenge.
 * @module
 */
import { ConfigError } from "../errors.js";
import { asciiLower } from "../internal/header.js";
import type { Scheme } from "../schemes/types.js";
import type { KnoxTokenRecord, User } from "../store/types.js";
import { checkKnox, type KnoxCheckStore } from "./_check.js";
import { knoxSettings, type KnoxSettings, type KnoxSettingsOptions } from "./settings.js";

/** What a knox-authenticated request carries as `auth`: knox's row without its digest. */
export type KnoxAuthRecord = Omit<KnoxTokenRecord, "digest">;

/** Options of `knoxAuth`. */
export interface KnoxAuthOptions {
  /** Where knox tokens and their users live (`memoryStore`, `d1Store`, `postgresStore`, Django mode included). */
  readonly store: KnoxCheckStore;
  /** knox's settings (`knoxSettings(...)` or its options); share one value with the knox endpoints. */
  readonly settings?: KnoxSettings | KnoxSettingsOptions;
  /** Reported as `scheme` when this scheme authenticates. Default `"knox"`. */
  readonly name?: string;
}

/** Checks the store option of the knox factories. */
export function knoxStoreOf<S extends object>(store: S | undefined, methods: readonly (keyof S)[]): S {
  if (store === null || typeof store !== "object" || !methods.every((method) => typeof store[method] === "function")) {
    throw new ConfigError("store", "must be a store with the knox capability (KnoxTokenStore)");
  }
  return store;
}

/**
 * knox token authentication. `auth` is the token's row without its digest (`tokenKey`, `userId`, `createdAt`,
 * `expiresAt`, the refreshed expiry when `autoRefresh` moved it).
 * @example
 * const settings = knoxSettings({ autoRefresh: true });
 * const protect = guard({ schemes: [knoxAuth({ store, settings })] });
 */
export function knoxAuth(options: KnoxAuthOptions): Scheme<User, KnoxAuthRecord> {
  const store = knoxStoreOf(options?.store, ["findKnoxTokens", "deleteExpiredKnoxTokens", "renewKnoxToken"]);
  const settings = knoxSettings(options.settings);
  const lowerKeyword = asciiLower(settings.authHeaderPrefix);
  return {
    name: options.name ?? "knox",
    async authenticate(request, ctx) {
      const result = await checkKnox(request, ctx, store, settings, lowerKeyword);
      if (result.type !== "success") return result;
      const { digest: _digest, ...auth } = result.auth;
      return { type: "success", user: result.user, auth };
    },
    challenge: () => settings.authHeaderPrefix,
  };
}
