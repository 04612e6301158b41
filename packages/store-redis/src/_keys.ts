/**
 * Redis key names of a counter (internal): `<prefix>{<counter key>}:log` and `<prefix>{<counter key>}:meta`.
 * The braces are a Redis Cluster hash tag: both keys hash on the counter key alone, so they share a slot and one
 * script may touch both; different counters spread over the cluster.
 *
 * A hash tag ends at the first `}` and an empty one (`{}`) is ignored, so the counter key is escaped: `%`, `{`
 * and `}` become `%25`, `%7B`, `%7D` (one-to-one, so distinct counter keys stay distinct), and the empty key
 * becomes `%` (which escaping never produces alone).
 * @module
 */

/** The counter key as the text of its hash tag: no braces, never empty. */
export function tagOf(key: string): string {
  if (key === "") return "%";
  return key.replace(/[%{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** The two Redis keys of one counter: its log (sorted set) and its meta hash. */
export function keysOf(prefix: string, key: string): [log: string, meta: string] {
  const base = `${prefix}{${tagOf(key)}}`;
  return [`${base}:log`, `${base}:meta`];
}

/** The `SCAN MATCH` pattern of every counter's meta key under `prefix` (glob characters of the prefix escaped). */
export function metaPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}{*}:meta`;
}

/** The log key of the counter whose meta key is `meta`. */
export function logOfMeta(meta: string): string {
  return `${meta.slice(0, -":meta".length)}:log`;
}
