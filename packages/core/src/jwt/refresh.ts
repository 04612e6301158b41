/**
 * simplejwt's `TokenRefreshView` and `TokenRefreshSlidingView`. Rotation is atomic: of concurrent refreshes of
 * one token exactly one succeeds, and presenting a rotated token again blacklists its whole family (simplejwt
 * lets both succeed; its issue #985).
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { emit, type EventHook } from "../events.js";
import { guardedHandler, methodNotAllowed } from "../endpoints/http.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { jsonResponse } from "../response.js";
import type { JwtBlacklistStore, UserStore } from "../store/types.js";
import { activeUserOf, emitIssued, invalidToken, outstandingOf, readFields, verifiedOr401 } from "./_endpoint.js";
import { isClaimExpired, jwtMessages } from "./claims.js";
import { userIdOf } from "./jwt-auth.js";
import { accessClaimsFrom, renewedClaims, signPayload } from "./mint.js";
import type { JwtSettings } from "./settings.js";
import { settingsOf } from "./settings.js";
import type { JwtPayload } from "./verify.js";

/** Options of the refresh endpoints. */
export interface RefreshJwtOptions {
  readonly jwt: JwtSettings;
  /** When given, the token's user must still exist and be active (simplejwt >= 5.3). */
  readonly users?: Pick<UserStore, "getUserById" | "getUserByUsername">;
  /** Checked for blacklisted tokens; required for `rotateRefreshTokens` (atomic rotation, reuse detection). */
  readonly blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted" | "rotateJwt">;
  /**
   * Receives, on rotation, `token.issued` for the new refresh token and `token.revoked` for the old one when it is
   * blacklisted (or, on reuse, when its family is); `store.failed`. `tokenId` is a `jti`, never a token.
   */
  readonly onEvent?: EventHook;
}

function checkOptions(options: RefreshJwtOptions, needsRotation: boolean): JwtSettings {
  const settings = settingsOf(options?.jwt);
  if (options.users !== undefined && typeof options.users.getUserById !== "function") throw new ConfigError("users", "must be a Portcullis user store");
  if (options.blacklist !== undefined && typeof options.blacklist.isJwtBlacklisted !== "function") {
    throw new ConfigError("blacklist", "must be a JWT blacklist store");
  }
  if (needsRotation && settings.rotateRefreshTokens && typeof options.blacklist?.rotateJwt !== "function") {
    throw new ConfigError("blacklist", "rotateRefreshTokens needs a JWT blacklist store (rotation is atomic)");
  }
  return settings;
}

async function userCheck(settings: JwtSettings, options: RefreshJwtOptions, payload: JwtPayload): Promise<Response | null> {
  if (options.users === undefined) return null;
  const user = await activeUserOf(settings, options.users, payload);
  return user instanceof Response ? user : null;
}

/**
 * The refresh endpoint: `{"refresh"}` → 200 `{"access"}`, plus `"refresh"` with `rotateRefreshTokens`;
 * 401 `token_not_valid` for a bad, expired, blacklisted or reused token.
 * @example
 * app.post("/api/token/refresh/", (c) => refreshJwtHandler({ jwt, users: store, blacklist: store })(c.req.raw));
 */
export function refreshJwtHandler(options: RefreshJwtOptions): Handler {
  const settings = checkOptions(options, true);
  return guardedHandler(async (request: Request, ctx: AuthContext) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const fields = await readFields(request, ["refresh"]);
    if (fields instanceof Response) return fields;
    // With rotation, `rotateJwt` itself tells a spent token (reuse: revoke the family) from a blacklisted one.
    const listCheck = settings.rotateRefreshTokens ? undefined : options.blacklist;
    const payload = await verifiedOr401(settings, fields.refresh as string, "refresh", ctx, listCheck);
    if (payload instanceof Response) return payload;
    const refused = await userCheck(settings, options, payload);
    if (refused) return refused;
    const now = nowOf(ctx);
    const access = await signPayload(settings, accessClaimsFrom(settings, payload, now));
    if (!settings.rotateRefreshTokens) return jsonResponse({ access: access.token }, 200);
    const next = await signPayload(settings, renewedClaims(settings, payload, settings.refreshTokenLifetimeMs, now, true));
    const blacklist = options.blacklist as Pick<JwtBlacklistStore, "rotateJwt">;
    const outcome = await blacklist.rotateJwt(outstandingOf(settings, payload, now), outstandingOf(settings, next.payload, now), {
      now,
      blacklistOld: settings.blacklistAfterRotation,
    });
    const userId = userIdOf(payload, settings) ?? "";
    const tokenId = String(payload[settings.jtiClaim]);
    if (outcome === "reused" || (outcome === "rotated" && settings.blacklistAfterRotation)) emit(ctx, { type: "token.revoked", userId, tokenId });
    if (outcome !== "rotated") return invalidToken(settings, jwtMessages.blacklisted);
    emitIssued(ctx, settings, userId, next.payload);
    return jsonResponse({ access: access.token, refresh: next.token }, 200);
  }, options.onEvent);
}

/**
 * The sliding refresh endpoint: `{"token"}` → 200 `{"token"}` with new `exp` and `iat` (same `jti`) while
 * `refresh_exp` has not passed.
 * @example
 * app.post("/api/token/sliding/refresh/", (c) => refreshSlidingJwtHandler({ jwt, blacklist: store })(c.req.raw));
 */
export function refreshSlidingJwtHandler(options: RefreshJwtOptions): Handler {
  const settings = checkOptions(options, false);
  return guardedHandler(async (request: Request, ctx: AuthContext) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const fields = await readFields(request, ["token"]);
    if (fields instanceof Response) return fields;
    const payload = await verifiedOr401(settings, fields.token as string, "sliding", ctx, options.blacklist);
    if (payload instanceof Response) return payload;
    const claim = settings.slidingTokenRefreshExpClaim;
    if (!(claim in payload)) return invalidToken(settings, `Token has no '${claim}' claim`);
    if (isClaimExpired(payload[claim], settings, nowOf(ctx))) return invalidToken(settings, jwtMessages.expired(claim));
    const refused = await userCheck(settings, options, payload);
    if (refused) return refused;
    const renewed = renewedClaims(settings, payload, settings.slidingTokenLifetimeMs, nowOf(ctx), false);
    return jsonResponse({ token: (await signPayload(settings, renewed)).token }, 200);
  }, options.onEvent);
}
