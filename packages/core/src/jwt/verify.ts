/**
 * Verifying a raw token as simplejwt's `Token(raw)` does: parse, pinned algorithm, signature, PyJWT's claim
 * checks, then, per expected type, the blacklist (refresh and sliding only), `exp`, `jti` and `token_type`.
 * HS* tokens verify synchronously (no `await` on the hot path).
 * @module
 */
import type { JwtBlacklistStore } from "../store/types.js";
import { parseCompact } from "./_compact.js";
import type { VerifiedCache } from "./_verified-cache.js";
import { checkRegisteredClaims, checkTokenClaims, decodeMessages, jwtMessages } from "./claims.js";
import type { JwtSettings } from "./settings.js";

/** A verified payload. */
export type JwtPayload = Readonly<Record<string, unknown>>;

/** A decoded and signature-checked token, or simplejwt's message. */
export type Decoded = { readonly ok: true; readonly payload: JwtPayload } | { readonly ok: false; readonly message: string };

/** A token type simplejwt knows. */
export type TokenType = "access" | "refresh" | "sliding";

/** A token PyJWT refuses before its claims, in the stated simplejwt's words. */
function invalid(settings: JwtSettings): Decoded {
  return { ok: false, message: decodeMessages(settings).invalid };
}

function afterSignature(payload: JwtPayload, settings: JwtSettings, nowMs: number): Decoded {
  const message = checkRegisteredClaims(payload, settings, nowMs);
  return message === null ? { ok: true, payload } : { ok: false, message };
}

function verified(good: boolean, raw: string, payload: JwtPayload, settings: JwtSettings, nowMs: number, cache?: VerifiedCache): Decoded {
  if (!good) return invalid(settings);
  return afterSignature(cache === undefined ? payload : cache.set(raw, payload, settings.leewayMs, nowMs), settings, nowMs);
}

/**
 * simplejwt's `TokenBackend.decode`: structure, the one pinned `alg` (never `none`, never another), signature and
 * PyJWT's claim checks. Synchronous for HS*, a promise for asymmetric algorithms. Never throws for a bad token.
 * With a `cache`, a token whose signature was verified before skips parsing and the signature (every claim check
 * still runs), and a newly verified one is remembered.
 */
export function decodeToken(raw: string, settings: JwtSettings, nowMs: number, cache?: VerifiedCache): Decoded | Promise<Decoded> {
  const known = cache?.get(raw, nowMs);
  if (known !== undefined) return afterSignature(known, settings, nowMs);
  const jws = parseCompact(raw);
  if (jws === null || jws.header.alg !== settings.algorithm || "crit" in jws.header) return invalid(settings);
  const good = settings.keys.verify(jws, raw);
  if (typeof good === "boolean") return verified(good, raw, jws.payload, settings, nowMs, cache);
  return good.then((ok) => verified(ok, raw, jws.payload, settings, nowMs, cache));
}

/** Whether a token type is checked against the blacklist (simplejwt's `BlacklistMixin`: refresh and sliding). */
export function isBlacklistable(type: TokenType | null): boolean {
  return type === "refresh" || type === "sliding";
}

/**
 * `Token.verify()` for one expected type (`null`: any type, simplejwt's `UntypedToken`). The blacklist is checked
 * first for refresh and sliding tokens when a store is given. Answers `null` when the token passes.
 */
export function verifyClaims(
  payload: JwtPayload,
  settings: JwtSettings,
  type: TokenType | null,
  blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted">,
): string | null | Promise<string | null> {
  if (blacklist === undefined || !isBlacklistable(type)) return checkTokenClaims(payload, settings, type);
  const jti = payload[settings.jtiClaim];
  if (typeof jti !== "string" && typeof jti !== "number") return jwtMessages.noId;
  return blacklist
    .isJwtBlacklisted(String(jti))
    .then((listed) => (listed ? jwtMessages.blacklisted : checkTokenClaims(payload, settings, type)));
}

/** Decodes and verifies a token of `type` in one call: the payload, or simplejwt's message. */
export async function verifyToken(
  raw: string,
  settings: JwtSettings,
  type: TokenType | null,
  nowMs: number,
  blacklist?: Pick<JwtBlacklistStore, "isJwtBlacklisted">,
): Promise<Decoded> {
  const decoded = await decodeToken(raw, settings, nowMs);
  if (!decoded.ok) return decoded;
  const message = await verifyClaims(decoded.payload, settings, type, blacklist);
  return message === null ? decoded : { ok: false, message };
}
