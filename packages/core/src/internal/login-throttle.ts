/**
 * Brute-force protection for password logins (`basicAuth`, `obtainTokenHandler`): failed logins are counted per
 * username and per client IP; past the limit, logins answer 429 until the window passes. Successful logins are
 * never counted.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import type { Store } from "../store/types.js";
import type { Rate, RateInput } from "../throttles/rate.js";
import { parseRate, waitMs } from "../throttles/rate.js";

/** Options of brute-force protection; pass `false` instead to turn it off. */
export interface BruteForceOptions {
  /** Failed logins allowed per username (from any IP). Default `"5/min"`; `null` turns this count off. */
  readonly perUsername?: RateInput | null;
  /** Failed logins allowed per client IP (for any username). Default `"20/min"`; `null` turns this count off. */
  readonly perIp?: RateInput | null;
  /** Where failures are counted. Default: the store the logins are checked against. */
  readonly store?: Pick<Store, "hit">;
}

/** The check before a login and the record after a failed one. */
export interface LoginThrottle {
  /** How long this login must wait (ms), or `0` when it may proceed. Records nothing. */
  blockedForMs(username: string, ctx: AuthContext): Promise<number>;
  /** Records one failed login for the username and the client IP. */
  recordFailure(username: string, ctx: AuthContext): Promise<void>;
}

interface Counter {
  readonly key: (username: string, ctx: AuthContext) => string;
  readonly rate: Rate;
}

/** Builds the login throttle, or `null` when it is turned off or there is no store to count in. */
export function loginThrottle(
  options: BruteForceOptions | false | undefined,
  defaultStore: Pick<Store, "hit"> | undefined,
): LoginThrottle | null {
  if (options === false) return null;
  const store = options?.store ?? defaultStore;
  if (store === undefined) return null;
  if (typeof store.hit !== "function") throw new ConfigError("bruteForce.store", "must be a Portcullis store");
  const counters: Counter[] = [];
  const perUsername = options?.perUsername === undefined ? "5/min" : options.perUsername;
  const perIp = options?.perIp === undefined ? "20/min" : options.perIp;
  if (perUsername !== null) {
    counters.push({ key: (username) => `login:user:${username}`, rate: parseRate(perUsername, "bruteForce.perUsername") });
  }
  if (perIp !== null) {
    counters.push({ key: (_u, ctx) => `login:ip:${ctx.clientIp || "unknown"}`, rate: parseRate(perIp, "bruteForce.perIp") });
  }
  if (counters.length === 0) return null;
  return {
    async blockedForMs(username, ctx) {
      const now = nowOf(ctx);
      let wait = 0;
      for (const { key, rate } of counters) {
        const log = await store.hit(key(username, ctx), { ...rate, now, dryRun: true });
        if (!log.allowed) wait = Math.max(wait, waitMs(rate, log, now), 1);
      }
      return wait;
    },
    async recordFailure(username, ctx) {
      const now = nowOf(ctx);
      for (const { key, rate } of counters) await store.hit(key(username, ctx), { ...rate, now });
    },
  };
}
