/**
 * The client adapters' contract on the token check's path, with drivers that misbehave: a synchronous throw is a
 * rejection (as it was when these were async functions), and a store built on such a client fails closed with a
 * `StoreError` from a rejected promise, never a throw out of `findToken`. Real drivers on a real server are in
 * postgres-store.test.ts and test/faults.test.ts.
 */
import { StoreError, tokenDigest } from "@portcullis/core";
import { describe, expect, it } from "vitest";
import { fromPostgresJs, postgresStore, type PostgresJsLike, type SqlClient } from "./index.js";

const ROW = { id: "t1", user_id: "u1", name: null, created_at: "5", expires_at: null, username: "alice", is_active: true, is_staff: false, is_superuser: false };

describe("fromPostgresJs", () => {
  it("answers a rejected promise when the driver throws synchronously", async () => {
    const sql: PostgresJsLike = { unsafe: () => { throw new TypeError("bad parameter"); } };
    const answer = fromPostgresJs(sql).query("SELECT 1", []);
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toThrow("bad parameter");
  });

  it("passes postgres.js's row array through and copies any other array-like; rowCount from count", async () => {
    const rows = Object.assign([ROW], { count: 1 });
    const result = await fromPostgresJs({ unsafe: async () => rows }).query("SELECT", ["x"]);
    expect(result.rows).toBe(rows);
    expect(result.rowCount).toBe(1);
    const arrayLike = { length: 1, 0: ROW, count: null };
    const copied = await fromPostgresJs({ unsafe: async () => arrayLike }).query("SELECT", []);
    expect(copied.rows).toEqual([ROW]);
    expect(copied.rowCount).toBe(0);
  });

  it("sends a copy of the parameters and the instance's prepare option", async () => {
    const seen: unknown[] = [];
    const params = ["a"];
    await fromPostgresJs({ options: { prepare: false }, unsafe: async (_q, p, o) => (seen.push(p, o), []) }).query("SELECT", params);
    expect(seen[0]).toEqual(["a"]);
    expect(seen[0]).not.toBe(params);
    expect(seen[1]).toEqual({ prepare: false });
  });
});

describe("postgresStore's findToken on a failing client", () => {
  const digest = tokenDigest("k".repeat(40));
  const failing: [string, SqlClient["query"]][] = [
    ["throws synchronously", () => { throw new Error("socket closed"); }],
    ["rejects", () => Promise.reject(new Error("socket closed"))],
  ];
  it.each(failing)("a client that %s: findToken rejects with a StoreError (fail closed)", async (_name, query) => {
    const store = postgresStore({ query, script: async () => undefined });
    let answer: unknown;
    expect(() => { answer = store.findToken(digest); }).not.toThrow();
    expect(answer).toBeInstanceOf(Promise);
    const error = await (answer as Promise<unknown>).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).not.toContain(digest);
  });

  it("a client answering a thenable that is no Promise (no catch): findToken still answers a promise", async () => {
    const thenable = (value: unknown) => ({ then: (ok: (v: unknown) => unknown) => Promise.resolve(ok(value)).then(() => undefined) });
    const query = (() => thenable({ rows: [ROW], rowCount: 1 })) as unknown as SqlClient["query"];
    const answer = postgresStore({ query, script: async () => undefined }).findToken(digest);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ token: { id: "t1" }, user: { id: "u1" } });
  });

  it("a found row is the token and its user, the user's id from the token's user_id column", async () => {
    const store = postgresStore({ query: async () => ({ rows: [ROW], rowCount: 1 }), script: async () => undefined });
    expect(await store.findToken(digest)).toEqual({
      token: { id: "t1", userId: "u1", name: null, createdAt: 5, expiresAt: null },
      user: { id: "u1", username: "alice", isActive: true, isStaff: false },
    });
    const none = postgresStore({ query: async () => ({ rows: [], rowCount: 0 }), script: async () => undefined });
    expect(await none.findToken(digest)).toBeNull();
  });
});
