/**
 * Redis Cluster: a real one-node cluster (`--cluster-enabled yes`, every slot on the node), which refuses a
 * script whose keys hash to different slots (CROSSSLOT) just as a many-node cluster does. The conformance suite
 * runs unchanged through ioredis' `Cluster` and node-redis' `createCluster`, so a counter's keys share a slot.
 */
import { runCounterStoreConformance } from "@portcullis/testing";
import { execFileSync } from "node:child_process";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCounters } from "../src/index.js";
import { hasRedisServer, redisMissing, startRedis, type RedisServer } from "./_redis.js";

let server: RedisServer | undefined;
let ioCluster: Cluster | undefined;
let nodeCluster: ReturnType<typeof createCluster> | undefined;
let run = 0;
const prefix = (client: string) => `cluster:${client}:${Date.now()}:${++run}:`;

async function clusterReady(port: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const info = execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "CLUSTER", "INFO"], { encoding: "utf8" });
    if (info.includes("cluster_state:ok")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("one-node cluster never reached cluster_state:ok");
}

// Needs a redis-server binary of its own (PORTCULLIS_REDIS_URL is not a cluster).
describe.skipIf(redisMissing || !hasRedisServer)("redisCounters on a one-node Redis Cluster", () => {
  beforeAll(async () => {
    server = await startRedis(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-announce-ip", "127.0.0.1"]);
    execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(server.port), "CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    await clusterReady(server.port);
    ioCluster = new Cluster([{ host: "127.0.0.1", port: server.port }]);
    nodeCluster = createCluster({ rootNodes: [{ url: server.url }] });
    await nodeCluster.connect();
  });

  afterAll(async () => {
    ioCluster?.disconnect();
    nodeCluster?.destroy();
    await server?.stop();
  });

  it("refuses a script over keys of two slots (what the hash tags avoid)", async () => {
    const error = await ioCluster!.eval("return 1", 2, "a:log", "a:meta").catch((e: unknown) => e);
    expect(String(error)).toMatch(/CROSSSLOT/);
  });

  runCounterStoreConformance("redisCounters (ioredis Cluster)", () => redisCounters(ioCluster!, { prefix: prefix("ioredis") }));
  runCounterStoreConformance("redisCounters (node-redis cluster)", () => redisCounters(nodeCluster!, { prefix: prefix("node-redis") }));
});
