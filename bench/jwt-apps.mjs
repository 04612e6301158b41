/**
 * The apps of the JWT section (internal): four Hono apps with one route, `GET /api/me` answering `ok`, behind a
 * header-only floor, Hono's own `jwt()`, and Portcullis `jwtAuth` (stateless user) with and without its cache of
 * verified tokens; all given one HS256 access token minted by Portcullis with simplejwt's claims. The same module
 * runs on Node, in Deno and (bundled) in workerd, and so does `timeApps`.
 * @module
 */
import { auth } from "@portcullis/adapters/hono";
import { jwtAuth, jwtSettings, mintAccessToken } from "@portcullis/core/jwt";
import { Hono } from "hono";
import { jwt } from "hono/jwt";

/** The variants in report order: name and label. */
export const JWT_VARIANTS = [
  ["header", "middleware reading `Authorization` only (floor)"],
  ["lower", "lower bound of any cached JWT check: the floor + `Map.get` of the token + an `exp` comparison + `c.set(\"user\")`"],
  ["honoJwt", "Hono `jwt({ secret, alg: \"HS256\" })`"],
  ["portcullis", "Portcullis `auth({ schemes: [jwtAuth({ jwt, stateless: true })] })`"],
  ["uncached", "the same with `cacheSize: 0` (every request parses and verifies)"],
];

const SECRET = "bench-django-secret-key-0123456789abcdef-not-a-real-one";

function app(middleware) {
  const hono = new Hono();
  hono.use("/api/*", middleware);
  hono.get("/api/me", (c) => c.text("ok"));
  return hono;
}

/** Builds the apps; answers them by variant name with the access token they all accept (`Bearer <token>`). */
export async function buildApps() {
  const settings = jwtSettings({ signingKey: SECRET, accessTokenLifetimeMs: 6 * 3_600_000 });
  const { token } = await mintAccessToken(settings, { id: "42" }, { claims: { username: "alice" } });
  const verified = new Map([[token, { user: { id: "42", username: "alice" }, expiresAtMs: Date.now() + 6 * 3_600_000 }]]);
  const apps = {
    header: app(async (c, next) => {
      if (c.req.header("Authorization") === undefined) return c.text("no credentials", 401);
      await next();
    }),
    // What a check of an already-verified token must do on top of the floor, with nothing else: find it, compare
    // its expiry with the clock, set the user. (No check that verifies a signature or parses claims can be cheaper.)
    lower: app(async (c, next) => {
      const header = c.req.header("Authorization");
      if (header === undefined) return c.text("no credentials", 401);
      const known = verified.get(header.slice(7));
      if (known === undefined || known.expiresAtMs <= Date.now()) return c.text("invalid token", 401);
      c.set("user", known.user);
      await next();
    }),
    honoJwt: app(jwt({ secret: SECRET, alg: "HS256" })),
    portcullis: app(auth({ schemes: [jwtAuth({ jwt: settings, stateless: true })] })),
    uncached: app(auth({ schemes: [jwtAuth({ jwt: settings, stateless: true, cacheSize: 0 })] })),
  };
  return { apps, key: token };
}

/** The process's CPU time in µs (all its threads: Node, and Deno through its `process` global), else `null`. */
function cpuClock() {
  const usage = globalThis.process?.cpuUsage;
  if (typeof usage !== "function") return null;
  return () => {
    const { user, system } = usage.call(globalThis.process);
    return user + system;
  };
}

/**
 * Times `app.fetch` per variant in one process, interleaved: `rounds` rounds (after one warm-up round) of
 * `perRound` requests each, a fresh `Request` per call, every answer checked to be 200. The clock is the process's
 * CPU time where the runtime exposes it (Node, Deno: other processes on a loaded machine then count for nothing),
 * else wall time (workerd). Answers the clock used, the median µs per request of each variant and the median, over
 * rounds, of each variant's cost ÷ the floor's.
 */
export async function timeApps(apps, token, { rounds = 15, perRound = 400 } = {}) {
  const names = Object.keys(apps);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const headers = { authorization: `Bearer ${token}` };
  const cpu = cpuClock();
  const clock = cpu ?? (() => performance.now() * 1000);
  for (let round = 0; round <= rounds; round++) {
    for (const name of names) {
      const start = clock();
      for (let i = 0; i < perRound; i++) {
        const response = await apps[name].fetch(new Request("http://127.0.0.1/api/me", { headers }));
        if (response.status !== 200) throw new Error(`${name}: ${response.status}`);
        await response.text();
      }
      if (round > 0) samples[name].push((clock() - start) / perRound);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const us = Object.fromEntries(names.map((name) => [name, median(samples[name])]));
  const vsFloor = Object.fromEntries(names.map((name) => [name, median(samples[name].map((v, i) => v / samples.header[i]))]));
  return { clock: cpu === null ? "wall" : "CPU", us, vsFloor };
}
