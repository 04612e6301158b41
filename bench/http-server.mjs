/**
 * The server process of sections 2 and 6 (started by `http.mjs`, `jwt.mjs`): the apps of `http-apps.mjs`, or of
 * the module named by the first argument, on `@hono/node-server`, one port each. Prints `{ ports, key }` as one JSON
 * line once all listen; exits when its stdin closes (the parent went away) or on SIGTERM.
 * @module
 */
import { serve } from "@hono/node-server";

const { buildApps } = await import(process.argv[2] ?? "./http-apps.mjs");
const { apps, key } = await buildApps();

function listen(hono) {
  return new Promise((resolve) => {
    const server = serve({ fetch: hono.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ server, port: info.port }));
  });
}

const servers = {};
for (const [name, hono] of Object.entries(apps)) servers[name] = await listen(hono);

function stop() {
  for (const { server } of Object.values(servers)) server.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
const ports = Object.fromEntries(Object.entries(servers).map(([name, { port }]) => [name, port]));
process.stdout.write(`${JSON.stringify({ ports, key })}\n`);
