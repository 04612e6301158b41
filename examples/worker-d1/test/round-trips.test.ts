/**
 * Round trips per request kind: the example Worker in workerd with its D1 binding, Durable Object namespace and
 * Rate Limiting binding wrapped to count calls (`_counting-worker.ts`). The table asserted here is the one printed
 * in packages/store-durable-object/README.md (this test checks that the README holds it verbatim).
 */
import { hashPassword, issueToken } from "@portcullis/core";
import { d1Store, migrate, type D1DatabaseLike } from "@portcullis/store-d1";
import type { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, eventually, startWorkers } from "../../../packages/adapters/test/_workerd.js";
import { config, workerBindings } from "./_wrangler.js";

interface Counts {
  d1Reads: number;
  d1Writes: number;
  objectCalls: number;
  bindingCalls: number;
}

let mf: Miniflare;
let key: string;
let basic: string;

beforeAll(async () => {
  const { code } = await bundleWorker(fileURLToPath(new URL("./_counting-worker.ts", import.meta.url)));
  const d1 = config.d1_databases[0] as { binding: string; database_id: string };
  mf = startWorkers({
    counted: { code, compatibilityDate: config.compatibility_date, d1Databases: { [d1.binding]: d1.database_id }, ...workerBindings() },
  });
  const db = (await mf.getD1Database(d1.binding)) as unknown as D1DatabaseLike;
  await migrate(db);
  const store = d1Store(db);
  const carol = await store.createUser({ username: "carol", passwordHash: await hashPassword("carol-pw") });
  key = (await issueToken(store, carol.id)).key;
  basic = `Basic ${btoa("carol:carol-pw")}`;
});

afterAll(async () => {
  await mf?.dispose();
});

let nextIp = 1;
async function measure(path: string, init: { method?: string; authorization?: string; body?: unknown } = {}): Promise<{ status: number } & Counts> {
  await (await mf.dispatchFetch("https://example.com/__counts")).json();
  const headers: Record<string, string> = { "CF-Connecting-IP": `192.0.2.${nextIp++}` };
  if (init.authorization) headers.Authorization = init.authorization;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await mf.dispatchFetch(`https://example.com${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  await res.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 50)); // background work (waitUntil) is counted too
  const counts = (await (await mf.dispatchFetch("https://example.com/__counts")).json()) as Counts;
  return { status: res.status, ...counts };
}

/** Request kind → [status, D1 reads, D1 writes, Durable Object calls, Rate Limiting binding calls]. */
type Row = readonly [string, () => Promise<{ status: number } & Counts>, readonly [number, number, number, number, number]];

const ROWS: Row[] = [
  ["`GET /api/me`, valid token (D1 token check, user throttle on the object)", () => measure("/api/me", { authorization: `Token ${key}` }), [200, 1, 0, 1, 0]],
  ["`GET /api/me`, unknown token (401)", () => measure("/api/me", { authorization: `Token ${"f".repeat(40)}` }), [401, 1, 0, 0, 0]],
  ["`GET /api/me`, no credentials (401, before any throttle)", () => measure("/api/me"), [401, 0, 0, 0, 0]],
  ["`GET /api/articles`, anonymous (anon and user throttles)", () => measure("/api/articles"), [200, 0, 0, 2, 0]],
  ["`GET /api/ping`, token not yet cached in this isolate (binding throttle)", () => measure("/api/ping", { authorization: `Token ${key}` }), [200, 1, 0, 0, 1]],
  ["`GET /api/ping`, token cached (within 5 s)", () => measure("/api/ping", { authorization: `Token ${key}` }), [200, 0, 0, 0, 1]],
  ["`GET /api/me`, Basic (user read; brute-force reserve + release by username and by IP; user throttle)", () =>
    measure("/api/me", { authorization: basic }), [200, 1, 0, 5, 0]],
  ["`POST /api-token-auth/` (login: user read; brute-force reserve + release by username and by IP; token insert)", () =>
    measure("/api-token-auth/", { method: "POST", body: { username: "carol", password: "carol-pw" } }), [200, 1, 1, 4, 0]],
];

function render(rows: readonly (readonly [string, readonly number[]])[]): string {
  const lines = ["| request | status | D1 reads | D1 writes | object calls | binding calls |", "| --- | ---: | ---: | ---: | ---: | ---: |"];
  for (const [label, values] of rows) lines.push(`| ${label} | ${values.join(" | ")} |`);
  return lines.join("\n");
}

describe("example Worker: round trips per request kind", () => {
  it("an authenticated request makes one D1 read, no D1 write and at most one object call per throttle kind", async () => {
    const measured: [string, number[]][] = [];
    for (const [label, run] of ROWS) {
      const m = await run();
      measured.push([label, [m.status, m.d1Reads, m.d1Writes, m.objectCalls, m.bindingCalls]]);
    }
    expect(render(measured)).toBe(render(ROWS.map(([label, , expected]) => [label, expected])));
    const readme = readFileSync(new URL("../../../packages/store-durable-object/README.md", import.meta.url), "utf8");
    expect(readme).toContain(render(measured));
  });

  it("a logout through the same isolate ends the cached token at once", async () => {
    const res = await mf.dispatchFetch("https://example.com/api-token-auth/", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.77" },
      body: JSON.stringify({ username: "carol", password: "carol-pw" }),
    });
    const { token } = (await res.json()) as { token: string };
    const ping = () => mf.dispatchFetch("https://example.com/api/ping", { headers: { Authorization: `Token ${token}` } });
    expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(200);
    const out = await mf.dispatchFetch("https://example.com/api/logout/", { method: "POST", headers: { Authorization: `Token ${token}` } });
    expect(out.status).toBe(204);
    const after = await ping();
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ detail: "Invalid token." });
  });

  it("/api/ping: the binding throttle (100/60 s) refuses the 101st request with Retry-After: 60", async () => {
    const ping = () => mf.dispatchFetch("https://example.com/api/ping", { headers: { Authorization: `Token ${key}` } });
    let refused: Response | undefined;
    await eventually(async () => {
      const res = await ping();
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
      return res.status === 429;
    }, 30_000);
    expect(refused?.headers.get("Retry-After")).toBe("60");
    expect(await refused?.json()).toEqual({ detail: "Request was throttled. Expected available in 60 seconds." });
  });
});
