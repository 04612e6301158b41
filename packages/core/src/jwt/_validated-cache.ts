/**
 * A bounded map of tokens that passed every check of one `jwtAuth`, keyed by the raw token (internal). Keyed by
 * the token itself, not a digest, so that a hit costs one `Map` lookup (in workerd a SHA-256 in JavaScript costs
 * about what the HS256 check it would skip does). The raw token stays in this process's memory only, as it already
 * is in the request being served; it is never stored, logged or sent anywhere. V8 compares a key's full hash before
 * its characters, so a probe learns nothing about a cached token from timing without first matching that hash.
 * @module
 */

/** Remembered entries by raw token. */
export interface ValidatedCache<T> {
  /** The entry of `raw`, or `undefined` (possibly past `untilMs`: the caller re-checks time on every hit). */
  get(raw: string): T | undefined;
  /** Remembers `value` until `untilMs` (dropped at once when that has passed). */
  set(raw: string, value: T, untilMs: number, nowMs: number): void;
}

/** A cache of at most `size` entries, the oldest going first; `size` 0 remembers nothing. */
export function validatedCache<T>(size: number): ValidatedCache<T> {
  const entries = new Map<string, { readonly value: T; readonly untilMs: number }>();
  return {
    get(raw) {
      return entries.get(raw)?.value;
    },
    // An expired entry is not served (the caller re-checks the time claims on every hit) and leaves with the oldest.
    set(raw, value, untilMs, nowMs) {
      if (size === 0 || !(untilMs > nowMs)) return;
      if (entries.size >= size) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(raw, { value, untilMs });
    },
  };
}
