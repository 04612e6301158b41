/**
 * `d1ReplicaStore`: the token conformance suite on Miniflare's D1 with its real (offline, single-copy)
 * `withSession()`, then the staleness rule on an instrumented binding whose sessions read a LAGGING replica: a
 * second real D1 database that receives the primary's rows only when the test copies them (`replicate()`).
 */
import type { D1Database } from "@cloudflare/workers-types/experimental/index.js";
import { ConfigError, issueToken, revokeToken, tokenAuth, authenticate } from "@portcullis/core";
import { runTokenStoreConformance } from "@portcullis/testing";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1ReplicaStore, migrate, type D1DatabaseLike, type D1SessionsDatabaseLike } from "./index.js";

let mf: Miniflare;
let primary: D1Database;
let replica: D1Database;
let sessions: D1Database;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", d1Databases: ["DB", "REPLICA", "SESSIONS"] });
  const [p, r, s] = (await Promise.all(["DB", "REPLICA", "SESSIONS"].map((n) => mf.getD1Database(n)))) as unknown as D1Database[];
  [primary, replica, sessions] = [p as D1Database, r as D1Database, s as D1Database];
  for (const db of [primary, replica, sessions]) await migrate(db as unknown as D1DatabaseLike);
});

afterAll(async () => {
  await mf?.dispose();
});

const TABLES = ["portcullis_users", "portcullis_tokens", "portcullis_replica_clock"];

runTokenStoreConformance("d1ReplicaStore (Miniflare withSession)", async () => {
  await sessions.batch(TABLES.slice().reverse().map((t) => sessions.prepare(`DELETE FROM ${t}`)));
  return d1ReplicaStore(sessions as unknown as D1SessionsDatabaseLike, { maxReplicaLagMs: 10_000 });
});

/** Copies the primary's rows to the replica: the replica catches up to this moment. */
async function replicate(): Promise<void> {
  await replica.batch(TABLES.slice().reverse().map((t) => replica.prepare(`DELETE FROM ${t}`)));
  for (const table of TABLES) {
    const { results } = await primary.prepare(`SELECT * FROM ${table}`).all<Record<string, unknown>>();
    for (const row of results) {
      const columns = Object.keys(row);
      const sql = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
      await replica.prepare(sql).bind(...columns.map((c) => row[c])).run();
    }
  }
}

/** The binding: plain queries and batches go to the primary, sessions to the replica; every query is logged. */
function instrumented(log: string[]): D1SessionsDatabaseLike {
  const on = (name: string, db: D1Database): D1DatabaseLike => ({
    prepare: (query) => {
      log.push(`${name}:${query.trimStart().split(/\s/)[0]}`);
      return db.prepare(query) as unknown as ReturnType<D1DatabaseLike["prepare"]>;
    },
    batch: (statements) => db.batch(statements as never) as Promise<unknown[]>,
  });
  return { ...on("primary", primary), withSession: () => on("replica", replica) };
}

const LAG = 10_000;

async function setUp() {
  await primary.batch(TABLES.slice().reverse().map((t) => primary.prepare(`DELETE FROM ${t}`)));
  // An hour behind the real time: heartbeats never record a time later than the database's own clock.
  const clock = { t: Date.now() - 3_600_000 };
  const log: string[] = [];
  const store = d1ReplicaStore(instrumented(log), { maxReplicaLagMs: LAG, now: () => clock.t });
  const user = await store.createUser({ username: `alice`, passwordHash: "!" });
  const { key, token } = await issueToken(store, user.id, { now: clock.t });
  const scheme = tokenAuth({ store });
  const check = async () => (await authenticate(new Request("https://x/", { headers: { Authorization: `Token ${key}` } }), [scheme], { now: () => clock.t })).status;
  return { clock, log, store, user, key, token, check };
}

describe("d1ReplicaStore: the staleness rule on a lagging replica", () => {
  it("a fresh replica answers a valid token in one replica read, with no primary read and no write", async () => {
    const { clock, log, store, check } = await setUp();
    await store.deleteUserTokens("nobody"); // a revocation ticks the clock at clock.t
    await replicate();
    log.length = 0;
    clock.t += LAG;
    expect(await check()).toBe("authenticated");
    expect(log).toEqual(["replica:SELECT"]);
  });

  it("a token revoked on the primary stops authenticating at most maxReplicaLagMs after the revocation", async () => {
    const { clock, log, store, token, check } = await setUp();
    await store.deleteUserTokens("nobody");
    await replicate();
    const revokedAt = clock.t + 2_000;
    clock.t = revokedAt;
    await revokeToken(store, token.id); // acknowledged; the replica has not seen it
    clock.t = revokedAt + LAG - 2_000 - 1;
    expect(await check()).toBe("authenticated"); // the replica's clock is still within the bound
    clock.t = revokedAt + LAG - 2_000 + 1;
    log.length = 0;
    expect(await check()).toBe("failed"); // the replica is now too old to trust: the primary says revoked
    expect(log).toEqual(["replica:SELECT", "primary:SELECT", "primary:INSERT"]);
    expect(clock.t - revokedAt).toBeLessThanOrEqual(LAG);
  });

  it("once the replica has applied the revocation, the token fails at once", async () => {
    const { store, token, check } = await setUp();
    await store.deleteUserTokens("nobody");
    await replicate();
    await revokeToken(store, token.id);
    await replicate();
    expect(await check()).toBe("failed");
  });

  it("a token the replica lacks (issued after its copy) is found on the primary", async () => {
    const { log, check } = await setUp();
    log.length = 0;
    expect(await check()).toBe("authenticated");
    expect(log.slice(0, 2)).toEqual(["replica:SELECT", "primary:SELECT"]);
  });

  it("a stale primary clock is ticked by at most one write per quarter of the bound", async () => {
    const { clock, log, check } = await setUp();
    log.length = 0;
    await check();
    await check();
    expect(log.filter((q) => q === "primary:INSERT")).toHaveLength(1);
    clock.t += LAG; // the tick is now older than half the bound, and the replica never saw it
    await check();
    expect(log.filter((q) => q === "primary:INSERT")).toHaveLength(2);
    const row = await primary.prepare("SELECT at FROM portcullis_replica_clock").first<{ at: number }>();
    expect(row?.at).toBe(clock.t);
  });

  it("a writer whose clock runs fast never records a heartbeat later than the database's own time", async () => {
    const { clock, store, check } = await setUp();
    clock.t = Date.now() + 30_000; // this Worker's clock is 30 s fast
    await store.deleteUserTokens("nobody"); // a revocation ticks the clock
    await check(); // and so may a token check on the primary
    const row = await primary.prepare("SELECT at FROM portcullis_replica_clock").first<{ at: number }>();
    expect(row?.at).toBeLessThanOrEqual(Date.now() + 1_000);
    await replicate();
    // A replica showing that heartbeat is judged by it: 11 s later (real time) it is stale for this 10 s bound.
    clock.t = (row?.at ?? 0) + LAG + 1_000;
    const log: string[] = [];
    const reader = d1ReplicaStore(instrumented(log), { maxReplicaLagMs: LAG, now: () => clock.t });
    await reader.findToken("0".repeat(64));
    expect(log).toContain("primary:SELECT");
  });

  it("requires a Sessions-API binding and an explicit, bounded maxReplicaLagMs", () => {
    const db = instrumented([]);
    for (const maxReplicaLagMs of [undefined, 999, 300_001, 1.5]) {
      expect(() => d1ReplicaStore(db, { maxReplicaLagMs } as { maxReplicaLagMs: number })).toThrow(/^maxReplicaLagMs:/);
    }
    expect(() => d1ReplicaStore(primary as unknown as D1SessionsDatabaseLike, { maxReplicaLagMs: 5_000 })).not.toThrow();
    const noSessions = { prepare: db.prepare, batch: db.batch } as unknown as D1SessionsDatabaseLike;
    expect(() => d1ReplicaStore(noSessions, { maxReplicaLagMs: 5_000 })).toThrow(ConfigError);
  });
});
