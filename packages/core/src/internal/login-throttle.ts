/**
 * Brute-force protection for password logins (`basicAuth`, `obtainTokenHandler`): failed logins are counted per
 * username and per client IP; past the limit, logins answer 429 until the window passes. Successful logins are
 * never counted.
 *
 * The limit holds exactly under concurrency: before the password is checked, a login RESERVES a slot in every
 * counter with a real (atomic) `hit`, so N concurrent attempts can never all pass a look-only check before any
 * of them is recorded. A refused reservation blocks the login (the slots it did take are given back); a failed
 * login keeps its slots (the failure is counted); a successful one gives them back with `releaseHit`. So a
 * login being checked holds a slot: at most `limit` logins per username (and per IP) are checked at once, and
 * more concurrent ones, even with the right password, answer 429 until a slot is free.
 * Per-username counters are keyed by the SHA-256 of the username (`login:user:<hex>`), so that a password typed
 * into the username field never lands in the counters table; per-IP counters are `login:ip:<ip>`.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import type { Store } from "../store/types.js";
import type { Rate, RateInput } from "../throttles/rate.js";
import { parseRate, waitMs } from "../throttles/rate.js";
import { sha256Hex } from "./sha256.js";

/** The store methods brute-force protection counts with. */
export type LoginCounterStore = Pick<Store, "hit" | "releaseHit">;

/** Options of brute-force protection; pass `false` instead to turn it off. */
export interface BruteForceOptions {
  /** Failed logins allowed per username (from any IP). Default `"5/min"`; `null` turns this count off. */
  readonly perUsername?: RateInput | null;
  /** Failed logins allowed per client IP (for any username). Default `"20/min"`; `null` turns this count off. */
  readonly perIp?: RateInput | null;
  /** Where failures are counted (it needs `hit` and `releaseHit`). Default: the store the logins are checked against. */
  readonly store?: LoginCounterStore;
}

/** What `LoginThrottle.reserve` answers: the wait of a blocked login, or the slots it holds while it is checked. */
export type LoginReservation =
  /** Blocked: nothing is held; the login may be retried in `blockedForMs` (>= 1) ms. */
  | { readonly blockedForMs: number }
  /** Let through: one slot is held in every counter; `release` gives them all back (the login does not count). */
  | { readonly release: () => Promise<void> };

/** Brute-force protection of one login endpoint or scheme. */
export interface LoginThrottle {
  /**
   * Reserves a slot for this login attempt in every counter (atomically, one `hit` each). When a counter is
   * full, gives back the slots taken and answers the wait; otherwise answers the reservation, which counts as a
   * failed login unless it is released.
   */
  reserve(username: string, ctx: AuthContext): Promise<LoginReservation>;
}

interface Counter {
  readonly key: (username: string, ctx: AuthContext) => string;
  readonly rate: Rate;
}

/** Builds the login throttle, or `null` when it is turned off or there is no store to count in. */
export function loginThrottle(
  options: BruteForceOptions | false | undefined,
  defaultStore: LoginCounterStore | undefined,
): LoginThrottle | null {
  if (options === false) return null;
  const store = options?.store ?? defaultStore;
  if (store === undefined) return null;
  if (typeof store.hit !== "function" || typeof store.releaseHit !== "function") {
    throw new ConfigError("bruteForce.store", "must be a Portcullis store");
  }
  const counters: Counter[] = [];
  const perUsername = options?.perUsername === undefined ? "5/min" : options.perUsername;
  const perIp = options?.perIp === undefined ? "20/min" : options.perIp;
  // The per-IP counter goes first: a flood from one IP that it refuses then never holds (even briefly) slots in
  // the per-username counters of the users it targets.
  if (perIp !== null) {
    counters.push({ key: (_u, ctx) => `login:ip:${ctx.clientIp || "unknown"}`, rate: parseRate(perIp, "bruteForce.perIp") });
  }
  if (perUsername !== null) {
    const rate = parseRate(perUsername, "bruteForce.perUsername");
    counters.push({ key: (username) => `login:user:${sha256Hex(username)}`, rate });
  }
  if (counters.length === 0) return null;

  const counterStore: LoginCounterStore = store;
  /** Gives back the slots taken at `now` (tries all of them; then rethrows the first failure, if any). */
  const releaseAll = async (keys: readonly string[], now: number): Promise<void> => {
    const outcomes = await Promise.allSettled(keys.map(async (key) => counterStore.releaseHit(key, { at: now })));
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failure) throw failure.reason;
  };

  return {
    async reserve(username, ctx) {
      const now = nowOf(ctx);
      const taken: string[] = [];
      let wait = 0;
      try {
        for (const { key: keyOf, rate } of counters) {
          const key = keyOf(username, ctx);
          // Once one counter refused, the others are only looked at (for the wait), never reserved.
          const result = await store.hit(key, { ...rate, now, dryRun: wait > 0 });
          if (!result.allowed) wait = Math.max(wait, waitMs(rate, result, now), 1);
          else if (wait === 0) taken.push(key);
        }
      } catch (error) {
        await releaseAll(taken, now).catch(() => undefined);
        throw error;
      }
      if (wait > 0) {
        await releaseAll(taken, now);
        return { blockedForMs: wait };
      }
      return { release: () => releaseAll(taken, now) };
    },
  };
}
