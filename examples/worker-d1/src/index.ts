/**
 * The example API: a Hono app on Cloudflare Workers with D1, protected by Portcullis.
 *
 *   POST /api-token-auth/   username + password -> {"token", "expiry"}
 *   GET  /api/me            authenticated users
 *   GET  /api/articles      anyone; POST only authenticated users (a title of 1-200 characters, bodies <= 4 KiB)
 *   GET  /api/admin         staff only
 *   GET  /api/ping          authenticated users, the hot path: cached token check, Rate Limiting binding throttle
 *   POST /api/logout/, /api/logoutall/
 *   POST /api/token/, /api/token/refresh/, /api/token/verify/, /api/token/blacklist/   simplejwt's JWT endpoints
 *
 * Users and tokens live in D1; every counter (the throttles, brute-force protection) lives in the
 * `PortcullisCounters` Durable Object, so an authenticated request makes one D1 read and one object call.
 */
import { mountJwtEndpoints, mountTokenEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import {
  anonRateThrottle,
  basicAuth,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  tokenAuth,
  tokenCache,
  userRateThrottle,
} from "@portcullis/core";
import { jwtAuth, jwtSettings } from "@portcullis/core/jwt";
import { d1Store } from "@portcullis/store-d1";
import {
  bindingRateThrottle,
  durableObjectCounters,
  type PortcullisCounters,
  type RateLimitBinding,
} from "@portcullis/store-durable-object";
import type { D1Database, DurableObjectNamespace } from "@cloudflare/workers-types";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";

// The counter object's class, exported for the `durable_objects` binding of wrangler.jsonc.
export { PortcullisCounters } from "@portcullis/store-durable-object";

export interface Env {
  DB: D1Database;
  /**
   * Django's SECRET_KEY (simplejwt's SIGNING_KEY for HS256): `wrangler secret put SECRET_KEY`; locally `.dev.vars`,
   * which `pnpm start` fills with a random key on its first run.
   */
  SECRET_KEY?: string;
  COUNTERS: DurableObjectNamespace<PortcullisCounters>;
  RL: RateLimitBinding;
}

type Ctx = { env: Env };

/** Users and tokens in D1; counters in the Durable Object (one capability per backend). */
const storeOf = (c: Ctx) => ({ ...d1Store(c.env.DB), ...durableObjectCounters(c.env.COUNTERS) });

// One per isolate: `/api/ping` answers a token seen in the last 5 s from memory. A logout handled here takes
// effect at once (the token endpoints go through the same cache); other isolates follow within 5 s.
const tokens = tokenCache({ maxStalenessMs: 5_000 });
// Without SECRET_KEY, jwtSettings throws ConfigError and the JWT routes answer 503 (closed), never a default key.
const jwtOf = (c: Ctx) => jwtSettings({ signingKey: c.env.SECRET_KEY ?? "", rotateRefreshTokens: true, blacklistAfterRotation: true });

// The defaults (DRF's settings); `policy()` on a route applies them, `policy({ ... })` replaces the keys it names.
const policy = routePolicies((c: Ctx) => {
  const store = storeOf(c);
  return {
    schemes: [tokenAuth({ store }), basicAuth({ users: store }), ...(c.env.SECRET_KEY ? [jwtAuth({ jwt: jwtOf(c), users: store })] : [])],
    permissions: [isAuthenticated],
    throttles: [anonRateThrottle("30/min", { store }), userRateThrottle("300/min", { store })],
  };
});

const app = new Hono<{ Bindings: Env }>();
// Every /api route must carry a policy on its own line: a route registered without one is refused (500), not served.
requirePolicies(app, "/api");

// 30-day tokens, at most 10 live ones per user: a login past that answers 403 until one expires or is revoked.
mountTokenEndpoints(app, { store: (c) => tokens.wrap(storeOf(c as Ctx)), ttlMs: 30 * 24 * 3_600_000, maxTokensPerUser: 10 });
mountJwtEndpoints(app, { jwt: jwtOf, store: storeOf, claims: (user) => ({ username: user.username }) });

app.get("/", (c) =>
  c.json({ endpoints: ["POST /api-token-auth/", "GET /api/me", "GET|POST /api/articles", "GET /api/admin"] }),
);

// `policy()` applies the defaults and types `c.var` for this handler: `user` is a `User`, never null.
app.get("/api/me", policy(), (c) => {
  const user = c.var.user;
  return c.json({ id: user.id, username: user.username, isStaff: user.isStaff, scheme: c.var.authScheme });
});

// The hot path: a token check answered from the isolate's cache (bounded staleness) and an approximate,
// per-location throttle on the Rate Limiting binding (RL in wrangler.jsonc: 100 per 60 s), with no round trip.
app.get(
  "/api/ping",
  policy((c: Ctx) => ({
    schemes: [tokenAuth({ store: tokens.wrap(storeOf(c)) })],
    throttles: [bindingRateThrottle(c.env.RL, "100/min")],
  })),
  (c) => c.json({ pong: true, username: c.var.user.username }),
);

/** Articles live in the isolate's memory (a demo): bounded in size and number, so no client can grow them. */
const MAX_ARTICLE_BODY_BYTES = 4 * 1024;
const MAX_TITLE_LENGTH = 200;
const MAX_ARTICLES = 100;
const articles: { id: number; title: string; author: string }[] = [{ id: 1, title: "Hello, edge", author: "portcullis" }];
let lastId = 1;

/** Controls, bidi overrides and other invisible format characters (zero-width joiners aside), line separators. */
const UNSAFE_TITLE = /[\p{Cc}\p{Zl}\p{Zp}\uD800-\uDFFF]|(?![\u200C\u200D])\p{Cf}/u;

/** DRF-style field errors for a title, or `null` when it is fine. */
function titleErrors(title: unknown): { title: string[] } | null {
  if (typeof title !== "string" || title.trim() === "") return { title: ["This field is required."] };
  if ([...title.trim()].length > MAX_TITLE_LENGTH) {
    return { title: [`Ensure this field has no more than ${MAX_TITLE_LENGTH} characters.`] };
  }
  if (UNSAFE_TITLE.test(title)) return { title: ["Control and bidi characters are not allowed."] };
  return null;
}

app.get("/api/articles", policy({ permissions: [isAuthenticatedOrReadOnly] }), (c) => c.json(articles));

app.post(
  "/api/articles",
  policy({ permissions: [isAuthenticatedOrReadOnly] }),
  // Counted while streaming, so a body without (or lying in) Content-Length is cut off at the limit too.
  bodyLimit({
    maxSize: MAX_ARTICLE_BODY_BYTES,
    onError: (c) => c.json({ detail: `Request body exceeds ${MAX_ARTICLE_BODY_BYTES} bytes.` }, 413),
  }),
  async (c) => {
    const body = await c.req.json<{ title?: unknown }>().catch(() => ({ title: undefined }));
    const errors = titleErrors(body?.title);
    if (errors !== null) return c.json(errors, 400);
    // isAuthenticatedOrReadOnly admits anonymous GETs, so `c.var.user` is `User | null` here.
    const article = { id: ++lastId, title: (body.title as string).trim(), author: c.var.user?.username ?? "" };
    articles.push(article);
    if (articles.length > MAX_ARTICLES) articles.splice(0, articles.length - MAX_ARTICLES);
    return c.json(article, 201);
  },
);

app.get("/api/admin", policy({ permissions: [isAdminUser] }), (c) =>
  c.json({ message: `Welcome to the admin area, ${c.var.user.username}.` }),
);

/**
 * D1 has no background jobs: a Cron Trigger (wrangler.jsonc `triggers.crons`) purges expired tokens, JWTs and
 * sessions, and any counters left in D1 (the example counts in the Durable Object, whose alarms expire its own),
 * so the tables stay bounded.
 */
async function purge(env: Env): Promise<void> {
  const store = d1Store(env.DB);
  const now = Date.now();
  await store.deleteExpiredTokens(now);
  await store.purgeCounters(now);
  await store.deleteExpiredJwts(now);
  await store.deleteExpiredSessions(now);
}

export default {
  fetch: app.fetch,
  scheduled(_controller: unknown, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) {
    ctx.waitUntil(purge(env));
  },
};
