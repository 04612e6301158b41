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
 * into the username field never lands in the counters table; per-IP counters are `login:ip:<identity>`, the
 * client identity of `clientIdentity` (IPv4, or the IPv6 /64). A login whose client address is unknown skips the
 * per-IP count and keeps the per-username one: one bucket shared by every address-less login would let anyone
 * lock everyone out.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { clientIdentity, ipv6PrefixLengthOf } from "../client-identity.js";
import { ConfigError } from "../errors.js";
import type { CounterStore } from "../store/types.js";
import type { Rate, RateInput } from "../throttles/rate.js";
import { hitOptionsOf } from "../throttles/_count.js";
import { parseRate, waitMs } from "../throttles/rate.js";
import { sha256Hex } from "../internal/sha256.js";

/** The counter methods brute-force protection counts with. */
export type LoginCounterStore = Pick<CounterStore, "hit" | "releaseHit">;

/** Whether `value` has the counter methods brute-force protection needs (e.g. a full `Store`). */
export function hasLoginCounters(value: unknown): value is LoginCounterStore {
  const candidate = value as Partial<LoginCounterStore> | null | undefined;
  return typeof candidate?.hit === "function" && typeof candidate.releaseHit === "function";
}

/** Options of brute-force protection; pass `false` instead to turn it off. */
export interface BruteForceOptions {
  /** Failed logins allowed per username (from any IP). Default `"5/min"`; `null` turns this count off. */
  readonly perUsername?: RateInput | null;
  /** Failed logins allowed per client IP (for any username). Default `"20/min"`; `null` turns this count off. */
  readonly perIp?: RateInput | null;
  /** How many leading bits identify an IPv6 client in the per-IP count. Default 64. */
  readonly ipv6PrefixLength?: number;
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
  /** The counter's key for this login, or `null` when it does not apply (no known client address). */
  readonly key: (username: string, ctx: AuthContext) => string | null;
  readonly rate: Rate;
}

/** The counters of `options`, per-IP first (see `loginThrottle`); validates the options. */
function countersOf(options: BruteForceOptions | undefined): Counter[] {
  const steps: Counter[] = [];
  const perUsername = options?.perUsername === undefined ? "5/min" : options.perUsername;
  const perIp = options?.perIp === undefined ? "20/min" : options.perIp;
  // The per-IP counter goes first: a flood from one IP that it refuses then never holds (even briefly) slots in
  // the per-username counters of the users it targets.
  const ipv6PrefixLength = ipv6PrefixLengthOf(options?.ipv6PrefixLength, "bruteForce.ipv6PrefixLength");
  if (perIp !== null) {
    const rate = parseRate(perIp, "bruteForce.perIp");
    const key = (_u: string, ctx: AuthContext) => {
      const ident = clientIdentity(ctx.clientIp, { ipv6PrefixLength });
      return ident === null ? null : `login:ip:${ident}`;
    };
    steps.push({ key, rate });
  }
  if (perUsername !== null) {
    const rate = parseRate(perUsername, "bruteForce.perUsername");
    steps.push({ key: (username) => `login:user:${sha256Hex(username)}`, rate });
  }
  return steps;
}

/**
 * Builds the login throttle, or `null` when it is turned off (`false`). Protection is on by default, so a missing
 * counter store is a `ConfigError` naming the option (`counters`), never a silent off switch.
 * @param counters where failures are counted: the `counters` option, else the user store when it has counters.
 */
export function loginThrottle(
  options: BruteForceOptions | false | undefined,
  counters: unknown,
): LoginThrottle | null {
  if (options === false) return null;
  if (counters === undefined) {
    throw new ConfigError("counters", "brute-force protection needs a counter store; pass `counters` or `bruteForce: false`");
  }
  if (!hasLoginCounters(counters)) throw new ConfigError("counters", "must be a Portcullis counter store (hit, releaseHit)");

  const steps = countersOf(options);
  if (steps.length === 0) return null;

  const store: LoginCounterStore = counters;
  /** Gives back the slots taken at `now` (tries all of them; then rethrows the first failure, if any). */
  const releaseAll = async (keys: readonly string[], now: number): Promise<void> => {
    const outcomes = await Promise.allSettled(keys.map(async (key) => store.releaseHit(key, { at: now })));
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failure) throw failure.reason;
  };

  return {
    async reserve(username, ctx) {
      const now = nowOf(ctx);
      const taken: string[] = [];
      let wait = 0;
      try {
        for (const { key: keyOf, rate } of steps) {
          const key = keyOf(username, ctx);
          if (key === null) continue;
          const result = await store.hit(key, hitOptionsOf(rate, now));
          if (!result.allowed) {
            // Once a counter refused (the per-IP one comes first), the others are not even read: a client over its
            // own limit cannot reach (or load the store shard of) the counters of the usernames it names.
            wait = Math.max(waitMs(rate, result, now), 1);
            break;
          }
          taken.push(key);
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
