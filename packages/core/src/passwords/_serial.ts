/**
 * One memory-hard derivation at a time. Argon2 and scrypt allocate their whole work area up front (up to 100 MiB);
 * in JavaScript they run on the one thread anyway, so queueing them costs no throughput and keeps an isolate
 * (128 MB on Cloudflare Workers) from holding two work areas at once.
 * @module
 */

let tail: Promise<unknown> = Promise.resolve();

/** Runs `task` after every task queued before it has settled; answers what `task` answers. */
export function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = tail.then(task);
  tail = run.catch(() => undefined);
  return run;
}
