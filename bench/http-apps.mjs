/**
 * The apps of section 2 (internal): five Hono apps with one route, `GET /api/me` answering `ok`, each behind a
 * different middleware, sharing one memory store with one user and one token.
 * @module
 */
import { auth } from "@portcullis/adapters/hono";
import { guard, issueToken, toResponse, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";

/** The variants in report order: name and label. */
export const VARIANTS = [
  ["plain", "plain Hono, no middleware"],
  ["header", "middleware reading `Authorization` only (floor)"],
  ["bearerAuth", "Hono `bearerAuth({ token })`"],
  ["portcullis", "Portcullis `auth({ schemes: [tokenAuth(...Bearer)] })`, memory store"],
  ["guard", "same policy, core `guard()` in a hand-written middleware (no adapter)"],
];

/** An app whose one route sits behind `middleware` (none for the plain app). */
function app(middleware) {
  const hono = new Hono();
  if (middleware) hono.use("/api/*", middleware);
  hono.get("/api/me", (c) => c.text("ok"));
  return hono;
}

/** The same policy as the adapter's, through core's `guard()`: what the adapter adds is the difference. */
function guardMiddleware(protect) {
  return async (c, next) => {
    const decision = await protect(c.req.raw, { clientIp: c.env?.incoming?.socket?.remoteAddress });
    if (!decision.allowed) return toResponse(decision.error);
    c.set("user", decision.user);
    await next();
  };
}

/** Builds the apps; answers them by variant name with the token key they accept (`Bearer <key>`). */
export async function buildApps() {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: "!unusable" });
  const { key } = await issueToken(store, user.id);
  const apps = {
    plain: app(null),
    // The floor for any auth: read the header, refuse when it is missing.
    header: app(async (c, next) => {
      if (c.req.header("Authorization") === undefined) return c.text("no credentials", 401);
      await next();
    }),
    bearerAuth: app(bearerAuth({ token: key })),
    portcullis: app(auth({ schemes: [tokenAuth({ store, keyword: "Bearer" })] })),
    guard: app(guardMiddleware(guard({ schemes: [tokenAuth({ store, keyword: "Bearer" })] }))),
  };
  return { apps, key };
}
