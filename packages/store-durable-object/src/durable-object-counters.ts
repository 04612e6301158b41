/**
 * `durableObjectCounters(namespace, options?)`: a `CounterStore` whose counters live in `PortcullisCounters`
 * Durable Objects, sharded by counter key. Exact and atomic (one object serialises the counters of its shard),
 * one object call per `hit`, and fail closed: an unreachable, overloaded or misbehaving object is a `StoreError`,
 * which adapters answer with 503.
 * @module
 */
import type { CounterStore, HitOptions, HitResult } from "@portcullis/core";
import { ConfigError, StoreError } from "@portcullis/core";
import type { CounterNamespace, CounterObjectRpc } from "./_platform.js";

/** Options of `durableObjectCounters`. */
export interface DurableObjectCountersOptions {
  /**
   * How many objects share the counters (1 to 1024; default 32). Each counter key lives in exactly one of them,
   * chosen by a hash of the key, so N shards spread the load of many keys over N objects (each object's soft
   * limit is about 1,000 requests per second). Changing it re-homes keys: their counts start again.
   */
  readonly shards?: number;
  /** The name prefix of the objects (`idFromName(prefix + shard)`); default `"portcullis-counters:"`. */
  readonly prefix?: string;
  /**
   * The secret that keys the shard hash (HMAC-SHA-256), so nobody outside the deployment can pick counter keys
   * (usernames) that share a victim's object. Default: derived from the namespace itself
   * (`idFromName(prefix + "shard-key")`, unpredictable outside the account); pass e.g. a secret binding to set
   * it. Changing it re-homes keys: their counts start again.
   */
  readonly shardKey?: string;
}

const DEFAULT_SHARDS = 32;
const MAX_SHARDS = 1024;

/**
 * The shard of a key: HMAC-SHA-256 of the key under the deployment's shard key, so the mapping cannot be computed
 * (nor collisions searched) from outside. The CryptoKey is imported once.
 */
function shardHasher(secret: string, shards: number): (key: string) => Promise<number> {
  const encoder = new TextEncoder();
  let cryptoKey: Promise<CryptoKey> | undefined;
  return async (key) => {
    cryptoKey ??= crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new DataView(await crypto.subtle.sign("HMAC", await cryptoKey, encoder.encode(key)));
    return mac.getUint32(0) % shards;
  };
}

function isHitResult(value: unknown): value is HitResult {
  const r = value as HitResult | null;
  return (
    typeof r === "object" && r !== null && typeof r.allowed === "boolean" && Number.isSafeInteger(r.count) &&
    (r.oldest === null || (typeof r.oldest === "number" && Number.isFinite(r.oldest)))
  );
}

/** The message of a failed call: whether the runtime called the object overloaded; never a key or a value. */
function failure(operation: string, error: unknown): StoreError {
  const overloaded = (error as { overloaded?: unknown } | null)?.overloaded === true;
  const reason = overloaded ? "the object is overloaded" : "the object call failed";
  return new StoreError(`Durable Object counters: ${operation} failed (${reason})`, { cause: error });
}

async function call<T>(operation: string, run: () => Promise<unknown>, valid: (value: unknown) => value is T): Promise<T> {
  let answer: unknown;
  try {
    answer = await run();
  } catch (error) {
    throw failure(operation, error);
  }
  if (!valid(answer)) throw new StoreError(`Durable Object counters: ${operation} gave an unexpected answer`);
  return answer;
}

function checkOptions(options: DurableObjectCountersOptions): { shards: number; prefix: string; shardKey?: string } {
  const { shards = DEFAULT_SHARDS, prefix = "portcullis-counters:", shardKey } = options;
  if (shardKey !== undefined && (typeof shardKey !== "string" || shardKey.length < 16)) {
    throw new ConfigError("shardKey", "must be a secret string of at least 16 characters");
  }
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new ConfigError("shards", `must be an integer from 1 to ${MAX_SHARDS}`);
  }
  if (typeof prefix !== "string") throw new ConfigError("prefix", "must be a string");
  return { shards, prefix, shardKey };
}

/**
 * A `CounterStore` on `PortcullisCounters` objects: pass it to throttles (`{ store }`) and to `basicAuth` /
 * `obtainTokenHandler` (`{ counters }`). Counters expire through the objects' alarms; `purgeCounters` (not
 * needed) asks every shard. Wrap it in `timeoutStore` to bound how long a request waits on an object.
 * @example
 * ```ts
 * const counters = durableObjectCounters(env.COUNTERS);
 * const throttles = [userRateThrottle("300/min", { store: counters })];
 * ```
 */
export function durableObjectCounters<Id>(namespace: CounterNamespace<Id>, options: DurableObjectCountersOptions = {}): CounterStore {
  if (typeof namespace?.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new ConfigError("namespace", "must be a Durable Object namespace binding of the PortcullisCounters class");
  }
  const { shards, prefix, shardKey } = checkOptions(options ?? {});
  // Ids are plain values, safe to keep across requests; stubs are made per call (cheap, no I/O).
  const ids = Array.from({ length: shards }, (_, i) => namespace.idFromName(`${prefix}${i}`));
  const stub = (index: number): CounterObjectRpc => namespace.get(ids[index] as Id);
  const shardOf = shardHasher(shardKey ?? `portcullis-shard:${String(namespace.idFromName(`${prefix}shard-key`))}`, shards);
  const stubFor = async (key: string) => stub(await shardOf(key));
  const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
  const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  return {
    hit(key: string, hitOptions: HitOptions): Promise<HitResult> {
      const { limit, windowMs, now, dryRun = false } = hitOptions;
      return call("hit", async () => (await stubFor(key)).hit(key, { limit, windowMs, now, dryRun }), isHitResult);
    },
    releaseHit(key: string, { at }: { readonly at: number }): Promise<boolean> {
      return call("releaseHit", async () => (await stubFor(key)).releaseHit(key, at), isBoolean);
    },
    async purgeCounters(now: number): Promise<number> {
      const counts = await Promise.all(ids.map((_, i) => call("purgeCounters", () => stub(i).purgeCounters(now), isCount)));
      return counts.reduce((sum, n) => sum + n, 0);
    },
  };
}
