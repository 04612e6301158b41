/**
 * The store in real workerd (Miniflare) through Hyperdrive: Miniflare's `hyperdrives` binding reaches the local
 * PostgreSQL server, and postgres.js bundled for workerd (esbuild, wrangler's conditions, the built `dist`)
 * answers through it: migrate, issue a token, authenticate it, throttle it. postgres.js's workerd build imports
 * `node:buffer`, `node:stream` and `cloudflare:sockets`, so the Worker runs with `nodejs_compat` and the bundle
 * leaves those imports to workerd, as wrangler does.
 */
import { fileURLToPath } from "node:url";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { HAS_SERVER, announce, createDatabase, type TestDatabase } from "./_postgres.js";

announce("postgresStore in workerd through Hyperdrive", true);

let database: TestDatabase | undefined;
let mf: Miniflare | undefined;
let inputs: string[] = [];

/** Bundles the Worker as wrangler does with `nodejs_compat` (ESM, browser platform, workerd conditions, dist). */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*", "cloudflare:*"],
    tsconfigRaw: {},
    metafile: true,
    logLevel: "silent",
  });
  inputs = Object.keys(result.metafile.inputs);
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  if (!HAS_SERVER) return;
  database = await createDatabase();
  const code = await bundle(fileURLToPath(new URL("./fixtures/hyperdrive-worker.ts", import.meta.url)));
  const { Miniflare } = await import("miniflare");
  mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    hyperdrives: { HD: database.url },
  });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await database?.drop();
});

describe.skipIf(!HAS_SERVER)("postgresStore in workerd (Miniflare hyperdrives)", () => {
  it("bundles the built store, migrates, and authenticates a token through Hyperdrive", async () => {
    expect(inputs.some((file) => /store-postgres\/dist\/postgres-store\.js$/.test(file))).toBe(true);
    expect(inputs.some((file) => /postgres\/cf\/src\/index\.js$/.test(file))).toBe(true);
    const setup = await mf!.dispatchFetch("http://worker.test/setup", { method: "POST" });
    expect(setup.status).toBe(200);
    const { applied, key, username } = (await setup.json()) as { applied: string[]; key: string; username: string };
    expect(applied).toEqual(["0001_counters.sql", "0002_users_tokens.sql", "0004_sessions_jwt.sql", "0006_permissions.sql", "0007_api_keys.sql", "0008_accounts.sql", "0009_knox_tokens.sql", "0010_api_key_rotation.sql"]);
    const ok = await mf!.dispatchFetch("http://worker.test/me", { headers: { Authorization: `Token ${key}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ username });
    const bad = await mf!.dispatchFetch("http://worker.test/me", { headers: { Authorization: `Token ${"0".repeat(40)}` } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ detail: "Invalid token." });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await mf!.dispatchFetch("http://worker.test/me", { headers: { Authorization: `Token ${key}` } })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
