/**
 * A server process of the postgres section: ONE of three Hono apps on `@hono/node-server`, with a postgres.js pool
 * of its own: `select1` (a handler that runs one `SELECT 1` per request, the floor for any database-backed check),
 * `statement` (a handler that hashes the key and runs the store's own token statement itself, no Portcullis: the
 * floor of any token check on these tables) or `token` (a Portcullis token-protected route on `postgresStore`).
 * One app per process, started afresh for each measured run: postgres.js 3.4's pool queues grow by one slot per
 * query while every connection is busy (see bench/NOTES.md, sixth pass), so a process that has already served
 * another app's load would charge its successor for it. The pool's connections carry the `application_name` given
 * as the third argument, so the load process can read their backends' CPU time. Arguments: the database URL, the
 * app's name, the application name. Prints `{ port }` as one line, then serves until stdin closes.
 * @module
 */
import { serve } from "@hono/node-server";
import { routePolicies } from "@portcullis/adapters/hono";
import { tokenAuth, tokenDigest } from "@portcullis/core";
import { postgresStore } from "@portcullis/store-postgres";
import { Hono } from "hono";
import postgres from "postgres";

const [url, appName, applicationName] = process.argv.slice(2);
const sql = postgres(url, { max: 10, onnotice: () => undefined, connection: { application_name: applicationName } });
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

const apps = { select1, statement, token };
if (!(appName in apps)) throw new Error(`unknown app ${appName}`);
const server = await new Promise((resolve) => {
  const listening = serve({ fetch: apps[appName].fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ listening, port: info.port }));
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  server.listening.close();
  await sql.end();
  process.exit(0);
});
