/**
 * A Worker for the tests (bundled by `_harness.ts` and run in workerd): it exports the counter object and answers
 * `POST /` `{ prefix, shards, binding, method, args }` by calling `durableObjectCounters(env[binding])`, so both
 * the client and the object run in workerd. `Broken` is an object whose every call throws.
 */
import { DurableObject } from "cloudflare:workers";
import type { CounterStore } from "@portcullis/core";
import { durableObjectCounters, type CounterNamespace } from "@portcullis/store-durable-object";

export { PortcullisCounters } from "@portcullis/store-durable-object";

export class Broken extends DurableObject {
  hit(): never {
    throw new Error("object failure (its message must not reach the client)");
  }
}

interface Call {
  prefix: string;
  shards: number;
  binding: "COUNTERS" | "BROKEN";
  method: "hit" | "releaseHit" | "purgeCounters";
  args: unknown[];
}

export default {
  async fetch(request: Request, env: Record<string, CounterNamespace>): Promise<Response> {
    const call = (await request.json()) as Call;
    const store = durableObjectCounters(env[call.binding] as CounterNamespace, { prefix: call.prefix, shards: call.shards });
    const method = store[call.method] as (this: CounterStore, ...args: unknown[]) => Promise<unknown>;
    try {
      return Response.json({ result: await method.apply(store, call.args) });
    } catch (error) {
      const { name, message } = error as Error;
      return Response.json({ error: { name, message, cause: String((error as Error).cause) } });
    }
  },
};
