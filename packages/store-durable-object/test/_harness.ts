/**
 * Runs `_rpc-worker.ts` in workerd (Miniflare, SQLite-backed Durable Objects) and gives Node a `CounterStore`
 * whose every call goes through that Worker to `durableObjectCounters` and the real `PortcullisCounters`.
 * @module
 */
import type { CounterStore, HitOptions } from "@portcullis/core";
import { StoreError } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "../../adapters/test/_workerd.js";

export const COMPATIBILITY_DATE = "2026-04-01";

/** Starts the RPC Worker with `COUNTERS` (PortcullisCounters) and `BROKEN` bound. */
export async function startCounterWorker(): Promise<Miniflare> {
  const { code } = await bundleWorker(fileURLToPath(new URL("./_rpc-worker.ts", import.meta.url)));
  return new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: {
      COUNTERS: { className: "PortcullisCounters", useSQLite: true },
      BROKEN: { className: "Broken", useSQLite: true },
    },
  });
}

interface Answer {
  result?: unknown;
  error?: { name: string; message: string; cause: string };
}

/** An error thrown in workerd, seen from Node: its name, message and the text of its cause. */
export class RemoteError extends StoreError {
  readonly remoteName: string;
  readonly causeText: string;
  constructor(error: { name: string; message: string; cause: string }) {
    super(error.message);
    this.remoteName = error.name;
    this.causeText = error.cause;
  }
}

/** A `CounterStore` in Node whose calls run `durableObjectCounters(env[binding], { prefix, shards })` in workerd. */
export function remoteCounters(mf: Miniflare, prefix: string, shards = 4, binding = "COUNTERS"): CounterStore {
  const send = async (method: string, args: unknown[]): Promise<unknown> => {
    const res = await mf.dispatchFetch("http://counters/", { method: "POST", body: JSON.stringify({ prefix, shards, binding, method, args }) });
    const answer = (await res.json()) as Answer;
    if (answer.error) throw new RemoteError(answer.error);
    return answer.result;
  };
  return {
    hit: (key: string, options: HitOptions) => send("hit", [key, options]) as ReturnType<CounterStore["hit"]>,
    releaseHit: (key: string, options: { at: number }) => send("releaseHit", [key, options]) as Promise<boolean>,
    purgeCounters: (now: number) => send("purgeCounters", [now]) as Promise<number>,
  };
}
