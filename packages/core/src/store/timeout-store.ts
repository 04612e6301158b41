/**
 * `timeoutStore`: a store (of any capability) whose every call fails with `StoreError` when the backend takes longer than a limit,
 * so that a hanging database fails closed (503) instead of holding requests open.
 * @module
 */
import { ConfigError, StoreError } from "../errors.js";

/** Options of `timeoutStore`. */
export interface TimeoutStoreOptions {
  /** The longest a store call may take, in ms. Default 5000. */
  readonly timeoutMs?: number;
}

type StoreMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * Wraps a store so that every call settles within `timeoutMs`: late calls reject with `StoreError`
 * (`"Store call <method> timed out after <ms> ms."`); errors that are not `StoreError` are wrapped in one.
 * The backend's own call is not cancelled (stores have no cancellation); its late result is ignored.
 * @example
 * const store = timeoutStore(d1Store(env.DB), { timeoutMs: 2000 });
 * const counters = timeoutStore(redisCounters, { timeoutMs: 250 });
 */
export function timeoutStore<S extends object>(store: S, options: TimeoutStoreOptions = {}): S {
  const { timeoutMs = 5000 } = options;
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) throw new ConfigError("timeoutMs", "must be a positive integer");
  if (!hasMethods(store)) throw new ConfigError("store", "must be a Portcullis store (of any capability)");
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const method = value as StoreMethod;
      return (...args: unknown[]) => withTimeout(String(property), timeoutMs, () => method.apply(target, args));
    },
  });
}

/** Whether `value` is an object with at least one method (own or inherited, as a class instance has). */
function hasMethods(value: unknown): value is object {
  for (let level: unknown = value; typeof level === "object" && level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
    const names = Object.getOwnPropertyNames(level).filter((name) => name !== "constructor");
    if (names.some((name) => typeof Reflect.get(value as object, name) === "function")) return true;
  }
  return false;
}

async function withTimeout<T>(name: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError(`Store call ${name} timed out after ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Store call ${name} failed.`, { cause: error });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
