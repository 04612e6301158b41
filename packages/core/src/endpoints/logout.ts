/**
 * `logoutHandler` and `logoutAllHandler` (knox's logout views): revoke the token that authenticated the request,
 * or every token of its user.
 * @module
 */
import { authenticate } from "../authenticate.js";
import { messages, unauthenticated } from "../auth-error.js";
import { ConfigError } from "../errors.js";
import { emit, type EventHook } from "../events.js";
import { toResponse } from "../response.js";
import { tokenAuth } from "../schemes/token.js";
import type { TokenStore } from "../store/types.js";
import type { Handler } from "./obtain-token.js";
import { guardedHandler, methodNotAllowed } from "./http.js";

/** Options of the logout handlers. */
export interface LogoutOptions {
  readonly store: TokenStore;
  /** The keyword of the `Authorization` header. Default `"Token"`. */
  readonly keyword?: string;
  /** Receives `token.revoked`, `authentication.failed` and `store.failed` events (see `AuthEvent`). */
  readonly onEvent?: EventHook;
}

type Revoke = (store: TokenStore, tokenId: string, userId: string) => Promise<{ tokenId?: string; count?: number }>;

function logout(options: LogoutOptions, revoke: Revoke): Handler {
  const { store, keyword = "Token" } = options ?? ({} as LogoutOptions);
  if (typeof store?.deleteToken !== "function") throw new ConfigError("store", "must be a Portcullis store");
  const schemes = [tokenAuth({ store, keyword })];
  return guardedHandler(async (request, ctx) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const result = await authenticate(request, schemes, ctx);
    if (result.status === "failed") return toResponse(result.error);
    if (result.status === "anonymous") {
      return toResponse(unauthenticated("not_authenticated", messages.notAuthenticated, keyword));
    }
    const revoked = await revoke(store, result.auth.id, result.user.id);
    emit(ctx, { type: "token.revoked", userId: result.user.id, ...revoked });
    return new Response(null, { status: 204 });
  }, options.onEvent);
}

/**
 * `POST` with `Authorization: Token <key>`: revokes that token; 204. 401 with the `Token` challenge when the token
 * is missing or invalid.
 * @example
 * app.post("/auth/logout/", (c) => logoutHandler({ store })(c.req.raw));
 */
export function logoutHandler(options: LogoutOptions): Handler {
  return logout(options, async (store, tokenId) => (await store.deleteToken(tokenId), { tokenId }));
}

/**
 * `POST` with `Authorization: Token <key>`: revokes every token of that user; 204.
 * @example
 * app.post("/auth/logoutall/", (c) => logoutAllHandler({ store })(c.req.raw));
 */
export function logoutAllHandler(options: LogoutOptions): Handler {
  return logout(options, async (store, _tokenId, userId) => ({ count: await store.deleteUserTokens(userId) }));
}
