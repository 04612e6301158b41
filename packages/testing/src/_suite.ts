/**
 * The frame of every conformance suite (internal): a `describe` whose tests each get a fresh store.
 * @module
 */
import { afterEach, beforeEach, describe } from "vitest";
import type { StoreAccessor } from "./_fixtures.js";

/** What every conformance runner accepts: `dispose` is called after each test with that test's store. */
export interface SuiteOptions<S> {
  readonly dispose?: (store: S) => void | Promise<void>;
}

/** Wraps `register` in a `describe` whose tests each get a fresh store from `makeStore`. */
export function suite<S>(label: string, makeStore: () => Promise<S> | S, options: SuiteOptions<S>, register: (store: StoreAccessor<S>) => void): void {
  describe(label, () => {
    let current: S | undefined;
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      if (current !== undefined && options.dispose) await options.dispose(current);
      current = undefined;
    });
    register(() => {
      if (current === undefined) throw new Error("conformance: no store (makeStore failed?)");
      return current;
    });
  });
}
