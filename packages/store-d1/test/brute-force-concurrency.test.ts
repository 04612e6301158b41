/**
 * 40 concurrent wrong passwords against the default brute-force protection (5 failures per username per minute)
 * on real D1 (Miniflare's, started here): exactly 5 are checked (400 / 401), the other 35 answer 429, through
 * `obtainTokenHandler` and through `basicAuth` behind `guard()`.
 */
import type { D1Database } from "@cloudflare/workers-types/experimental/index.js";
import type { AuthContext, Store } from "@portcullis/core";
import { basicAuth, guard, hashPassword, obtainTokenHandler } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate } from "../src/index.js";

const ATTEMPTS = 40;
const PASSWORD = "correct horse";

let mf: Miniflare;
let db: D1Database;
let store: Store;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", d1Databases: ["DB"] });
  db = (await mf.getD1Database("DB")) as unknown as D1Database;
  await migrate(db);
  store = d1Store(db);
});

afterAll(async () => {
  await mf?.dispose();
});

/** A new user (a cheap hash: wrong passwords never rehash) and a fixed clock and client IP of its own. */
async function setup(): Promise<{ username: string; ctx: AuthContext }> {
  const username = `u${crypto.randomUUID()}`;
  await store.createUser({ username, passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const clientIp = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
  await db.prepare("DELETE FROM portcullis_counters WHERE key = ?1").bind(`login:ip:${clientIp}`).run();
  return { username, ctx: { clientIp, now: () => 1_700_000_000_000 } };
}

function tally(statuses: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** What the counters table holds: every key and the length of its log. */
async function counterRows(): Promise<{ key: string; hits: number }[]> {
  const { results } = await db
    .prepare("SELECT key, json_array_length(log) AS hits FROM portcullis_counters ORDER BY key")
    .all<{ key: string; hits: number }>();
  return results;
}

describe(`d1Store (Miniflare D1): ${ATTEMPTS} concurrent wrong passwords, bruteForce defaults`, () => {
  it("obtainTokenHandler checks exactly 5 (400) and answers 429 to the other 35", async () => {
    const { username, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    const request = (i: number) =>
      new Request("https://api.test/api-token-auth/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: `wrong-${i}` }),
      });
    const responses = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => obtain(request(i), ctx)));
    expect(tally(responses.map((r) => r.status))).toEqual({ 400: 5, 429: 35 });
    expect((await obtain(request(99), ctx)).status).toBe(429);
    const rows = await counterRows();
    expect(rows.every((row) => !row.key.includes(username))).toBe(true);
    expect(rows.find((row) => row.key === `login:ip:${ctx.clientIp}`)?.hits).toBe(5);
  });

  it("basicAuth checks exactly 5 (401) and answers 429 to the other 35", async () => {
    const { username, ctx } = await setup();
    const check = guard({ schemes: [basicAuth({ users: store })] });
    const request = (i: number) =>
      new Request("https://api.test/", { headers: { authorization: `Basic ${btoa(`${username}:nope-${i}`)}` } });
    const decisions = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => check(request(i), ctx)));
    expect(tally(decisions.map((d) => (d.allowed ? 200 : d.error.status)))).toEqual({ 401: 5, 429: 35 });
  });

  it("a successful login leaves nothing counted", async () => {
    const { username, ctx } = await setup();
    const check = guard({ schemes: [basicAuth({ users: store })] });
    const request = new Request("https://api.test/", { headers: { authorization: `Basic ${btoa(`${username}:${PASSWORD}`)}` } });
    expect((await check(request, ctx)).allowed).toBe(true);
    const ipRow = (await counterRows()).find((row) => row.key === `login:ip:${ctx.clientIp}`);
    expect(ipRow?.hits ?? 0).toBe(0);
  });
});
