/**
 * `node examples/node-cluster/server.mjs`: a primary process migrates the database, creates the demo user, then
 * forks WORKERS processes (default: one per core, at least 2) that all serve one port through `node:cluster`.
 * Environment: PORTCULLIS_PG_URL (required), PORTCULLIS_REDIS_URL (default redis://127.0.0.1:6379),
 * PORT (default 8788), WORKERS. Ctrl-C stops everything.
 * @module
 */
import { serve } from "@hono/node-server";
import { ConflictError, hashPassword } from "@portcullis/core";
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { buildApp } from "./app.mjs";
import { openStores } from "./stores.mjs";

const PORT = Number(process.env.PORT ?? 8788);
const WORKERS = Number(process.env.WORKERS ?? Math.max(2, availableParallelism()));
const DEMO = { username: "alice", password: "correct horse battery staple" };

async function primary() {
  const stores = openStores();
  await stores.migrate();
  try {
    await stores.store.createUser({ username: DEMO.username, passwordHash: await hashPassword(DEMO.password) });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error; // alice exists from an earlier run
  }
  await stores.close();
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  let listening = 0;
  cluster.on("listening", () => {
    if (++listening === WORKERS) printWalkthrough();
  });
  cluster.on("exit", (worker, code) => {
    if (code !== 0 && !shuttingDown) console.error(`worker ${worker.process.pid} exited with ${code}`);
  });
  let shuttingDown = false;
  process.on("SIGINT", () => {
    shuttingDown = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
}

function worker() {
  const stores = openStores();
  const app = buildApp(stores);
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: PORT });
  process.on("SIGTERM", () => server.close(() => stores.close().then(() => process.exit(0))));
}

function printWalkthrough() {
  const base = `http://127.0.0.1:${PORT}`;
  process.stdout.write(`Portcullis on ${base}: ${WORKERS} processes, users and tokens in PostgreSQL, counters in Redis.

curl -s -X POST ${base}/api-token-auth/ -H 'Content-Type: application/json' \\
     -d '{"username": "${DEMO.username}", "password": "${DEMO.password}"}'
curl -s ${base}/api/me -H 'Authorization: Token <token>'     # 200, from any of the processes (see "pid")
for i in $(seq 12); do curl -s -o /dev/null -w '%{http_code} ' ${base}/api/public; done; echo   # 10 x 200, then 429
`);
}

if (cluster.isPrimary) await primary();
else worker();
