/**
 * The two client libraries behind one small seam (internal): `ioredis` (`Redis` or `Cluster`) and `redis`
 * (node-redis `createClient` or `createCluster`). `redisCounters` needs three things of a connection: run a
 * script by SHA, run it by body, and list keys by pattern on every master.
 * @module
 */
import type { Script } from "./_scripts.js";

/**
 * The `ioredis` methods `redisCounters` uses (a `Redis` or a `Cluster` instance has them).
 * @example
 * ```ts
 * const client: IoRedisLike = new Redis(process.env.REDIS_URL); // or new Cluster([...])
 * ```
 */
export interface IoRedisLike {
  evalsha(sha: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  scan(cursor: string, match: "MATCH", pattern: string, count: "COUNT", hint: number): Promise<[string, string[]]>;
  /** Present on `Cluster`: the masters, each scanned for `purgeCounters`. */
  nodes?: (role: "master") => IoRedisLike[];
}

/**
 * The `redis` (node-redis) methods `redisCounters` uses (a client or a cluster has them).
 * @example
 * ```ts
 * const client: NodeRedisLike = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 */
export interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Absent on a cluster, whose masters are scanned through `nodeClient`. */
  scan?: (cursor: string, options: { MATCH: string; COUNT: number }) => Promise<{ cursor: string; keys: string[] }>;
  readonly masters?: readonly unknown[];
  nodeClient?: (node: never) => Promise<unknown>;
}

/**
 * An application's Redis connection: an `ioredis` or a `redis` (node-redis) client, single node or cluster.
 * @example
 * ```ts
 * const client: RedisClientLike = useCluster ? new Cluster(nodes) : new Redis(url);
 * redisCounters(client);
 * ```
 */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** The seam: runs a script (by SHA, falling back to its body on `NOSCRIPT`) and lists keys on every master. */
export interface ScriptRunner {
  run(script: Script, keys: string[], args: string[]): Promise<unknown>;
  scan(pattern: string): AsyncGenerator<string[]>;
}

/** Whether `value` can be handed to `redisCounters`. */
export function isRedisClient(value: unknown): value is RedisClientLike {
  const client = value as Partial<IoRedisLike & NodeRedisLike> | null | undefined;
  return typeof client?.eval === "function" && (typeof client.evalsha === "function" || typeof client.evalSha === "function");
}

/** Redis answers `NOSCRIPT` when the script is not cached on that node (first call, restart, `SCRIPT FLUSH`). */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** A client call as a promise: its own when it answers one, a rejection when it throws synchronously. */
function settled(call: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The runner for either client library. */
export function scriptRunner(client: RedisClientLike): ScriptRunner {
  return "evalSha" in client && typeof client.evalSha === "function" ? nodeRedisRunner(client) : ioRedisRunner(client as IoRedisLike);
}

function ioRedisRunner(client: IoRedisLike): ScriptRunner {
  return {
    // One `then` on the client's reply, not an async function: a hit waiting on Redis holds no suspended frame
    // (every throttled request's path; bench/NOTES.md, eighth pass). A synchronous throw is still a rejection.
    run(script, keys, args) {
      return settled(() => client.evalsha(script.sha, keys.length, ...keys, ...args)).then(undefined, (error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(script.body, keys.length, ...keys, ...args);
      });
    },
    async *scan(pattern) {
      for (const node of typeof client.nodes === "function" ? client.nodes("master") : [client]) {
        let cursor = "0";
        do {
          const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
          cursor = next;
          yield keys;
        } while (cursor !== "0");
      }
    },
  };
}

type NodeScan = NonNullable<NodeRedisLike["scan"]>;

function nodeRedisRunner(client: NodeRedisLike): ScriptRunner {
  return {
    run(script, keys, args) {
      const options = { keys, arguments: args };
      return settled(() => client.evalSha(script.sha, options)).then(undefined, (error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(script.body, options);
      });
    },
    async *scan(pattern) {
      for (const scan of await nodeRedisScanners(client)) {
        let cursor = "0";
        do {
          const reply = await scan(cursor, { MATCH: pattern, COUNT: 500 });
          cursor = String(reply.cursor);
          yield reply.keys.map(String);
        } while (cursor !== "0");
      }
    },
  };
}

/** The `scan` of a single client, or of each master of a cluster. */
async function nodeRedisScanners(client: NodeRedisLike): Promise<NodeScan[]> {
  if (typeof client.scan === "function") return [client.scan.bind(client)];
  const { masters, nodeClient } = client;
  if (!masters || typeof nodeClient !== "function") throw new TypeError("node-redis client without scan or masters");
  const clients = await Promise.all(masters.map((master) => nodeClient.call(client, master as never)));
  return clients.map((node) => {
    const scan = (node as Partial<NodeRedisLike>).scan;
    if (typeof scan !== "function") throw new TypeError("node-redis cluster node without scan");
    return scan.bind(node);
  });
}
