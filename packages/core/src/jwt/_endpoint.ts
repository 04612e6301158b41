/**
 * What the JWT endpoints share: simplejwt's `TokenViewBase` errors (401 `token_not_valid` with the challenge) and
 * reading one-field bodies with DRF's `CharField` rules (internal).
 * @module
 */
import { z } from "zod";
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { emit } from "../events.js";
import { parseBody } from "../endpoints/body.js";
import { charField, validateFields } from "../endpoints/fields.js";
import { jsonResponse } from "../response.js";
import type { JwtBlacklistStore, OutstandingJwt, User, UserStore } from "../store/types.js";
import { jwtMessages } from "./claims.js";
import { userIdOf } from "./jwt-auth.js";
import type { JwtSettings } from "./settings.js";
import type { JwtPayload, TokenType } from "./verify.js";
import { verifyToken } from "./verify.js";

/** A 401 with simplejwt's `{"detail", "code"}` body and `WWW-Authenticate: Bearer realm="api"`. */
export function unauthorized(settings: JwtSettings, detail: string, code?: string): Response {
  const body = code === undefined ? { detail } : { detail, code };
  return jsonResponse(body, 401, { "WWW-Authenticate": settings.challenge });
}

/** `InvalidToken(message)` as a view answers it. */
export function invalidToken(settings: JwtSettings, message: string): Response {
  return unauthorized(settings, message, "token_not_valid");
}

const schemas = new Map<string, z.ZodType<Record<string, string>>>();

function schemaOf(fields: readonly string[]): z.ZodType<Record<string, string>> {
  const key = fields.join(",");
  let schema = schemas.get(key);
  if (schema === undefined) {
    schema = z.object(Object.fromEntries(fields.map((field) => [field, charField({ trimWhitespace: true })]))) as z.ZodType<Record<string, string>>;
    schemas.set(key, schema);
  }
  return schema;
}

/** Reads and validates the body's fields (DRF `CharField`s): the values, or the 400/413/415 response. */
export async function readFields(request: Request, fields: readonly string[]): Promise<Record<string, string> | Response> {
  const body = await parseBody(request);
  if (!body.ok) return jsonResponse(body.body, body.status);
  const result = validateFields(body.data, schemaOf(fields));
  return result.ok ? result.data : jsonResponse(result.errors, 400);
}

/** Verifies `raw` as a token of `type` (checking the blacklist for refresh and sliding): the payload, or the 401. */
export async function verifiedOr401(
  settings: JwtSettings,
  raw: string,
  type: TokenType | null,
  ctx: AuthContext,
  blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted">,
): Promise<JwtPayload | Response> {
  const result = await verifyToken(raw, settings, type, nowOf(ctx), blacklist);
  return result.ok ? result.payload : invalidToken(settings, result.message);
}

/**
 * The outstanding-token record of a verified refresh or sliding token (its own `jti` is its family at first). A
 * sliding token keeps its `jti` when refreshed until its refresh claim (`refresh_exp`) passes, so its row lives
 * until then: logout-everywhere must still find it, and the expiry cron must not purge it while it can refresh.
 */
export function outstandingOf(settings: JwtSettings, payload: JwtPayload, now: number): OutstandingJwt {
  const jti = String(payload[settings.jtiClaim]);
  const iat = payload.iat;
  const createdAt = typeof iat === "number" && Number.isFinite(iat) ? iat * 1000 : now;
  const exp = payload.exp as number;
  const refreshExp = payload[settings.slidingTokenRefreshExpClaim];
  const until = typeof refreshExp === "number" && Number.isFinite(refreshExp) ? Math.max(exp, refreshExp) : exp;
  return { jti, userId: userIdOf(payload, settings), family: jti, createdAt, expiresAt: until * 1000 };
}

/** The refresh endpoints' user rule: the user must still exist and be active (simplejwt >= 5.3). */
export async function activeUserOf(
  settings: JwtSettings,
  users: Pick<UserStore, "getUserById" | "getUserByUsername">,
  payload: JwtPayload,
): Promise<User | Response> {
  const id = userIdOf(payload, settings);
  const user =
    id === null ? null : settings.userIdField === "id" ? await users.getUserById(id) : ((await users.getUserByUsername(id))?.user ?? null);
  if (user === null || (settings.checkUserIsActive && !user.isActive)) {
    return unauthorized(settings, "No active account found for the given token.", "no_active_account");
  }
  return user;
}

/** `token.issued` for a refresh or sliding token just issued to `userId`. */
export function emitIssued(ctx: AuthContext, settings: JwtSettings, userId: string, payload: JwtPayload): void {
  const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : null;
  emit(ctx, { type: "token.issued", userId, tokenId: String(payload[settings.jtiClaim]), expiresAt });
}

export { jwtMessages };
