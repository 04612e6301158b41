/**
 * knox's `TokenAuthentication.authenticate` (internal), shared by `knoxAuth` and the logout endpoints: header
 * parsing, the `token_key` lookup, `_cleanup_token`, the constant-time digest compare, `renew_token` and
 * `validate_user`, in knox's order.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { emit } from "../events.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import { authorizationFor, decodeUtf8, latin1Bytes } from "../internal/header.js";
import type { SchemeResult } from "../schemes/types.js";
import { SKIP, failure } from "../schemes/types.js";
import type { FoundKnoxToken, KnoxTokenRecord, KnoxTokenStore, User } from "../store/types.js";
import type { KnoxSettings } from "./settings.js";
import { knoxDigest, knoxTokenKey } from "./_token.js";

/** knox's messages (DRF's, as knox raises them). */
export const knoxMessages = {
  noCredentials: "Invalid token header. No credentials provided.",
  spaces: "Invalid token header. Token string should not contain spaces.",
  invalidToken: "Invalid token.",
  inactive: "User inactive or deleted.",
  tokenLimit: "Maximum amount of tokens allowed per user exceeded.",
} as const;

/** The store methods a knox check uses. */
export type KnoxCheckStore = Pick<KnoxTokenStore, "findKnoxTokens" | "deleteExpiredKnoxTokens" | "renewKnoxToken">;

const NON_ASCII = /[\u0080-\uffff]/;
// No stored token_key holds a control character (knox makes hex after a printable prefix); PostgreSQL text cannot
// even hold NUL. Such a token is answered `Invalid token.` without a store call.
const CONTROL = /[\x00-\x1f\x7f]/;

/** The token of the header, or a failure/skip result. */
function tokenOf(request: Request, lowerKeyword: string): string | SchemeResult<never, never> {
  const parts = authorizationFor(request, lowerKeyword);
  if (parts === null) return SKIP;
  if (parts.length === 1) return failure(knoxMessages.noCredentials);
  if (parts.length > 2) return failure(knoxMessages.spaces);
  const raw = parts[1] as string;
  // knox decodes the header as UTF-8 (invalid UTF-8 is a 500 there; here `Invalid token.`).
  const token = NON_ASCII.test(raw) ? decodeUtf8(latin1Bytes(raw)) : raw;
  return token === null || CONTROL.test(token) ? failure(knoxMessages.invalidToken) : token;
}

/** knox's `renew_token`: the new expiry, written only when it moves by more than `minRefreshIntervalMs`. */
async function renew(store: KnoxCheckStore, token: KnoxTokenRecord, settings: KnoxSettings, now: number): Promise<KnoxTokenRecord> {
  const current = token.expiresAt as number;
  let next = now + (settings.tokenTtlMs as number);
  if (settings.autoRefreshMaxTtlMs !== null) next = Math.min(next, token.createdAt + settings.autoRefreshMaxTtlMs);
  if (next - current > settings.minRefreshIntervalMs) await store.renewKnoxToken(token.digest, next);
  return { ...token, expiresAt: next };
}

/** knox's `_cleanup_token`: the user's expired tokens go (once per user per request); `true` if this one did. */
async function cleanup(store: KnoxCheckStore, found: FoundKnoxToken, now: number, cleaned: Set<string>, ctx: AuthContext): Promise<boolean> {
  const { token, user } = found;
  if (found.userHasExpired && !cleaned.has(user.id)) {
    cleaned.add(user.id);
    await store.deleteExpiredKnoxTokens(user.id, now);
  }
  if (token.expiresAt === null || token.expiresAt >= now) return false;
  emit(ctx, { type: "token.expired", userId: user.id, tokenId: token.tokenKey });
  return true;
}

/**
 * Authenticates a knox `Authorization` header. `auth` is the full row (digest included: the logout endpoints
 * delete by it); `knoxAuth` hands the app the row without its digest.
 */
export async function checkKnox(
  request: Request,
  ctx: AuthContext,
  store: KnoxCheckStore,
  settings: KnoxSettings,
  lowerKeyword: string,
): Promise<SchemeResult<User, KnoxTokenRecord>> {
  const token = tokenOf(request, lowerKeyword);
  if (typeof token !== "string") return token;
  const now = nowOf(ctx);
  const candidates = await store.findKnoxTokens(knoxTokenKey(token), now);
  const cleaned = new Set<string>();
  let digest: string | null = null;
  for (const found of candidates) {
    if (await cleanup(store, found, now, cleaned, ctx)) continue;
    digest ??= knoxDigest(token);
    if (!timingSafeEqualString(digest, found.token.digest)) continue;
    let record = found.token;
    if (settings.autoRefresh && record.expiresAt !== null) record = await renew(store, record, settings, now);
    // Exactly `true`: a raw `0`, `"0"` or `"false"` from a store row is inactive (fail closed).
    if (found.user.isActive !== true) return failure(knoxMessages.inactive);
    return { type: "success", user: found.user, auth: record };
  }
  return failure(knoxMessages.invalidToken);
}
