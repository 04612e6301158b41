/**
 * Exactness across processes, on a real redis-server: 4 processes (two on ioredis, two on node-redis), each
 * with its own Hono app and memory user store, share only the Redis counters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcesses } from "./_processes.js";
import { redisMissing, sharedRedis } from "./_redis.js";

const CLIENTS = ["ioredis", "node-redis", "ioredis", "node-redis"] as const;

describe.skipIf(redisMissing)("4 processes sharing Redis counters", () => {
  let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
  beforeAll(async () => {
    server = await sharedRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  it("200 concurrent requests against a 50/min throttle: exactly 50 get through", async () => {
    const prefix = `multi:${process.pid}:${Date.now()}:throttle:`;
    const reports = await runProcesses(CLIENTS.map((client) => ({ url: server!.url, prefix, client, scenario: "throttle", requests: 50 })));
    const statuses = reports.flatMap((report) => report.statuses);
    expect(statuses).toHaveLength(200);
    expect(count(statuses, 200)).toBe(50);
    expect(count(statuses, 429)).toBe(150);
    // Every process took part in the race (none ran alone before the others started).
    for (const report of reports) expect(report.statuses).toHaveLength(50);
  }, 120_000);

  it("40 concurrent wrong passwords for one user: exactly 5 password checks, the rest 429", async () => {
    const prefix = `multi:${process.pid}:${Date.now()}:login:`;
    const reports = await runProcesses(CLIENTS.map((client) => ({ url: server!.url, prefix, client, scenario: "wrong-passwords", requests: 10 })));
    const statuses = reports.flatMap((report) => report.statuses);
    expect(statuses).toHaveLength(40);
    expect(reports.reduce((sum, report) => sum + report.checks, 0)).toBe(5);
    expect(count(statuses, 401)).toBe(5);
    expect(count(statuses, 429)).toBe(35);
  }, 120_000);
});
