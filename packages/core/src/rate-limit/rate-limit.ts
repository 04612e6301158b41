/**
 * `rateLimiter`: DRF's exact sliding-log throttle as a rate limiter of its own, without authentication, with the
 * `RateLimit-Policy` / `RateLimit` fields and `Retry-After` on every 429. It counts through the same step as the
 * throttles (`CounterStore.hit`, atomic on every store) and fails closed: a store failure answers 503.
 * @module
 */
import { throttled } from "../auth-error.js";
import { ipv6PrefixLengthOf } from "../client-identity.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import { emit, reportFailure, withHook, type EventHook } from "../events.js";
import { errorToResponse, toResponse } from "../response.js";
import type { CounterStore } from "../store/types.js";
import { countedOf, hitOptionsOf } from "../throttles/_count.js";
import type { RateInput } from "../throttles/rate.js";
import { parseRate } from "../throttles/rate.js";
import { POLICY_NAME, policyField, stateField } from "./_headers.js";
import type { RateLimitContext, RateLimitKey } from "./_key.js";
import { keyResolver } from "./_key.js";

export type { RateLimitContext, RateLimitKey } from "./_key.js";

/** Options of `rateLimiter`. */
export interface RateLimiterOptions {
  /** A DRF rate (`"100/min"`) or `{ limit, windowMs }`. */
  readonly rate: RateInput;
  /**
   * Where the counters live: any Portcullis counter store (memory, D1, PostgreSQL, Redis, Durable Object), or one
   * marked `approximate` (the Rate Limiting binding's `bindingCounters`), whose counts are unknown: then the
   * `RateLimit` field is sent only on a refusal (`r=0`).
   */
  readonly store: Pick<CounterStore, "hit"> & { readonly approximate?: boolean };
  /** What a request is counted under (see `RateLimitKey`). Default `"ip"`. */
  readonly key?: RateLimitKey;
  /**
   * The policy's name in the headers and its counter namespace: limiters with the same name, rate and key share
   * counts. Default `"default"`. Letters, digits and `_ . : -`, at most 64.
   */
  readonly name?: string;
  /** Send `RateLimit-Policy` and `RateLimit` on every answer (allowed and refused). Default `true`. */
  readonly headers?: boolean;
  /** How many trusted proxies append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). Default: the header is ignored. */
  readonly numProxies?: number;
  /** How many leading bits identify an IPv6 client. Default 64. */
  readonly ipv6PrefixLength?: number;
  /** Receives `throttled` and `store.failed` events. Without it, a store failure is logged once with `console.error`. */
  readonly onEvent?: EventHook;
}

/** A rate limiter's answer: allowed with the headers to add to the response, or the response to send (429 or 503). */
export type RateLimitOutcome =
  | { readonly allowed: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly allowed: false; readonly response: Response };

/** Checks and counts one request. Never throws: a failing store answers `{ allowed: false }` with a 503. */
export type RateLimiter = (request: Request, ctx?: RateLimitContext) => Promise<RateLimitOutcome>;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY: RateLimitContext = Object.freeze({});

/**
 * Builds a rate limiter, validating its options once (`ConfigError` naming the option). Requests without a key
 * (no known client address, or a key function answering `null`) are not counted, as DRF's throttles do.
 * @example
 * const limit = rateLimiter({ rate: "100/min", store: memoryStore() });
 * const outcome = await limit(request, { clientIp: "203.0.113.7" });
 * if (!outcome.allowed) return outcome.response; // 429 with Retry-After and RateLimit, or 503
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiter {
  if (typeof options !== "object" || options === null) throw new ConfigError("options", "must be an object");
  const rate = parseRate(options.rate);
  const { store, numProxies, onEvent } = options;
  if (typeof store?.hit !== "function") throw new ConfigError("store", "must be a Portcullis counter store");
  if (numProxies !== undefined && !(Number.isSafeInteger(numProxies) && numProxies >= 0)) {
    throw new ConfigError("numProxies", "must be a non-negative integer");
  }
  const name = options.name ?? "default";
  if (typeof name !== "string" || !POLICY_NAME.test(name)) {
    throw new ConfigError("name", "must be 1 to 64 letters, digits or _ . : -");
  }
  if (options.headers !== undefined && typeof options.headers !== "boolean") throw new ConfigError("headers", "must be a boolean");
  if (onEvent !== undefined && typeof onEvent !== "function") throw new ConfigError("onEvent", "must be a function");
  const keyOf = keyResolver(options.key, numProxies, ipv6PrefixLengthOf(options.ipv6PrefixLength, "ipv6PrefixLength"));
  const headers = options.headers ?? true;
  const approximate = store.approximate === true;
  const policy = policyField(name, rate);
  const keyPrefix = `ratelimit:${name}:${rate.limit}/${rate.windowMs}:`;
  return async (request, ctx = EMPTY) => {
    const hooked = withHook(ctx, onEvent);
    try {
      const ident = await keyOf(request, hooked);
      if (ident === null) return { allowed: true, headers: NO_HEADERS };
      const now = nowOf(hooked);
      const counted = countedOf(rate, await store.hit(keyPrefix + ident, hitOptionsOf(rate, now)), now);
      const fields = !headers
        ? NO_HEADERS
        : approximate && counted.allowed
          ? { "RateLimit-Policy": policy }
          : { "RateLimit-Policy": policy, RateLimit: stateField(name, rate, counted, now) };
      if (counted.allowed) return { allowed: true, headers: fields };
      emit(hooked, { type: "throttled", scope: name, waitMs: counted.waitMs, clientIp: hooked.clientIp });
      const denial = throttled(counted.waitMs / 1000);
      return { allowed: false, response: toResponse({ ...denial, headers: { ...denial.headers, ...fields } }) };
    } catch (error) {
      reportFailure(hooked, error);
      return { allowed: false, response: errorToResponse(error) };
    }
  };
}

/**
 * Adds a limiter's headers to a response (a copy when the response's headers are immutable, as `fetch` answers are).
 * @example
 * return withHeaders(await handler(request), outcome.headers);
 */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  let target = response;
  try {
    for (const [name, value] of entries) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of entries) target.headers.set(name, value);
  }
  return target;
}
