/**
 * The store conformance suites: the executable contract of each store capability (`UserStore`, `TokenStore`,
 * `CounterStore`). A store runs the suite of every capability it implements, unchanged, from its own test file;
 * `runStoreConformance` runs all three for a store that has them all.
 * @module
 */
import type { AccountStore, CounterStore, PermissionAdminStore, PermissionStore, SessionStore, Store, TokenStore, UserStore } from "@portcullis/core";
import { accountTests } from "./_accounts-suite.js";
import { counterTests } from "./_counters-suite.js";
import { permissionTests } from "./_permissions-suite.js";
import { sessionTests } from "./_sessions-suite.js";
import { suite } from "./_suite.js";
import { tokenCapTests } from "./_token-cap-suite.js";
import { tokenTests } from "./_tokens-suite.js";
import { userTests } from "./_users-suite.js";

/**
 * Options of the conformance runners.
 * @example
 * ```ts
 * runCounterStoreConformance("redisCounters", () => redisCounters(client), { dispose: () => client.flushdb() });
 * ```
 */
export interface ConformanceOptions<S> {
  /** Called after each test with that test's store (close connections, drop databases). */
  readonly dispose?: (store: S) => void | Promise<void>;
  /** Concurrent `hit` calls in the atomicity test; the limit is a quarter of them. Defaults to 200. */
  readonly concurrentHits?: number;
  /** Concurrent `createToken` calls (cap 5) in the `maxPerUser` atomicity test. Defaults to 30. */
  readonly concurrentTokens?: number;
}

/** Options of `runStoreConformance` (a store with every capability). */
export type StoreConformanceOptions = ConformanceOptions<Store>;

type MakeStore<S> = () => Promise<S> | S;


/**
 * Registers the `UserStore` conformance tests with vitest. `makeStore` is called before every test and must
 * answer a store holding no state from earlier tests (a new instance, or a wiped database); the suites also use
 * unique usernames and keys, so a shared store only skews purge counts.
 * @example
 * ```ts
 * runUserStoreConformance("myUsers", () => myUsers());
 * ```
 */
export function runUserStoreConformance<S extends UserStore>(name: string, makeStore: MakeStore<S>, options: ConformanceOptions<S> = {}): void {
  suite(`${name} (user store conformance)`, makeStore, options, (store) => userTests(store));
}

/**
 * Registers the `TokenStore` conformance tests. Tokens belong to users of the same backend, so the store under
 * test is a user store too (its users are created with `createUser`).
 * @example
 * ```ts
 * runTokenStoreConformance("myStore", () => myStore());
 * ```
 */
export function runTokenStoreConformance<S extends UserStore & TokenStore>(
  name: string,
  makeStore: MakeStore<S>,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (token store conformance)`, makeStore, options, (store) => {
    tokenTests(store);
    tokenCapTests(store, options.concurrentTokens ?? 30);
  });
}

/**
 * Registers the `CounterStore` conformance tests (sliding logs, atomicity under concurrency, release, purge).
 * A counters-only store (Redis, a Durable Object) runs this suite alone.
 * @example
 * ```ts
 * runCounterStoreConformance("redisCounters", () => redisCounters(client));
 * ```
 */
export function runCounterStoreConformance<S extends CounterStore>(
  name: string,
  makeStore: MakeStore<S>,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (counter store conformance)`, makeStore, options, (store) => counterTests(store, options.concurrentHits ?? 200));
}

/**
 * Registers the conformance tests of every capability, for a store that has them all (`memoryStore()`,
 * `d1Store()`).
 * @param name the label of the suites, e.g. `"memoryStore"`.
 * @param makeStore builds the store of one test.
 * @param options see `ConformanceOptions`.
 * @example
 * ```ts
 * // my-store.test.ts
 * import { runStoreConformance } from "@portcullis/testing";
 * import { myStore } from "./my-store.js";
 *
 * runStoreConformance("myStore", () => myStore());
 * ```
 */
export function runStoreConformance(name: string, makeStore: MakeStore<Store>, options: StoreConformanceOptions = {}): void {
  runUserStoreConformance(name, makeStore, options);
  runTokenStoreConformance(name, makeStore, options);
  runCounterStoreConformance(name, makeStore, options);
}

/**
 * Registers the `SessionStore` conformance tests (create, find joined with the user, delete one, all of a user,
 * the expired ones). Sessions belong to users of the same backend, so the store under test is a user store too.
 * @example
 * ```ts
 * runSessionStoreConformance("myStore", () => myStore());
 * ```
 */
export function runSessionStoreConformance<S extends UserStore & SessionStore>(
  name: string,
  makeStore: MakeStore<S>,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (session store conformance)`, makeStore, options, (store) => sessionTests(store));
}

/**
 * Registers the `PermissionStore` conformance tests. The suite sets up permissions and groups through
 * `PermissionAdminStore` and users through `UserStore`; a read-only store (Django mode) passes a store whose
 * admin methods write the backend's tables directly.
 * @example
 * ```ts
 * runPermissionStoreConformance("memoryStore", () => memoryStore());
 * ```
 */
export function runPermissionStoreConformance<S extends UserStore & PermissionStore & PermissionAdminStore>(
  name: string,
  makeStore: MakeStore<S>,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (permission store conformance)`, makeStore, options, (store) => permissionTests(store));
}

/**
 * Registers the `AccountStore` conformance tests (e-mail, names and last login; lookup by e-mail).
 * @example
 * ```ts
 * runAccountStoreConformance("myStore", () => myStore());
 * ```
 */
export function runAccountStoreConformance<S extends UserStore & AccountStore>(
  name: string,
  makeStore: MakeStore<S>,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (account store conformance)`, makeStore, options, (store) => accountTests(store));
}
