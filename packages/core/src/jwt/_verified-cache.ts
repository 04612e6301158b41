/**
 * A bounded cache of tokens whose signature has already been verified, keyed by the SHA-256 digest of the raw
 * token (the token itself is never kept). An entry lives until the token's `exp` plus the leeway, and only what a
 * signature proves is skipped on a hit: every claim check, the blacklist and the user lookup still run. Only tokens
 * with a good signature enter, so an attacker without the key cannot fill it (internal).
 * @module
 */
import { sha256Hex } from "../internal/sha256.js";
import type { JwtPayload } from "./verify.js";

/** The largest `cacheSize` accepted. */
export const MAX_CACHE_SIZE = 1_000_000;

interface Entry {
  readonly payload: JwtPayload;
  /** Epoch ms after which the token can no longer pass (`exp` + leeway). */
  readonly untilMs: number;
}

/** Remembered verified payloads by token digest. */
export interface VerifiedCache {
  /** The verified payload of `raw`, or `undefined` (not cached, or past its `exp`). */
  get(raw: string, nowMs: number): JwtPayload | undefined;
  /** Remembers a payload whose signature was just verified (deep-frozen, so no handler can alter what is cached). */
  set(raw: string, payload: JwtPayload, leewayMs: number, nowMs: number): JwtPayload;
}

/** Freezes a JSON value and everything in it (what `JSON.parse` builds: objects, arrays and primitives). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A cache holding at most `size` tokens (the oldest entry goes first); `size` 0 remembers nothing. */
export function verifiedCache(size: number): VerifiedCache {
  const entries = new Map<string, Entry>();
  return {
    get(raw, nowMs) {
      if (size === 0) return undefined;
      const digest = sha256Hex(raw);
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (entry.untilMs <= nowMs) {
        entries.delete(digest);
        return undefined;
      }
      return entry.payload;
    },
    set(raw, payload, leewayMs, nowMs) {
      const frozen = deepFreeze(payload);
      const exp = payload.exp;
      if (size === 0 || typeof exp !== "number") return frozen;
      const untilMs = Math.trunc(exp) * 1000 + leewayMs + 1000;
      if (untilMs <= nowMs) return frozen;
      if (entries.size >= size) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(sha256Hex(raw), { payload: frozen, untilMs });
      return frozen;
    },
  };
}
