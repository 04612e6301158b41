/**
 * `issueKnoxToken`: knox's `AuthToken.objects.create(user, expiry, prefix)`, on any `KnoxTokenStore`.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { KnoxTokenRecord, KnoxTokenStore } from "../store/types.js";
import { knoxSettings, type KnoxSettings, type KnoxSettingsOptions } from "./settings.js";
import { createKnoxToken, knoxDigest, knoxTokenKey } from "./_token.js";

/** Options of `issueKnoxToken`. */
export interface IssueKnoxTokenOptions {
  /** knox's settings (`tokenTtlMs`, `tokenPrefix`, `authTokenCharacterLength`, `tokenLimitPerUser`). */
  readonly settings?: KnoxSettings | KnoxSettingsOptions;
  /** The clock, epoch ms. Default `Date.now()`. */
  readonly now?: number;
}

/**
 * Creates a knox token for `userId`: answers the token (shown once, never stored) and its row, or `null` when the
 * user holds `tokenLimitPerUser` unexpired tokens (checked atomically by the store).
 * @example
 * const issued = await issueKnoxToken(store, user.id, { settings });
 * if (issued) console.log(issued.token); // "a3f1…" (64 hex characters after the prefix)
 */
export async function issueKnoxToken(
  store: Pick<KnoxTokenStore, "createKnoxToken">,
  userId: string,
  options: IssueKnoxTokenOptions = {},
): Promise<{ token: string; record: KnoxTokenRecord } | null> {
  if (typeof store?.createKnoxToken !== "function") throw new ConfigError("store", "must be a store with the knox capability (KnoxTokenStore)");
  const settings = knoxSettings(options.settings);
  const now = options.now ?? Date.now();
  const token = createKnoxToken(settings.tokenPrefix, settings.authTokenCharacterLength);
  const expiresAt = settings.tokenTtlMs === null ? null : now + settings.tokenTtlMs;
  const record: KnoxTokenRecord = { digest: knoxDigest(token), tokenKey: knoxTokenKey(token), userId, createdAt: now, expiresAt };
  const limit = settings.tokenLimitPerUser;
  const created = await store.createKnoxToken(record, limit === null ? { now } : { now, maxPerUser: limit });
  return created ? { token, record } : null;
}
