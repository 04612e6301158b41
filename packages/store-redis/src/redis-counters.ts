/**
 * `redisCounters(client)`: the Portcullis counter capability (`CounterStore`) on Redis, shared by every process
 * that talks to the same server or cluster.
 * @module
 */
import type { CounterStore, HitOptions, HitResult } from "@portcullis/core";
import { ConfigError, StoreError, timeoutStore } from "@portcullis/core";
import { z } from "zod";
import { isRedisClient, scriptRunner, type RedisClientLike, type ScriptRunner } from "./_client.js";
import { keysOf, logOfMeta, metaPattern } from "./_keys.js";
import { HIT, PURGE, RELEASE, type Script } from "./_scripts.js";

/**
 * Options of `redisCounters`.
 * @example
 * ```ts
 * const counters = redisCounters(redis, { prefix: "myapp:rl:", timeoutMs: 250 });
 * ```
 */
export interface RedisCountersOptions {
  /** Prepended to every Redis key (no braces: the hash tag is ours). Default `"portcullis:"`. */
  readonly prefix?: string;
  /** The longest one counter call may take before it fails with `StoreError` (so 503). Default 1000 ms. */
  readonly timeoutMs?: number;
  /**
   * What the `throttles` view answers when Redis fails or is too slow: `"closed"` (default) throws
   * `StoreError`, so the request gets 503, as with every Portcullis store; `"open"` lets the request through
   * uncounted. Brute-force protection never fails open: it uses the store itself, whose methods always throw.
   */
  readonly throttleFailure?: "closed" | "open";
  /** With `throttleFailure: "open"`: called with each failure the `throttles` view let through (for your logs). */
  readonly onThrottleFailure?: (error: StoreError) => void;
}

/**
 * The only method a rate throttle calls: what `RedisCounters.throttles` is. It cannot count logins.
 * @example
 * ```ts
 * const view: ThrottleCounters = redisCounters(redis, { throttleFailure: "open" }).throttles;
 * userRateThrottle("100/min", { store: view });
 * ```
 */
export interface ThrottleCounters {
  hit(key: string, options: HitOptions): Promise<HitResult>;
}

/**
 * A Redis-backed `CounterStore`, plus the view its rate throttles should use.
 * @example
 * ```ts
 * const counters: RedisCounters = redisCounters(redis);
 * basicAuth({ users, counters });
 * anonRateThrottle("100/day", { store: counters.throttles });
 * ```
 */
export interface RedisCounters extends CounterStore {
  /**
   * For `anonRateThrottle`, `userRateThrottle`, `scopedRateThrottle` (`{ store: counters.throttles }`): the same
   * counters, failing open when `throttleFailure: "open"` was chosen. It has no `releaseHit`, so `basicAuth` and
   * `obtainTokenHandler` refuse it as `counters` (`ConfigError`): give them the store itself.
   */
  readonly throttles: ThrottleCounters;
}

const OPTIONS = z.strictObject({
  prefix: z.string().min(1).max(200).regex(/^[^{}\r\n]*$/, "must not contain braces or line breaks").optional(),
  timeoutMs: z.number().int().positive().max(60_000).optional(),
  throttleFailure: z.enum(["closed", "open"]).optional(),
  onThrottleFailure: z.custom<(error: StoreError) => void>((value) => typeof value === "function", "must be a function").optional(),
});

/** Validates the options once, naming the option at fault; never mutates the caller's object. */
function parseOptions(options: RedisCountersOptions): Required<Omit<RedisCountersOptions, "onThrottleFailure">> & RedisCountersOptions {
  const parsed = OPTIONS.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.code === "unrecognized_keys" ? issue.keys[0] : issue?.path[0];
    throw new ConfigError(typeof option === "string" ? option : "options", issue?.message ?? "invalid");
  }
  const { prefix = "portcullis:", timeoutMs = 1000, throttleFailure = "closed", onThrottleFailure } = parsed.data;
  if (onThrottleFailure && throttleFailure !== "open") {
    throw new ConfigError("onThrottleFailure", 'only applies with throttleFailure: "open"');
  }
  return { prefix, timeoutMs, throttleFailure, onThrottleFailure };
}

/** Runs one script, turning any failure into `StoreError` (the backend's error as `cause`, no key in the text). */
async function runScript(runner: ScriptRunner, script: Script, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await runner.run(script, keys, args);
  } catch (error) {
    throw new StoreError(`Redis counter ${script.name} failed.`, { cause: error });
  }
}

/** A reply element as a string or number, anything else as `NaN` (which every check below refuses). */
function scalar(value: unknown): string | number {
  return typeof value === "string" || typeof value === "number" ? value : NaN;
}

/** Reads the hit script's answer; anything else is a corrupt answer. */
function hitResultOf(reply: unknown): HitResult {
  if (Array.isArray(reply) && reply.length === 3) {
    const allowed = scalar(reply[0]);
    const count = scalar(reply[1]);
    const oldest = scalar(reply[2]);
    const oldestAt = oldest === "" ? null : Number(oldest);
    if ((allowed === 0 || allowed === 1) && Number.isSafeInteger(count) && (oldestAt === null || Number.isFinite(oldestAt))) {
      return { allowed: allowed === 1, count: Number(count), oldest: oldestAt };
    }
  }
  throw new StoreError("Redis counter hit: unexpected answer.");
}

/** A failed hit script call, as the store reports it (the cause kept, never in the message). */
function hitFailed(error: unknown): StoreError {
  return new StoreError(`Redis counter ${HIT.name} failed.`, { cause: error });
}

/** The store, without timeouts. */
function baseCounters(runner: ScriptRunner, prefix: string): CounterStore {
  return {
    // The hot path: one `then` on the script's reply (no suspended async frame while Redis answers). Bad options
    // and a synchronous throw are rejections, as from the async function this was.
    hit(key, options) {
      // Read here, not in the parameter list: missing options are a rejection too, never a synchronous throw.
      const { limit, windowMs, now, dryRun = false } = options ?? ({} as Partial<typeof options>);
      if (!(Number.isFinite(limit) && Number.isFinite(windowMs) && Number.isFinite(now)) || !(windowMs > 0)) {
        return Promise.reject(new TypeError("redisCounters.hit: limit, windowMs (> 0) and now must be finite numbers"));
      }
      const args = [String(now), String(windowMs), String(limit), dryRun ? "1" : "0"];
      let reply: Promise<unknown>;
      try {
        reply = runner.run(HIT, keysOf(prefix, key), args);
      } catch (error) {
        return Promise.reject(hitFailed(error));
      }
      return reply.then(hitResultOf, (error: unknown) => {
        throw hitFailed(error);
      });
    },
    async releaseHit(key, { at }) {
      if (!Number.isFinite(at)) return false; // no hit was ever recorded at such a time
      return (await runScript(runner, RELEASE, keysOf(prefix, key), [String(at)])) === 1;
    },
    async purgeCounters(now) {
      if (!Number.isFinite(now)) throw new TypeError("redisCounters.purgeCounters: now must be a finite number");
      let purged = 0;
      try {
        for await (const metas of runner.scan(metaPattern(prefix))) {
          const done = metas.map((meta) => runScript(runner, PURGE, [logOfMeta(meta), meta], [String(now)]));
          for (const reply of await Promise.all(done)) purged += reply === 1 ? 1 : 0;
        }
      } catch (error) {
        throw error instanceof StoreError ? error : new StoreError("Redis counter purgeCounters failed.", { cause: error });
      }
      return purged;
    },
  };
}

/**
 * `timeoutStore`'s rule for `hit`, without its Proxy and extra async layer (this is every throttled request's
 * path): settles within `timeoutMs` or rejects with `StoreError`; any other error becomes a `StoreError`.
 */
function withDeadline(call: Promise<HitResult>, timeoutMs: number): Promise<HitResult> {
  // One promise and one timer per call (no deadline promise, no Promise.race and its derived promises).
  return new Promise<HitResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreError(`Store call hit timed out after ${timeoutMs} ms.`)), timeoutMs);
    call.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof StoreError ? error : new StoreError("Store call hit failed.", { cause: error }));
      },
    );
  });
}

const FAILED_OPEN: HitResult = Object.freeze({ allowed: true, count: 0, oldest: null });

/** The `throttles` view: the store's `hit` alone, failing open only when asked to. */
function throttleView(hit: CounterStore["hit"], options: RedisCountersOptions): ThrottleCounters {
  if (options.throttleFailure !== "open") return Object.freeze({ hit });
  const { onThrottleFailure } = options;
  return Object.freeze({
    async hit(key: string, hitOptions: HitOptions) {
      try {
        return await hit(key, hitOptions);
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        onThrottleFailure?.(error);
        return FAILED_OPEN;
      }
    },
  });
}

/**
 * Sliding-log counters in Redis, for throttles and brute-force protection across any number of processes. Each
 * operation is one atomic Lua script, called by SHA (`EVALSHA`, the body is sent once per node when Redis answers
 * `NOSCRIPT`); a counter's keys carry a TTL, so no purge job is needed; a counter's two keys share a Redis
 * Cluster hash tag. Redis failures and calls slower than `timeoutMs` throw `StoreError` (503, fail closed);
 * only the `throttles` view may fail open, and only with `throttleFailure: "open"`.
 * @param client an `ioredis` `Redis`/`Cluster` or a connected `redis` (node-redis) client/cluster; yours to
 * connect and close.
 * @param options see `RedisCountersOptions`.
 * @throws ConfigError when `client` is not a Redis client or an option is invalid.
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { basicAuth, userRateThrottle } from "@portcullis/core";
 * import { redisCounters } from "@portcullis/store-redis";
 *
 * const counters = redisCounters(new Redis(process.env.REDIS_URL), { throttleFailure: "open" });
 * const policy = {
 *   schemes: [basicAuth({ users, counters })],                            // brute-force: always fail closed
 *   throttles: [userRateThrottle("100/min", { store: counters.throttles })], // may fail open
 * };
 * ```
 */
export function redisCounters(client: RedisClientLike, options: RedisCountersOptions = {}): RedisCounters {
  if (!isRedisClient(client)) throw new ConfigError("client", "must be an ioredis or node-redis client");
  const parsed = parseOptions(options);
  const base = baseCounters(scriptRunner(client), parsed.prefix);
  const timed = timeoutStore({ releaseHit: base.releaseHit }, { timeoutMs: parsed.timeoutMs });
  const hit: CounterStore["hit"] = (key, hitOptions) => withDeadline(base.hit(key, hitOptions), parsed.timeoutMs);
  return Object.freeze({
    hit,
    releaseHit: (key: string, releaseOptions: { readonly at: number }) => timed.releaseHit(key, releaseOptions),
    purgeCounters: base.purgeCounters,
    throttles: throttleView(hit, parsed),
  });
}
