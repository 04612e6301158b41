/**
 * The example's wrangler.jsonc as Miniflare options (tests): its entry, compatibility date, D1 binding, Durable
 * Object bindings (SQLite-backed, as its `new_sqlite_classes` migration declares) and Rate Limiting bindings.
 * @module
 */
import { readFileSync } from "node:fs";

interface WranglerConfig {
  main: string;
  compatibility_date: string;
  d1_databases: { binding: string; database_id: string }[];
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  migrations?: { new_sqlite_classes?: string[] }[];
  ratelimits?: { name: string; simple: { limit: number; period: 10 | 60 } }[];
}

export const here = new URL("../", import.meta.url);
const jsonc = readFileSync(new URL("wrangler.jsonc", here), "utf8");
export const config = JSON.parse(jsonc.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "")) as WranglerConfig;

/** The Durable Object and Rate Limiting bindings of wrangler.jsonc, in Miniflare's terms. */
export function workerBindings() {
  const sqlite = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects = Object.fromEntries(
    (config.durable_objects?.bindings ?? []).map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }]),
  );
  const ratelimits = Object.fromEntries((config.ratelimits ?? []).map((r) => [r.name, { simple: r.simple }]));
  return { durableObjects, ratelimits };
}
