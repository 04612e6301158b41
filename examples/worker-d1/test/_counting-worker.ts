/**
 * The example Worker with its bindings wrapped to count round trips (tests): D1 reads and writes (one per
 * `first`/`all`/`run`/`raw`/`batch`; a write when any statement is not a SELECT), Durable Object calls (one per
 * RPC method call on a stub) and Rate Limiting binding calls. `GET /__counts` answers the counts since the last
 * `GET /__counts` and resets them. The wrapped env is made once per real env, so per-env caches behave as in
 * production.
 */
import example, { type Env } from "../src/index.js";

export { PortcullisCounters } from "../src/index.js";

const counts = { d1Reads: 0, d1Writes: 0, objectCalls: 0, bindingCalls: 0 };

const isRead = (sql: string) => /^\s*(SELECT|WITH)\b/i.test(sql);

type Statement = { bind(...values: unknown[]): Statement } & Record<string, unknown>;
const inner = new WeakMap<object, Statement>();

function statement(real: Statement, sql: string): Statement {
  const counted = (method: string) => (...args: unknown[]) => {
    if (isRead(sql)) counts.d1Reads += 1;
    else counts.d1Writes += 1;
    return (real[method] as (...a: unknown[]) => unknown).apply(real, args);
  };
  const wrapped = {
    bind: (...values: unknown[]) => statement(real.bind(...values), sql),
    first: counted("first"),
    all: counted("all"),
    run: counted("run"),
    raw: counted("raw"),
  } as unknown as Statement;
  inner.set(wrapped, real);
  return wrapped;
}

type Db = { prepare(sql: string): Statement; batch(s: Statement[]): Promise<unknown>; withSession?(c?: string): Db };

function countingDb(db: Db): Db {
  const sqlOf = new WeakMap<object, string>();
  return {
    prepare(sql: string) {
      const s = statement(db.prepare(sql), sql);
      sqlOf.set(s, sql);
      return s;
    },
    batch(statements: Statement[]) {
      if (statements.every((s) => isRead(sqlOf.get(s) ?? ""))) counts.d1Reads += 1;
      else counts.d1Writes += 1;
      return db.batch(statements.map((s) => inner.get(s) ?? s));
    },
    withSession: (constraint?: string) => countingDb((db.withSession as (c?: string) => Db)(constraint)),
  };
}

function countingNamespace(ns: Env["COUNTERS"]): Env["COUNTERS"] {
  const get = (id: Parameters<Env["COUNTERS"]["get"]>[0]) => {
    const stub = ns.get(id);
    return new Proxy(stub, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== "function" || typeof property !== "string" || property === "fetch") return value;
        return (...args: unknown[]) => {
          counts.objectCalls += 1;
          // Reflect.apply: on an RPC stub, `.apply` would itself be a remote property.
          return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        };
      },
    });
  };
  return new Proxy(ns, {
    get(target, property) {
      if (property === "get") return get;
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const wrapped = new WeakMap<object, Env>();

function countingEnv(env: Env): Env {
  let result = wrapped.get(env);
  if (!result) {
    const rl = { limit: (options: { key: string }) => ((counts.bindingCalls += 1), env.RL.limit(options)) };
    result = { DB: countingDb(env.DB as unknown as Db) as unknown as Env["DB"], COUNTERS: countingNamespace(env.COUNTERS), RL: rl };
    wrapped.set(env, result);
  }
  return result;
}

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void }) {
    if (new URL(request.url).pathname === "/__counts") {
      const answer = Response.json({ ...counts });
      Object.assign(counts, { d1Reads: 0, d1Writes: 0, objectCalls: 0, bindingCalls: 0 });
      return answer;
    }
    return example.fetch(request, countingEnv(env), ctx);
  },
};
