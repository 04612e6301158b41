/**
 * Whether `COLLATE "C"` on a digest column makes a token-style lookup cheaper than the database's own collation
 * (`C.UTF-8` here, compared with `strcoll`): the same 100,000 SHA-256 hex digests in two tables that differ only in
 * that (`a`: the database's collation, `b`: `"C"`), both `UNIQUE`. Server side: a PL/pgSQL loop of 50,000 index
 * lookups per table (`none`: the loop and the digest alone), medians of five. Through postgres.js: alternating
 * rounds of 3,000 awaited lookups per table and of `SELECT 1`, medians of six. A scratch database of its own,
 * dropped at the end.
 *
 * `PORTCULLIS_PG_URL=postgres://... node bench/postgres-collation.mjs` (a role that may create databases).
 */
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import postgres from "postgres";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "postgres://portcullis:portcullis@127.0.0.1:5432/portcullis_test";
const N = 100_000;
const admin = postgres(URL_, { max: 1, onnotice: () => {} });
const name = `portcullis_collation_${process.pid}`;
await admin.unsafe(`CREATE DATABASE ${name}`);
const target = new URL(URL_);
target.pathname = `/${name}`;
const sql = postgres(target.href, { max: 1, onnotice: () => {} });
const median = (values) => [...values].sort((x, y) => x - y)[values.length >> 1];
const write = (line) => process.stdout.write(`${line}\n`);

try {
  write(`collation of the database: ${(await sql`SELECT datcollate FROM pg_database WHERE datname = current_database()`)[0].datcollate}`);
  await sql.unsafe(`CREATE TABLE a (id text PRIMARY KEY, digest text NOT NULL UNIQUE, user_id text NOT NULL)`);
  await sql.unsafe(`CREATE TABLE b (id text PRIMARY KEY, digest text COLLATE "C" NOT NULL UNIQUE, user_id text NOT NULL)`);
  const digests = Array.from({ length: N }, (_, i) => createHash("sha256").update(String(i)).digest("hex"));
  for (const table of ["a", "b"]) {
    for (let i = 0; i < N; i += 5000) {
      const rows = digests.slice(i, i + 5000).map((digest, j) => ({ id: `t${i + j}`, digest, user_id: `u${j}` }));
      await sql`INSERT INTO ${sql(table)} ${sql(rows)}`;
    }
    await sql.unsafe(`ANALYZE ${table}`);
  }
  await sql.unsafe(`CREATE FUNCTION probe(t text, n int) RETURNS float8 LANGUAGE plpgsql AS $$
    DECLARE u text; t0 timestamptz; d text;
    BEGIN t0 := clock_timestamp();
      FOR i IN 1..n LOOP
        d := encode(sha256(((i * 7919) % ${N})::text::bytea), 'hex');
        IF t = 'a' THEN SELECT user_id INTO u FROM a WHERE digest = d; ELSIF t = 'b' THEN SELECT user_id INTO u FROM b WHERE digest = d; END IF;
      END LOOP;
      RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n; END $$`);
  const server = { none: [], a: [], b: [] };
  for (let round = 0; round < 5; round++) {
    for (const table of Object.keys(server)) server[table].push((await sql`SELECT probe(${table}, 50000) AS us`)[0].us);
  }
  write(`server side, µs per lookup: ${Object.entries(server).map(([k, v]) => `${k} ${median(v).toFixed(2)}`).join(", ")}`);
  const cases = {
    "SELECT 1": () => sql`SELECT 1`,
    a: (digest) => sql`SELECT id, user_id FROM a WHERE digest = ${digest}`,
    b: (digest) => sql`SELECT id, user_id FROM b WHERE digest = ${digest}`,
  };
  const client = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  let k = 0;
  for (let round = 0; round < 6; round++) {
    for (const [label, run] of Object.entries(cases)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 3000; i++) await run(digests[(k++ * 7919) % N]);
      client[label].push(Number(process.hrtime.bigint() - start) / 1000 / 3000);
    }
  }
  write(`through postgres.js, µs per call: ${Object.entries(client).map(([l, v]) => `${l} ${median(v).toFixed(1)}`).join(", ")}`);
  write(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
} finally {
  await sql.end();
  await admin.unsafe(`DROP DATABASE ${name}`);
  await admin.end();
}
