/**
 * knox's views as handlers: `knoxLoginHandler` (`LoginView`), `knoxLogoutHandler` (`LogoutView`) and
 * `knoxLogoutAllHandler` (`LogoutAllView`), with knox's bodies and statuses. As in DRF, authentication and
 * permissions run before the method is looked at (an anonymous `GET` is 401, an authenticated one 405).
 * @module
 */
import { authenticate } from "../authenticate.js";
import { messages, unauthenticated } from "../auth-error.js";
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { emit, type EventHook } from "../events.js";
import { guardedHandler } from "../endpoints/http.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { isoDateTime } from "../accounts/_rest-auth-body.js";
import { NO_STORE_HEADERS, jsonResponse, toResponse } from "../response.js";
import type { AnyScheme, Scheme } from "../schemes/types.js";
import type { KnoxTokenRecord, KnoxTokenStore, User } from "../store/types.js";
import { checkKnox, knoxMessages } from "./_check.js";
import { knoxStoreOf } from "./knox-auth.js";
import { knoxSettings, type KnoxSettings, type KnoxSettingsOptions } from "./settings.js";
import { issueKnoxToken } from "./tokens.js";
import { asciiLower } from "../internal/header.js";

/** Options of the knox logout handlers. */
export interface KnoxLogoutOptions {
  readonly store: KnoxTokenStore;
  /** knox's settings; share one `knoxSettings(...)` value with `knoxAuth`. */
  readonly settings?: KnoxSettings | KnoxSettingsOptions;
  /** Receives `token.revoked`, `token.expired` and `store.failed` events. */
  readonly onEvent?: EventHook;
}

/** Options of `knoxLoginHandler`. */
export interface KnoxLoginOptions extends KnoxLogoutOptions {
  /** How the login authenticates (knox: `DEFAULT_AUTHENTICATION_CLASSES`), e.g. `[basicAuth({ users: store })]`. */
  readonly schemes: readonly Scheme<User, unknown>[];
}

const ALLOW = "POST, OPTIONS";
const notAllowed = (method: string) => jsonResponse({ detail: `Method "${method}" not allowed.` }, 405, { Allow: ALLOW });

/** Authenticates with `schemes` and requires a user (`IsAuthenticated`); a response when that fails. */
async function authenticated(request: Request, schemes: readonly AnyScheme[], ctx: AuthContext): Promise<{ user: User; auth: unknown } | Response> {
  const result = await authenticate(request, schemes, ctx);
  if (result.status === "failed") return toResponse(result.error);
  if (result.status === "anonymous") {
    return toResponse(unauthenticated("not_authenticated", messages.notAuthenticated, schemes[0]?.challenge?.(request)));
  }
  return { user: result.user as User, auth: result.auth };
}

/**
 * knox's `LoginView`: a user authenticated by `schemes` gets a new token, `200 {"expiry", "token", "user"?}`
 * (`user` only with `userSerializer`); 403 `{"error": "Maximum amount of tokens allowed per user exceeded."}` at
 * `tokenLimitPerUser` (counted atomically).
 * @example
 * app.post("/api/auth/login/", (c) => knoxLoginHandler({ store, settings, schemes: [basicAuth({ users: store })] })(c.req.raw));
 */
export function knoxLoginHandler(options: KnoxLoginOptions): Handler {
  const store = knoxStoreOf(options?.store, ["createKnoxToken"]);
  const settings = knoxSettings(options.settings);
  const schemes = options.schemes;
  if (!Array.isArray(schemes) || schemes.length === 0) throw new ConfigError("schemes", "must list the schemes the login accepts");
  return guardedHandler(async (request, ctx) => {
    const who = await authenticated(request, schemes, ctx);
    if (who instanceof Response) return who;
    if (request.method !== "POST") return notAllowed(request.method);
    const issued = await issueKnoxToken(store, who.user.id, { settings, now: nowOf(ctx) });
    if (issued === null) return jsonResponse({ error: knoxMessages.tokenLimit }, 403);
    const { token, record } = issued;
    const expiresAt = record.expiresAt;
    emit(ctx, { type: "token.issued", userId: who.user.id, tokenId: record.tokenKey, expiresAt });
    const body: Record<string, unknown> = { expiry: expiresAt === null ? null : isoDateTime(expiresAt), token };
    if (settings.userSerializer !== null) body.user = settings.userSerializer(who.user);
    return jsonResponse(body, 200);
  }, options.onEvent);
}

type Revoke = (store: KnoxTokenStore, token: KnoxTokenRecord) => Promise<{ tokenId?: string; count?: number }>;

function logout(options: KnoxLogoutOptions, revoke: Revoke): Handler {
  const store = knoxStoreOf(options?.store, ["findKnoxTokens", "deleteKnoxToken", "deleteUserKnoxTokens"]);
  const settings = knoxSettings(options.settings);
  const lowerKeyword = asciiLower(settings.authHeaderPrefix);
  const challenge = settings.authHeaderPrefix;
  return guardedHandler(async (request, ctx) => {
    const result = await checkKnox(request, ctx, store, settings, lowerKeyword);
    if (result.type === "skip") return toResponse(unauthenticated("not_authenticated", messages.notAuthenticated, challenge));
    if (result.type === "failure") return toResponse(unauthenticated("authentication_failed", result.detail, challenge));
    if (request.method !== "POST") return notAllowed(request.method);
    const revoked = await revoke(store, result.auth);
    emit(ctx, { type: "token.revoked", userId: result.user.id, ...revoked });
    return new Response(null, { status: 204, headers: NO_STORE_HEADERS });
  }, options.onEvent);
}

/**
 * knox's `LogoutView`: `POST` with a knox token deletes that token; 204.
 * @example
 * app.post("/api/auth/logout/", (c) => knoxLogoutHandler({ store, settings })(c.req.raw));
 */
export function knoxLogoutHandler(options: KnoxLogoutOptions): Handler {
  return logout(options, async (store, token) => (await store.deleteKnoxToken(token.digest), { tokenId: token.tokenKey }));
}

/**
 * knox's `LogoutAllView`: `POST` with a knox token deletes every token of its user; 204.
 * @example
 * app.post("/api/auth/logoutall/", (c) => knoxLogoutAllHandler({ store, settings })(c.req.raw));
 */
export function knoxLogoutAllHandler(options: KnoxLogoutOptions): Handler {
  return logout(options, async (store, token) => ({ count: await store.deleteUserKnoxTokens(token.userId) }));
}
