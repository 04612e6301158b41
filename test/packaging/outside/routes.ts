// The routes each Node framework embeds through @portcullis/adapters/node (copied into the outside project by
// packaging.test.ts): a guarded route, a route throttled by client IP that echoes the IP, and the token endpoint
// (a Hono app, through nodeListener) that reads a body.
import { mountTokenEndpoints } from "@portcullis/adapters/hono";
import { nodeListener, withAuth, type NodeListener } from "@portcullis/adapters/node";
import { allowAny, anonRateThrottle, tokenAuth, type Store } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";

/** One set of listeners, with its own throttle counters; `undefined` for a path it does not serve. */
export function nodeRoutes(store: Store): (path: string) => NodeListener | undefined {
  const counters = memoryStore();
  const tokenApp = new Hono();
  mountTokenEndpoints(tokenApp, { store });
  const routes: Record<string, NodeListener> = {
    "/node/me": withAuth({ schemes: [tokenAuth({ store })] }, (_req, { user }) => Response.json({ username: user.username })),
    "/node/ip": withAuth(
      { schemes: [tokenAuth({ store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: counters })] },
      (_req, _decision, { clientIp }) => Response.json({ clientIp }),
    ),
    "/api-token-auth/": nodeListener((request, ctx) => tokenApp.fetch(request, ctx)),
  };
  return (path) => routes[path];
}
