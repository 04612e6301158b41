/**
 * The server process of the postgres section: two Hono apps on `@hono/node-server` over one postgres.js pool,
 * `select1` (a middleware that runs one `SELECT 1` per request, the floor for any database-backed check),
 * `statement` (a handler that hashes the key and runs the store's own token statement itself, no Portcullis: the
 * floor of any token check on these tables) and `token` (a Portcullis token-protected route on `postgresStore`).
 * The pool's connections carry `application_name` `portcullis-bench-server`, so the load process can read their
 * backends' CPU time. Argument: the database URL. Prints `{ ports: { select1, statement, token } }` as one line,
 * then serves until stdin closes.
 * @module
 */
import { serve } from "@hono/node-server";
import { routePolicies } from "@portcullis/adapters/hono";
import { tokenAuth, tokenDigest } from "@portcullis/core";
import { postgresStore } from "@portcullis/store-postgres";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.argv[2], { max: 10, onnotice: () => undefined, connection: { application_name: "portcullis-bench-server" } });
const store = postgresStore(sql);

const select1 = new Hono();
select1.get("/api/me", async (c) => {
  await sql.unsafe("SELECT 1", [], { prepare: true });
  return c.json({ username: "anyone" });
});

/** The statement `postgresStore`'s `findToken` runs (packages/store-postgres/src/_tokens.ts). */
const FIND_TOKEN = `SELECT t.id, t.user_id, t.name, t.created_at, t.expires_at, u.username, u.is_active, u.is_staff, u.is_superuser
FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.digest = $1`;
const statement = new Hono();
statement.get("/api/me", async (c) => {
  const rows = await sql.unsafe(FIND_TOKEN, [tokenDigest((c.req.header("authorization") ?? "").slice(6))], { prepare: true });
  return rows.length === 1 ? c.json({ username: rows[0].username }) : c.json({ detail: "Invalid token." }, 401);
});

const token = new Hono();
const policy = routePolicies({ schemes: [tokenAuth({ store })] });
token.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));

function listen(app) {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ server, port: info.port }));
  });
}

const servers = { select1: await listen(select1), statement: await listen(statement), token: await listen(token) };
const ports = Object.fromEntries(Object.entries(servers).map(([name, { port }]) => [name, port]));
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  for (const { server } of Object.values(servers)) server.close();
  await sql.end();
  process.exit(0);
});
