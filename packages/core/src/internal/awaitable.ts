/**
 * Values that may or may not be promises (internal): an in-process store or scheme answers directly, and the
 * caller awaits only what is a thenable, so a synchronous answer costs no microtask.
 * @module
 */
import type { Awaitable } from "../store/types.js";

/**
 * Whether an `Awaitable` is a promise (any thenable) rather than the value itself.
 * @example
 * let found = store.findToken(digest);
 * if (isThenable(found)) found = await found;
 */
export function isThenable<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
