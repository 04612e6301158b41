/**
 * The parts of the Workers runtime this package uses, as structural types (internal), so that it type-checks
 * without `@cloudflare/workers-types` and accepts the real objects (`DurableObjectState`, `DurableObjectNamespace`,
 * `RateLimit`) wherever they are passed.
 * @module
 */
import type { HitOptions, HitResult } from "@portcullis/core";

/** One value of a SQLite row as `ctx.storage.sql` answers it. */
export type SqlValue = string | number | ArrayBuffer | null;

/** A cursor of `ctx.storage.sql.exec(...)`. */
export interface SqlCursorLike {
  toArray(): Record<string, SqlValue>[];
}

/** `ctx.storage` of a SQLite-backed Durable Object (the methods used here). */
export interface DurableObjectStorageLike {
  readonly sql: { exec(query: string, ...bindings: (string | number | null)[]): SqlCursorLike };
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** A Durable Object's `ctx` (the methods used here). */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** The RPC surface of the counter object, as its stub exposes it. */
export interface CounterObjectRpc {
  hit(key: string, options: HitOptions): Promise<HitResult>;
  releaseHit(key: string, at: number): Promise<boolean>;
  purgeCounters(now: number): Promise<number>;
}

/** A Durable Object namespace binding whose class is `PortcullisCounters` (`env.COUNTERS`). */
export interface CounterNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): CounterObjectRpc;
}
