/**
 * simplejwt's `TokenVerifyView` (`{"token"}` → `{}`) and `TokenBlacklistView` (`{"refresh"}` → `{}`, logout).
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { emit, type EventHook } from "../events.js";
import { guardedHandler, methodNotAllowed } from "../endpoints/http.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { jsonResponse } from "../response.js";
import type { JwtBlacklistStore } from "../store/types.js";
import { invalidToken, outstandingOf, readFields, verifiedOr401 } from "./_endpoint.js";
import { jwtMessages } from "./claims.js";
import type { JwtSettings } from "./settings.js";
import { settingsOf } from "./settings.js";

/** Options of `verifyJwtHandler`. */
export interface VerifyJwtOptions {
  readonly jwt: JwtSettings;
  /** When given, a blacklisted token answers 400 `Token is blacklisted` (simplejwt: only with `BLACKLIST_AFTER_ROTATION`). */
  readonly blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted">;
  /** Receives `store.failed` when the blacklist cannot be read (answered 503). */
  readonly onEvent?: EventHook;
}

/**
 * The verify endpoint: any valid token of any type (simplejwt's `UntypedToken`) answers 200 `{}`.
 * @example
 * app.post("/api/token/verify/", (c) => verifyJwtHandler({ jwt })(c.req.raw));
 */
export function verifyJwtHandler(options: VerifyJwtOptions): Handler {
  const settings: JwtSettings = settingsOf(options?.jwt);
  const { blacklist } = options;
  if (blacklist !== undefined && typeof blacklist.isJwtBlacklisted !== "function") throw new ConfigError("blacklist", "must be a JWT blacklist store");
  return guardedHandler(async (request: Request, ctx: AuthContext) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const fields = await readFields(request, ["token"]);
    if (fields instanceof Response) return fields;
    const payload = await verifiedOr401(settings, fields.token as string, null, ctx);
    if (payload instanceof Response) return payload;
    const jti = payload[settings.jtiClaim];
    if (blacklist !== undefined && (await blacklist.isJwtBlacklisted(String(jti)))) {
      return jsonResponse({ non_field_errors: [jwtMessages.blacklisted] }, 400);
    }
    return jsonResponse({}, 200);
  }, options.onEvent);
}

/** Options of `blacklistJwtHandler`. */
export interface BlacklistJwtOptions {
  readonly jwt: JwtSettings;
  readonly blacklist: Pick<JwtBlacklistStore, "isJwtBlacklisted" | "blacklistJwt">;
  /** Receives `token.revoked` (the refresh token's `jti` as `tokenId`; never a token) and `store.failed`. */
  readonly onEvent?: EventHook;
}

/**
 * The blacklist (logout) endpoint: a valid refresh token is blacklisted; 200 `{}`. An already blacklisted one
 * answers 401 `Token is blacklisted`, as simplejwt. A token already spent by a rotation (the victim logging out
 * after a thief rotated it) blacklists its whole family first, whatever the answer, so the thief's newer refresh
 * token stops working too.
 * @example
 * app.post("/api/token/blacklist/", (c) => blacklistJwtHandler({ jwt, blacklist: store })(c.req.raw));
 */
export function blacklistJwtHandler(options: BlacklistJwtOptions): Handler {
  const settings = settingsOf(options?.jwt);
  const { blacklist } = options;
  if (typeof blacklist?.blacklistJwt !== "function") throw new ConfigError("blacklist", "must be a JWT blacklist store");
  return guardedHandler(async (request: Request, ctx: AuthContext) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const fields = await readFields(request, ["refresh"]);
    if (fields instanceof Response) return fields;
    // No blacklist check first: the store's blacklistJwt revokes a spent token's family even when the token itself
    // is already blacklisted (blacklistAfterRotation), and answers whether it was newly blacklisted.
    const payload = await verifiedOr401(settings, fields.refresh as string, "refresh", ctx);
    if (payload instanceof Response) return payload;
    const now = nowOf(ctx);
    const outstanding = outstandingOf(settings, payload, now);
    const newly = await blacklist.blacklistJwt(outstanding, now);
    emit(ctx, { type: "token.revoked", userId: outstanding.userId ?? "", tokenId: outstanding.jti });
    return newly ? jsonResponse({}, 200) : invalidToken(settings, jwtMessages.blacklisted);
  }, options.onEvent);
}
