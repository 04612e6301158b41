/**
 * The apps of section 2 (internal): seven Hono apps with one route, `GET /api/me` answering `ok`, each behind a
 * different middleware, sharing one memory store with one user and one token.
 * @module
 */
import { auth } from "@portcullis/adapters/hono";
import { hash } from "node:crypto";
import { guard, issueToken, toResponse, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";

/** The variants in report order: name and label. */
export const VARIANTS = [
  ["plain", "plain Hono, no middleware"],
  ["header", "middleware reading `Authorization` only (floor)"],
  ["header2", "the floor again: a second, identical app (this run's resolution)"],
  ["lower", "lower bound of any token check: the floor + SHA-256 of the key + `Map.get` (one `await`) + `c.set(\"user\")`"],
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

/** The floor for any auth: read the header, refuse when it is missing. */
async function headerOnly(c, next) {
  if (c.req.header("Authorization") === undefined) return c.text("no credentials", 401);
  await next();
}

/** Builds the apps; answers them by variant name with the token key they accept (`Bearer <key>`). */
export async function buildApps() {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: "!unusable" });
  const { key } = await issueToken(store, user.id);
  const digests = new Map([[hash("sha256", key, "hex"), user]]);
  const apps = {
    plain: app(null),
    header: app(headerOnly),
    // The same middleware in a second app on its own port: whatever separates it from the floor in one run is
    // the machine's noise, not code. It sets the resolution a req/s ratio of this section can be read at.
    header2: app(headerOnly),
    // What any token check must do on top of the floor, with nothing else: hash the key (as the digests are
    // stored), look it up, set the user. Portcullis's policy (DRF's ordered schemes, permissions, throttles, the
    // decision) runs above this line; no check of a stored token digest can run below it.
    lower: app(async (c, next) => {
      const header = c.req.header("Authorization");
      if (header === undefined) return c.text("no credentials", 401);
      const found = await digests.get(hash("sha256", header.slice(7), "hex"));
      if (found === undefined) return c.text("invalid token", 401);
      c.set("user", found);
      await next();
    }),
    bearerAuth: app(bearerAuth({ token: key })),
    portcullis: app(auth({ schemes: [tokenAuth({ store, keyword: "Bearer" })] })),
    guard: app(guardMiddleware(guard({ schemes: [tokenAuth({ store, keyword: "Bearer" })] }))),
  };
  return { apps, key };
}
