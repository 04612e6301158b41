/**
 * Claim checks, in simplejwt 5.2's order and words: first what PyJWT's `decode` checks (`exp`, `nbf`, `iat`,
 * `aud`, `iss`: any failure is "Token is invalid or expired"), then `Token.verify` (`exp` present, `jti` present,
 * `token_type` equal to the expected type).
 * @module
 */
import type { JwtSettings } from "./settings.js";

/** simplejwt's `TokenError` messages (5.2, word for word; 5.5 splits `invalid`, see {@link decodeMessages}). */
export const jwtMessages = {
  invalid: "Token is invalid or expired",
  invalidOnly: "Token is invalid",
  expiredOnly: "Token is expired",
  noExp: "Token has no 'exp' claim",
  expired: (claim: string) => `Token '${claim}' claim has expired`,
  noId: "Token has no id",
  noType: "Token has no type",
  wrongType: "Token has wrong type",
  blacklisted: "Token is blacklisted",
  notValidForAnyType: "Given token not valid for any token type",
  noUserId: "Token contained no recognizable user identification",
  userNotFound: "User not found",
  userInactive: "User is inactive",
  passwordChanged: "The user's password has been changed.",
  badHeader: "Authorization header must contain two space-delimited values",
  noActiveAccount: "No active account found with the given credentials",
} as const;

/**
 * The words of a token PyJWT refuses, per release: up to simplejwt 5.4, `Token is invalid or expired` for every
 * failure; from 5.5.0, `Token is expired` for an expired `exp` and `Token is invalid` for anything else.
 */
export function decodeMessages(settings: JwtSettings): { readonly invalid: string; readonly expired: string } {
  return settings.compat.jwt.separateExpiredMessage
    ? { invalid: jwtMessages.invalidOnly, expired: jwtMessages.expiredOnly }
    : { invalid: jwtMessages.invalid, expired: jwtMessages.invalid };
}

/** The latest instant a `datetime` holds (year 9999); later times make Django fail, so they are refused. */
const MAX_EPOCH_SECONDS = 253_402_300_799;

/** A JSON number Python's `int()` and `datetime.utcfromtimestamp` would both take. */
function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_SECONDS;
}

function audienceMatches(claim: unknown, audiences: readonly string[]): boolean {
  if (typeof claim === "string") return audiences.includes(claim);
  if (!Array.isArray(claim) || !claim.every((item) => typeof item === "string")) return false;
  return claim.some((item) => audiences.includes(item));
}

/**
 * PyJWT's registered-claim checks at `nowMs` (its clock is whole seconds). Answers `null` when they pass.
 * Stricter than PyJWT where it would crash or guess: time claims must be JSON numbers, not numeric strings.
 */
export function checkRegisteredClaims(payload: Readonly<Record<string, unknown>>, settings: JwtSettings, nowMs: number): string | null {
  const now = Math.floor(nowMs / 1000);
  const leeway = settings.leewayMs / 1000;
  const { exp, nbf, iat } = payload;
  const words = decodeMessages(settings);
  if (exp !== undefined && !isTimestamp(exp)) return words.invalid;
  if (exp !== undefined && Math.trunc(exp) <= now - leeway) return words.expired;
  // PyJWT (simplejwt's verifier) refuses a token issued in the future: `iat > now + leeway`, the raw value.
  if (iat !== undefined && (!isTimestamp(iat) || iat > now + leeway)) return words.invalid;
  if (nbf !== undefined && (!isTimestamp(nbf) || Math.trunc(nbf) > now + leeway)) return words.invalid;
  if (settings.audiences !== null && !audienceMatches(payload.aud, settings.audiences)) return words.invalid;
  if (settings.issuer !== undefined && payload.iss !== settings.issuer) return words.invalid;
  return null;
}

/**
 * The seconds (`Math.floor(nowMs / 1000)`) at which `checkRegisteredClaims` accepts `payload`: from `fromSec`
 * (inclusive) until `untilSec` (exclusive). Only for a payload it has already accepted once with these settings: its
 * audience, issuer and timestamp types never change, so only the clock can make it refuse later. A cache hit then
 * costs two comparisons instead of the whole check (the same answer: `claims.test.ts` compares both).
 * @example
 * const { fromSec, untilSec } = registeredClaimsWindow(payload, settings);
 * const fresh = Math.floor(Date.now() / 1000) >= fromSec && Math.floor(Date.now() / 1000) < untilSec;
 */
export function registeredClaimsWindow(payload: Readonly<Record<string, unknown>>, settings: JwtSettings): { fromSec: number; untilSec: number } {
  const leeway = settings.leewayMs / 1000;
  const { exp, nbf, iat } = payload;
  // exp: refused when trunc(exp) <= now - leeway; iat: when iat > now + leeway; nbf: when trunc(nbf) > now + leeway.
  const untilSec = typeof exp === "number" ? Math.trunc(exp) + leeway : Number.POSITIVE_INFINITY;
  const fromIat = typeof iat === "number" ? iat - leeway : Number.NEGATIVE_INFINITY;
  const fromNbf = typeof nbf === "number" ? Math.trunc(nbf) - leeway : Number.NEGATIVE_INFINITY;
  return { fromSec: Math.max(fromIat, fromNbf), untilSec };
}

/** `Token.verify()` after decoding: `exp` present, `jti` present, and the type claim equal to `tokenType`. */
export function checkTokenClaims(payload: Readonly<Record<string, unknown>>, settings: JwtSettings, tokenType: string | null): string | null {
  if (!("exp" in payload)) return jwtMessages.noExp;
  if (!(settings.jtiClaim in payload)) return jwtMessages.noId;
  if (tokenType === null) return null; // UntypedToken (the verify endpoint)
  if (!(settings.tokenTypeClaim in payload)) return jwtMessages.noType;
  return payload[settings.tokenTypeClaim] === tokenType ? null : jwtMessages.wrongType;
}

/** Whether a timestamp claim (such as `refresh_exp`) has passed at `nowMs`, as `Token.check_exp` decides. */
export function isClaimExpired(value: unknown, settings: JwtSettings, nowMs: number): boolean {
  return !isTimestamp(value) || value * 1000 <= nowMs - settings.leewayMs;
}
