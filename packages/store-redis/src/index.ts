/**
 * @portcullis/store-redis: the Portcullis counter capability (`CounterStore`) on Redis, for exact throttles and
 * brute-force limits shared by many processes. Users and tokens stay in another store.
 * @module
 */
export { redisCounters, type RedisCounters, type RedisCountersOptions, type ThrottleCounters } from "./redis-counters.js";
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from "./_client.js";
