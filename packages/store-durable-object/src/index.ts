/**
 * @portcullis/store-durable-object: Portcullis counters on Cloudflare Workers. `PortcullisCounters` (a
 * SQLite-backed Durable Object) with the `durableObjectCounters` client: exact, atomic sliding-log counters for
 * throttles and brute-force protection. `bindingRateThrottle`: an approximate throttle on Workers' Rate Limiting
 * binding, for routes that prefer no added latency to exactness; `bindingCounters`: the binding as the (approximate)
 * counter store of `rateLimiter`.
 * @module
 */
export { PortcullisCounters } from "./counter-object.js";
export type { DurableObjectCountersOptions } from "./durable-object-counters.js";
export { durableObjectCounters } from "./durable-object-counters.js";
export type { CounterNamespace, CounterObjectRpc, DurableObjectStateLike } from "./_platform.js";
export type { BindingRateThrottleOptions, RateLimitBinding } from "./binding-throttle.js";
export { bindingRateThrottle } from "./binding-throttle.js";
export type { BindingCounters } from "./binding-counters.js";
export { bindingCounters } from "./binding-counters.js";
