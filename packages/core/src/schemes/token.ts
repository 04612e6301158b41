/**
 * `tokenAuth`: DRF's `TokenAuthentication` (`Authorization: Token <key>`), or Bearer tokens with
 * `keyword: "Bearer"`. Keys are looked up by their SHA-256 digest in one store call that joins the user.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { emit } from "../events.js";
import { NO_CREDENTIALS, TOO_MANY_PARTS, asciiLower, credentialFor, decodeUtf8, latin1Bytes } from "../internal/header.js";
import { isThenable } from "../internal/awaitable.js";
import type { Awaitable, TokenRecord, TokenStore, User } from "../store/types.js";
import { tokenDigest } from "../tokens/tokens.js";
import type { Scheme, SchemeResult } from "./types.js";
import { SKIP, failure } from "./types.js";

/** Options of `tokenAuth`. */
export interface TokenAuthOptions {
  /** Where tokens and users live. Only `findToken` (and `deleteToken` for expired tokens) is used. */
  readonly store: Pick<TokenStore, "findToken" | "deleteToken">;
  /** The header keyword, matched case-insensitively. Default `"Token"` (DRF); `"Bearer"` for RFC 6750. */
  readonly keyword?: string;
  /** Reported as `scheme` when this scheme authenticates. Default: the keyword in lower case. */
  readonly name?: string;
}

export const tokenMessages = {
  noCredentials: "Invalid token header. No credentials provided.",
  spaces: "Invalid token header. Token string should not contain spaces.",
  invalidCharacters: "Invalid token header. Token string should not contain invalid characters.",
  invalidToken: "Invalid token.",
  inactive: "User inactive or deleted.",
} as const;

type Found = { readonly token: TokenRecord; readonly user: User };

const KEYWORD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Token authentication. `auth` is the token record (id, userId, name, createdAt, expiresAt), never the key.
 * @example
 * const schemes = [tokenAuth({ store }), tokenAuth({ store, keyword: "Bearer" })];
 */
export function tokenAuth(options: TokenAuthOptions): Scheme<User, TokenRecord> {
  const { store, keyword = "Token" } = options ?? {};
  if (typeof store?.findToken !== "function") throw new ConfigError("store", "must be a Portcullis store");
  if (typeof keyword !== "string" || !KEYWORD.test(keyword)) throw new ConfigError("keyword", "must be an HTTP token such as \"Token\"");
  const lowerKeyword = asciiLower(keyword);
  const name = options.name ?? lowerKeyword;

  // A plain function: with a store that answers directly (the memory store, a cache hit) the whole check runs
  // without a promise of its own; a store's promise is awaited once. Throwing and rejecting stay the same failure.
  function authenticate(request: Request, ctx: AuthContext): Awaitable<SchemeResult<User, TokenRecord>> {
    const raw = credentialFor(request, lowerKeyword);
    if (raw === null) return SKIP;
    if (raw === NO_CREDENTIALS) return failure(tokenMessages.noCredentials);
    if (raw === TOO_MANY_PARTS) return failure(tokenMessages.spaces);
    const key = isAscii(raw) ? raw : decodeUtf8(latin1Bytes(raw));
    if (key === null) return failure(tokenMessages.invalidCharacters);
    const found = store.findToken(tokenDigest(key));
    return isThenable(found) ? verdictLater(found, ctx) : verdict(found, ctx);
  }

  // One `then`, not an async function: a request waiting on its store holds no suspended frame of this scheme.
  // `Promise.resolve` takes any thenable, as `await` did; a native promise passes through as it is.
  function verdictLater(pending: PromiseLike<Found | null>, ctx: AuthContext): Promise<SchemeResult<User, TokenRecord>> {
    return Promise.resolve(pending).then((found) => verdict(found, ctx));
  }

  function verdict(found: Found | null, ctx: AuthContext): SchemeResult<User, TokenRecord> {
    if (found === null) return failure(tokenMessages.invalidToken);
    const { token, user } = found;
    if (token.expiresAt !== null && token.expiresAt <= nowOf(ctx)) {
      emit(ctx, { type: "token.expired", userId: user.id, tokenId: token.id });
      ctx.waitUntil?.(store.deleteToken(token.id).catch(() => false));
      return failure(tokenMessages.invalidToken);
    }
    // Exactly `true`: a raw `0`, `"0"` or `"false"` from a store row is inactive (fail closed).
    if (user.isActive !== true) return failure(tokenMessages.inactive);
    return { type: "success", user, auth: token };
  }

  return { name, authenticate, challenge: () => keyword };
}

const NON_ASCII = /[\u0080-\uffff]/;

function isAscii(value: string): boolean {
  return !NON_ASCII.test(value);
}
