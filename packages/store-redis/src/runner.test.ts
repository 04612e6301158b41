/**
 * `hit` on clients that misbehave in ways a killed server does not show (test/failure.test.ts has that): a client
 * that throws synchronously, a corrupt reply, a script missing from the node's cache, and bad options. Each is a
 * rejection with a `StoreError`, never a throw out of `hit`; the script runs once by SHA and
 * once by body after `NOSCRIPT`. Clients are stand-ins here because these faults cannot be provoked on a real
 * server on demand.
 */
import { StoreError } from "@portcullis/core";
import { describe, expect, it } from "vitest";
import { redisCounters, type RedisClientLike } from "./index.js";

const OPTIONS = { limit: 5, windowMs: 60_000, now: 1_000 };

/**
 * A client of one library's shape, answering its script call (`evalsha` for ioredis, `evalSha` for node-redis) and
 * `eval` with the given functions, counting the calls by method name.
 */
function stubOf(scriptCall: "evalsha" | "evalSha") {
  return (bySha: () => unknown, byBody: () => unknown = bySha) => {
    const calls: string[] = [];
    const client = {
      [scriptCall]: (..._args: unknown[]) => (calls.push(scriptCall), bySha()),
      eval: (..._args: unknown[]) => (calls.push("eval"), byBody()),
    };
    return { client: client as unknown as RedisClientLike, calls };
  };
}

const shapes = [["ioredis", stubOf("evalsha")], ["node-redis", stubOf("evalSha")]] as const;

describe.each(shapes)("redisCounters(%s-shaped client).hit", (_name, make) => {
  it("a client that throws synchronously: hit answers a promise rejecting with a StoreError", async () => {
    const { client } = make(() => {
      throw new Error("connection is closed");
    });
    let answer: unknown;
    expect(() => (answer = redisCounters(client).hit("k", OPTIONS))).not.toThrow();
    const error = await (answer as Promise<unknown>).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).cause).toEqual(new Error("connection is closed"));
  });

  it("NOSCRIPT: runs the body once, then answers its reply", async () => {
    const { client, calls } = make(() => Promise.reject(new Error("NOSCRIPT No matching script.")), async () => [1, 1, "1000"]);
    expect(await redisCounters(client).hit("k", OPTIONS)).toEqual({ allowed: true, count: 1, oldest: 1000 });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBe("eval");
  });

  it("any other error is not retried by body, and is a StoreError", async () => {
    const { client, calls } = make(() => Promise.reject(new Error("READONLY You can't write against a read only replica.")));
    await expect(redisCounters(client).hit("k", OPTIONS)).rejects.toBeInstanceOf(StoreError);
    expect(calls).toHaveLength(1);
  });

  it("a corrupt reply is a StoreError, never an allowed hit", async () => {
    for (const reply of [null, [1, 1], ["yes", 1, ""], [1, 1.5, ""], [2, 1, ""], [1, 1, "soon"]]) {
      const { client } = make(async () => reply);
      await expect(redisCounters(client).hit("k", OPTIONS)).rejects.toThrow("Redis counter hit: unexpected answer.");
    }
  });

  it("bad options reject (a StoreError caused by a TypeError, as the deadline wraps it) before any call", async () => {
    const { client, calls } = make(async () => [1, 1, ""]);
    const missing = [undefined, null] as unknown as (typeof OPTIONS)[]; // from JavaScript callers
    for (const bad of [{ ...OPTIONS, windowMs: 0 }, { ...OPTIONS, now: Number.NaN }, { ...OPTIONS, limit: Infinity }, ...missing]) {
      let answer: unknown;
      expect(() => (answer = redisCounters(client).hit("k", bad))).not.toThrow();
      const error = await (answer as Promise<unknown>).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBeInstanceOf(TypeError);
    }
    expect(calls).toEqual([]);
  });
});
