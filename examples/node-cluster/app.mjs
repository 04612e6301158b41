/**
 * The Hono app every worker process serves: the token endpoints, and three routes with Portcullis policies.
 * Throttles and brute-force protection count in Redis, so their limits hold across all the processes.
 * @module
 */
import { createAuth, mountTokenEndpoints } from "@portcullis/adapters/hono";
import { allowAny, anonRateThrottle, basicAuth, tokenAuth, userRateThrottle } from "@portcullis/core";
import { Hono } from "hono";

/** The app for one process, given its stores (see `stores.mjs`). */
export function buildApp({ store, counters }) {
  const portcullis = createAuth({
    schemes: [tokenAuth({ store }), basicAuth({ users: store, counters })],
    throttles: [userRateThrottle("30/min", { store: counters.throttles })],
  });
  const app = new Hono();
  mountTokenEndpoints(app, { store, counters, ttlMs: 86_400_000 });
  app.use("/api/*", portcullis.defaults);
  app.get("/api/me", (c) => c.json({ username: c.var.user.username, pid: process.pid }));
  app.get(
    "/api/public",
    portcullis.route({ permissions: [allowAny], throttles: [anonRateThrottle("10/min", { store: counters.throttles })] }),
    (c) => c.json({ hello: c.var.user?.username ?? "anonymous", pid: process.pid }),
  );
  return app;
}
