/**
 * The store conformance suite: the executable contract of the `Store` interface. Every store runs it
 * unchanged from its own test file.
 * @module
 */
import { afterEach, beforeEach, describe } from "vitest";
import type { Store } from "../store/types.js";
import { counterTests } from "./_counters-suite.js";
import { tokenCapTests } from "./_token-cap-suite.js";
import { tokenTests } from "./_tokens-suite.js";
import { userTests } from "./_users-suite.js";

/**
 * Options of `runStoreConformance`.
 * @example
 * ```ts
 * runStoreConformance("redisStore", () => redisStore(client), { dispose: () => client.flushdb() });
 * ```
 */
export interface StoreConformanceOptions {
  /** Called after each test with that test's store (close connections, drop databases). */
  readonly dispose?: (store: Store) => void | Promise<void>;
  /** Concurrent `hit` calls in the atomicity test; the limit is a quarter of them. Defaults to 200. */
  readonly concurrentHits?: number;
  /** Concurrent `createToken` calls (cap 5) in the `maxPerUser` atomicity test. Defaults to 30. */
  readonly concurrentTokens?: number;
}

/**
 * Registers the conformance tests of a store with vitest (`describe`/`it`). `makeStore` is called before
 * every test and must answer a store holding no state from earlier tests (a new instance, or a wiped
 * database); the suite also uses unique usernames and keys, so a shared store only skews purge counts.
 * @param name the label of the suite, e.g. `"memoryStore"`.
 * @param makeStore builds the store of one test.
 * @param options see `StoreConformanceOptions`.
 * @example
 * ```ts
 * // my-store.test.ts
 * import { runStoreConformance } from "@portcullis/core/testing";
 * import { myStore } from "./my-store.js";
 *
 * runStoreConformance("myStore", () => myStore());
 * ```
 */
export function runStoreConformance(
  name: string,
  makeStore: () => Promise<Store> | Store,
  options: StoreConformanceOptions = {},
): void {
  const { dispose, concurrentHits = 200, concurrentTokens = 30 } = options;
  describe(`${name} (store conformance)`, () => {
    let current: Store | undefined;
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      if (current && dispose) await dispose(current);
      current = undefined;
    });
    const store = (): Store => {
      if (!current) throw new Error("runStoreConformance: no store (makeStore failed?)");
      return current;
    };
    userTests(store);
    tokenTests(store);
    tokenCapTests(store, concurrentTokens);
    counterTests(store, concurrentHits);
  });
}
