/**
 * DRF's rate throttles: `anonRateThrottle`, `userRateThrottle`, `scopedRateThrottle`. Each counts under its own
 * scope with an atomic sliding log in the store (`CounterStore.hit`). The key holds the scope, the rate and the
 * identity (`throttle:<scope>:<limit>/<windowMs>:<ident>`): throttles sharing a scope with different rates keep
 * separate logs, so a short window never trims the history a longer one needs, on any store.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ipv6PrefixLengthOf } from "../client-identity.js";
import { ConfigError } from "../errors.js";
import type { PermissionCheck } from "../permissions/types.js";
import type { CounterStore, HitResult } from "../store/types.js";
import { clientIdent } from "./ident.js";
import { POLICY_NAME, policyField, stateField } from "../rate-limit/_headers.js";
import { hitOptionsOf } from "./_count.js";
import type { RateInput } from "./rate.js";
import { parseRate, waitMs } from "./rate.js";
import type { Throttle, ThrottleResult } from "./types.js";

/** Options shared by the rate throttles. */
export interface RateThrottleOptions {
  /** Where the counters live (its `hit` is atomic). */
  readonly store: Pick<CounterStore, "hit">;
  /**
   * The counter namespace; throttles with the same scope and the same rate share counts. Default: the kind
   * (`anon`, `user`, or the scope of `scopedRateThrottle`). The rate is always part of the key, so two throttles
   * of one scope with different rates each keep their own limit.
   */
  readonly scope?: string;
  /**
   * How many trusted reverse proxies append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). Default: none, and the
   * header is ignored; the client IP is `ctx.clientIp`, which adapters take from the runtime.
   */
  readonly numProxies?: number;
  /** How many leading bits identify an IPv6 client (one network hands each client a /64). Default 64. */
  readonly ipv6PrefixLength?: number;
  /**
   * Answer the `RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-09, as `rateLimiter`
   * sends them) for the requests this throttle counts, named by the scope (which must then be 1 to 64 letters,
   * digits or `_ . : -`). Default `false`: DRF sends none.
   */
  readonly headers?: boolean;
}

const ALLOWED: ThrottleResult = Object.freeze({ allowed: true, waitMs: 0 });
/** `ALLOWED` as a throttle answers it when nothing is counted (one shared, already settled promise). */
const ALLOWED_NOW: Promise<ThrottleResult> = Promise.resolve(ALLOWED);
type Check = PermissionCheck<unknown, unknown>;

function rateThrottle(kind: string, rateInput: RateInput, options: RateThrottleOptions, skipUsers: boolean): Throttle {
  const rate = parseRate(rateInput);
  const { store, numProxies } = options ?? ({} as RateThrottleOptions);
  if (typeof store?.hit !== "function") throw new ConfigError("store", "must be a Portcullis store");
  if (numProxies !== undefined && !(Number.isSafeInteger(numProxies) && numProxies >= 0)) {
    throw new ConfigError("numProxies", "must be a non-negative integer");
  }
  const prefix = ipv6PrefixLengthOf(options.ipv6PrefixLength, "ipv6PrefixLength");
  const scope = options.scope ?? kind;
  if (typeof scope !== "string" || scope === "") throw new ConfigError("scope", "must be a non-empty string");
  const keyPrefix = `throttle:${scope}:${rate.limit}/${rate.windowMs}:`;
  const headers = options.headers ?? false;
  if (typeof headers !== "boolean") throw new ConfigError("headers", "must be a boolean");
  if (headers && !POLICY_NAME.test(scope)) {
    throw new ConfigError("scope", "must be 1 to 64 letters, digits or _ . : - when headers is true (it names the policy)");
  }
  const policy = headers ? policyField(scope, rate) : "";
  return {
    scope,
    ...(headers ? { rateLimitName: scope } : {}),
    // Not an async function: a request waiting on its counter store holds one `then` callback, no suspended frame
    // (bench/NOTES.md, eighth pass). Whatever throws on the way is a rejection, as it was.
    allow(check: Check, ctx: AuthContext): Promise<ThrottleResult> {
      let now: number;
      let counted: Promise<HitResult>;
      try {
        // DRF's `request.user and request.user.is_authenticated`: a token without a user (an OAuth2 client-credentials
        // token) is counted as anonymous, by client address, not skipped.
        if (skipUsers && check.authenticated && check.user !== null) return ALLOWED_NOW;
        const ident = identOf(check, ctx, numProxies, prefix);
        // No known client address: not counted, rather than counted in one bucket that every such client shares.
        if (ident === null) return ALLOWED_NOW;
        now = nowOf(ctx);
        counted = Promise.resolve(store.hit(keyPrefix + ident, hitOptionsOf(rate, now)));
      } catch (error) {
        return Promise.reject(error);
      }
      return counted.then((log) => {
        if (!headers) return log.allowed ? ALLOWED : { allowed: false, waitMs: waitMs(rate, log, now) };
        const rateLimit = { policy, state: stateField(scope, rate, log, now) };
        return { allowed: log.allowed, waitMs: log.allowed ? 0 : waitMs(rate, log, now), rateLimit };
      });
    },
  };
}

function identOf(check: Check, ctx: AuthContext, numProxies: number | undefined, prefix: number): string | null {
  const user = check.user as { id?: unknown } | null;
  if (check.authenticated && user !== null && (typeof user.id === "string" || typeof user.id === "number")) {
    return `user:${String(user.id)}`;
  }
  const ip = clientIdent(check.request, ctx, numProxies, prefix);
  return ip === null ? null : `ip:${ip}`;
}

/**
 * Throttles anonymous requests by client IP (DRF's `AnonRateThrottle`); requests with a user pass untouched (a token without
 * a user, an OAuth2 client-credentials token, is counted by client IP, as DRF counts it).
 * @example
 * anonRateThrottle("100/day", { store })
 */
export function anonRateThrottle(rate: RateInput, options: RateThrottleOptions): Throttle {
  return rateThrottle("anon", rate, options, true);
}

/**
 * Throttles by user id, or by client IP for anonymous requests (DRF's `UserRateThrottle`).
 * @example
 * userRateThrottle("1000/day", { store })
 */
export function userRateThrottle(rate: RateInput, options: RateThrottleOptions): Throttle {
  return rateThrottle("user", rate, options, false);
}

/**
 * A user throttle counted under a named scope (DRF's `ScopedRateThrottle`): routes with the same scope share
 * counts; other scopes are separate.
 * @example
 * scopedRateThrottle("uploads", "20/hour", { store })
 */
export function scopedRateThrottle(scope: string, rate: RateInput, options: RateThrottleOptions): Throttle {
  if (typeof scope !== "string" || scope === "") throw new ConfigError("scope", "must be a non-empty string");
  return rateThrottle(scope, rate, { ...options, scope: options?.scope ?? scope }, false);
}
