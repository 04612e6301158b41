/**
 * The server process of the postgres section: two Hono apps on `@hono/node-server` over one postgres.js pool,
 * `select1` (a middleware that runs one `SELECT 1` per request, the floor for any database-backed check) and
 * `token` (a Portcullis token-protected route on `postgresStore`). Argument: the database URL. Prints
 * `{ ports: { select1, token } }` as one line, then serves until stdin closes.
 * @module
 */
import { serve } from "@hono/node-server";
import { routePolicies } from "@portcullis/adapters/hono";
import { tokenAuth } from "@portcullis/core";
import { postgresStore } from "@portcullis/store-postgres";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.argv[2], { max: 10, onnotice: () => undefined });
const store = postgresStore(sql);

const select1 = new Hono();
select1.get("/api/me", async (c) => {
  await sql.unsafe("SELECT 1", [], { prepare: true });
  return c.json({ username: "anyone" });
});

const token = new Hono();
const policy = routePolicies({ schemes: [tokenAuth({ store })] });
token.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));

function listen(app) {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ server, port: info.port }));
  });
}

const servers = { select1: await listen(select1), token: await listen(token) };
process.stdout.write(`${JSON.stringify({ ports: { select1: servers.select1.port, token: servers.token.port } })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  for (const { server } of Object.values(servers)) server.close();
  await sql.end();
  process.exit(0);
});
