/**
 * The rate limits of dj-rest-auth's endpoints (internal): `rateLimiter`s per client IP on `login/`,
 * `token/refresh/`, `password/reset/` and `password/reset/confirm/`, and one per e-mail address on
 * `password/reset/` that never answers differently (an address over its limit gets the same 200, and no e-mail).
 * @module
 */
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { sha256Hex } from "../internal/sha256.js";
import { rateLimiter, type RateLimiter } from "../rate-limit/rate-limit.js";
import type { CounterStore } from "../store/types.js";
import type { RateInput } from "../throttles/rate.js";

/**
 * Rate limits of `restAuthHandlers` (`rateLimits`), each a DRF rate (`"5/hour"`) or `false` for none. Per-IP
 * limits answer 429 with `Retry-After`; they count only requests whose client address is known (`ctx.clientIp`,
 * which `mountRestAuthEndpoints` sets), as DRF's throttles do.
 * @example
 * ```ts
 * const limits: RestAuthRateLimits = { passwordResetPerEmail: "2/hour", refresh: false };
 * ```
 */
export interface RestAuthRateLimits {
  /** `POST login/` per client IP, every attempt (failures are also slowed per username by `bruteForce`). Default `"30/min"`. */
  readonly login?: RateInput | false;
  /** `POST token/refresh/` per client IP. Default `"60/min"`. */
  readonly refresh?: RateInput | false;
  /** `POST password/reset/` per client IP. Default `"20/hour"`. */
  readonly passwordReset?: RateInput | false;
  /**
   * `POST password/reset/` per e-mail address (case-folded, counted under its SHA-256), whether or not an account
   * has it. Over the limit the answer is the same 200, and no e-mail is sent. Default `"3/hour"`.
   */
  readonly passwordResetPerEmail?: RateInput | false;
  /** `POST password/reset/confirm/` per client IP (guessing tokens). Default `"20/hour"`. */
  readonly passwordResetConfirm?: RateInput | false;
  /** Where the counts live; default the endpoints' `store` (which must then be a counter store). */
  readonly counters?: Pick<CounterStore, "hit">;
  /** How many trusted proxies append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). Default: the header is ignored. */
  readonly numProxies?: number;
}

const DEFAULTS = { login: "30/min", refresh: "60/min", passwordReset: "20/hour", passwordResetPerEmail: "3/hour", passwordResetConfirm: "20/hour" } as const;
type Limited = keyof typeof DEFAULTS;

/** The limiters of the endpoints; `null` where off. */
export interface RestAuthLimiters {
  readonly login: RateLimiter | null;
  readonly refresh: RateLimiter | null;
  readonly passwordReset: RateLimiter | null;
  readonly passwordResetConfirm: RateLimiter | null;
  /** Counts a reset request for `email`: `"allowed"`, `"over"` (send nothing, answer as usual), or a 503 to send. */
  readonly resetEmail: (email: string, request: Request, ctx: AuthContext) => Promise<"allowed" | "over" | Response>;
}

const folded = (text: string): string => text.normalize("NFKC").toUpperCase().toLowerCase();

/** Builds the limiters once (`ConfigError` naming `rateLimits` or the store). `false` turns every limit off. */
export function restAuthLimiters(limits: RestAuthRateLimits | false | undefined, store: Partial<Pick<CounterStore, "hit">>): RestAuthLimiters {
  const off: RestAuthLimiters = { login: null, refresh: null, passwordReset: null, passwordResetConfirm: null, resetEmail: async () => "allowed" };
  if (limits === false) return off;
  if (limits !== undefined && (typeof limits !== "object" || limits === null)) throw new ConfigError("rateLimits", "must be an object or false");
  const counters = limits?.counters ?? store;
  if (typeof counters?.hit !== "function") {
    throw new ConfigError("rateLimits", "need a counter store: a `store` with counters, `rateLimits.counters`, or `rateLimits: false`");
  }
  const make = (name: Limited, key?: (request: Request) => string | null): RateLimiter | null => {
    const rate = limits?.[name] ?? DEFAULTS[name];
    if (rate === false) return null;
    const store = counters as Pick<CounterStore, "hit">;
    return rateLimiter({ rate, store, name: `rest-auth.${name}`, headers: false, numProxies: limits?.numProxies, ...(key ? { key } : {}) });
  };
  // The per-address key of a request being counted: the digest of its folded address (never the address).
  const digests = new WeakMap<Request, string>();
  const perEmail = make("passwordResetPerEmail", (request) => digests.get(request) ?? null);
  return {
    login: make("login"),
    refresh: make("refresh"),
    passwordReset: make("passwordReset"),
    passwordResetConfirm: make("passwordResetConfirm"),
    resetEmail: async (email, request, ctx) => {
      if (perEmail === null) return "allowed";
      digests.set(request, `email#${sha256Hex(folded(email))}`);
      const outcome = await perEmail(request, ctx);
      if (outcome.allowed) return "allowed";
      return outcome.response.status === 429 ? "over" : outcome.response;
    },
  };
}
