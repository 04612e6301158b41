/**
 * The example API: a Hono app on Cloudflare Workers with D1, protected by Portcullis.
 *
 *   POST /api-token-auth/   username + password -> {"token", "expiry"}
 *   GET  /api/me            authenticated users
 *   GET  /api/articles      anyone; POST only authenticated users
 *   GET  /api/admin         staff only
 *   POST /api/logout/, /api/logoutall/
 *   POST /api/token/, /api/token/refresh/, /api/token/verify/, /api/token/blacklist/   simplejwt's JWT endpoints
 */
import { createAuth, mountJwtEndpoints, mountTokenEndpoints } from "@portcullis/adapters/hono";
import {
  anonRateThrottle,
  basicAuth,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  tokenAuth,
  userRateThrottle,
} from "@portcullis/core";
import { jwtAuth, jwtSettings } from "@portcullis/core/jwt";
import { d1Store } from "@portcullis/store-d1";
import type { D1Database } from "@cloudflare/workers-types";
import { Hono } from "hono";

export interface Env {
  DB: D1Database;
  /**
   * Django's SECRET_KEY (simplejwt's SIGNING_KEY for HS256): `wrangler secret put SECRET_KEY`; locally `.dev.vars`,
   * which `pnpm start` fills with a random key on its first run.
   */
  SECRET_KEY?: string;
}

type Ctx = { env: Env };

const storeOf = (c: Ctx) => d1Store(c.env.DB);
// Without SECRET_KEY, jwtSettings throws ConfigError and the JWT routes answer 503 (closed), never a default key.
const jwtOf = (c: Ctx) => jwtSettings({ signingKey: c.env.SECRET_KEY ?? "", rotateRefreshTokens: true, blacklistAfterRotation: true });

const portcullis = createAuth((c: Ctx) => {
  const store = storeOf(c);
  return {
    schemes: [tokenAuth({ store }), basicAuth({ users: store }), ...(c.env.SECRET_KEY ? [jwtAuth({ jwt: jwtOf(c), users: store })] : [])],
    permissions: [isAuthenticated],
    throttles: [anonRateThrottle("30/min", { store }), userRateThrottle("300/min", { store })],
  };
});

const app = new Hono<{ Bindings: Env }>();

mountTokenEndpoints(app, { store: storeOf, ttlMs: 30 * 24 * 3_600_000 });
mountJwtEndpoints(app, { jwt: jwtOf, store: storeOf, claims: (user) => ({ username: user.username }) });

// App-wide: every /api/* route is closed unless its own `portcullis.route(...)` says otherwise.
app.use("/api/*", portcullis.defaults);

app.get("/", (c) =>
  c.json({ endpoints: ["POST /api-token-auth/", "GET /api/me", "GET|POST /api/articles", "GET /api/admin"] }),
);

// `route({})` keeps the defaults and types `c.var` for this handler: `user` is a `User`, never null.
app.get("/api/me", portcullis.route({}), (c) => {
  const user = c.var.user;
  return c.json({ id: user.id, username: user.username, isStaff: user.isStaff, scheme: c.var.authScheme });
});

const articles: { id: number; title: string; author: string }[] = [{ id: 1, title: "Hello, edge", author: "portcullis" }];

app.get("/api/articles", portcullis.route({ permissions: [isAuthenticatedOrReadOnly] }), (c) => c.json(articles));

app.post("/api/articles", portcullis.route({ permissions: [isAuthenticatedOrReadOnly] }), async (c) => {
  const body = await c.req.json<{ title?: unknown }>().catch(() => ({ title: undefined }));
  if (typeof body.title !== "string" || body.title.trim() === "") return c.json({ title: ["This field is required."] }, 400);
  // isAuthenticatedOrReadOnly admits anonymous GETs, so `c.var.user` is `User | null` here.
  const article = { id: articles.length + 1, title: body.title.trim(), author: c.var.user?.username ?? "" };
  articles.push(article);
  return c.json(article, 201);
});

app.get("/api/admin", portcullis.route({ permissions: [isAdminUser] }), (c) =>
  c.json({ message: `Welcome to the admin area, ${c.var.user.username}.` }),
);

/**
 * D1 has no background jobs: a Cron Trigger (wrangler.jsonc `triggers.crons`) purges expired tokens and throttle
 * counters whose window has passed, so the tables stay bounded.
 */
async function purge(env: Env): Promise<void> {
  const store = d1Store(env.DB);
  const now = Date.now();
  await store.deleteExpiredTokens(now);
  await store.purgeCounters(now);
  await store.deleteExpiredJwts(now);
}

export default {
  fetch: app.fetch,
  scheduled(_controller: unknown, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) {
    ctx.waitUntil(purge(env));
  },
};
