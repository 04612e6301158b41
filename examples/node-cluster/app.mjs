/**
 * The Hono app every worker process serves: the token endpoints, and three routes with Portcullis policies.
 * Throttles and brute-force protection count in Redis, so their limits hold across all the processes.
 * @module
 */
import { mountTokenEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import { allowAny, anonRateThrottle, basicAuth, tokenAuth, userRateThrottle } from "@portcullis/core";
import { Hono } from "hono";

/** The app for one process, given its stores (see `stores.mjs`). */
export function buildApp({ store, counters }) {
  const policy = routePolicies({
    schemes: [tokenAuth({ store }), basicAuth({ users: store, counters })],
    throttles: [userRateThrottle("30/min", { store: counters.throttles })],
  });
  const app = new Hono();
  mountTokenEndpoints(app, { store, counters, ttlMs: 86_400_000 });
  requirePolicies(app, "/api"); // every /api route must carry its policy on its own line
  app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username, pid: process.pid }));
  app.get(
    "/api/public",
    policy({ permissions: [allowAny], throttles: [anonRateThrottle("10/min", { store: counters.throttles })] }),
    (c) => c.json({ hello: c.var.user?.username ?? "anonymous", pid: process.pid }),
  );
  return app;
}
