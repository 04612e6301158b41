import { runCounterStoreConformance } from "@portcullis/testing";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe } from "vitest";
import { redisMissing, sharedRedis } from "../test/_redis.js";
import { redisCounters } from "./redis-counters.js";

let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
let ioredis: Redis | undefined;
let nodeRedis: ReturnType<typeof createClient> | undefined;
let run = 0;

/** Each test gets counters under a prefix of its own, so purge counts see only that test's counters. */
const prefix = (client: string) => `conformance:${client}:${process.pid}:${Date.now()}:${++run}:`;

describe.skipIf(redisMissing)("redisCounters on a real redis-server", () => {
  beforeAll(async () => {
    server = await sharedRedis();
    ioredis = new Redis(server.url, { lazyConnect: true });
    await ioredis.connect();
    nodeRedis = createClient({ url: server.url });
    await nodeRedis.connect();
  });

  afterAll(async () => {
    ioredis?.disconnect();
    nodeRedis?.destroy();
    await server?.stop();
  });

  runCounterStoreConformance("redisCounters (ioredis)", () => redisCounters(ioredis!, { prefix: prefix("ioredis") }));
  runCounterStoreConformance("redisCounters (node-redis)", () => redisCounters(nodeRedis!, { prefix: prefix("node-redis") }));
});
