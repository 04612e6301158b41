// In-process `app.fetch` cost of an HS256 access token on Hono (Node): Portcullis `jwtAuth` (stateless user)
// against Hono's own `jwt()` middleware and a header-only floor, measured in the same process. Run after
// `pnpm build`: `node bench/jwt-inprocess.mjs`. Prints req/s and ratios to the floor. (Not yet wired into run.mjs.)
import { createAuth } from "@portcullis/adapters/hono";
import { jwtAuth, jwtSettings, mintAccessToken } from "@portcullis/core/jwt";
import { Hono } from "hono";
import { jwt as honoJwt } from "hono/jwt";

const SECRET = "bench-django-secret-key-0123456789abcdef";
const settings = jwtSettings({ signingKey: SECRET, accessTokenLifetimeMs: 3_600_000 });
const { token } = await mintAccessToken(settings, { id: "42" }, { claims: { username: "alice" } });
const headers = { Authorization: `Bearer ${token}` };

const floor = new Hono().get("/me", (c) => (c.req.header("authorization") ? c.json({ ok: true }) : c.text("no", 401)));
const hono = new Hono().use("/me", honoJwt({ secret: SECRET, alg: "HS256" })).get("/me", (c) => c.json({ ok: true }));
const portcullis = createAuth({ schemes: [jwtAuth({ jwt: settings, stateless: true })] });
const ours = new Hono().get("/me", portcullis.route({}), (c) => c.json({ ok: c.var.user.id === "42" }));

async function rate(app, ms = 2000) {
  for (let i = 0; i < 2000; i++) await app.fetch(new Request("http://b/me", { headers }));
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) {
      const response = await app.fetch(new Request("http://b/me", { headers }));
      if (response.status !== 200) throw new Error(`status ${response.status}`);
    }
    n += 200;
  }
  return (n / ms) * 1000;
}

const results = {};
for (const round of [1, 2]) {
  for (const [name, app] of [["floor", floor], ["hono jwt()", hono], ["portcullis jwtAuth", ours]]) {
    const value = await rate(app);
    if (round === 2) results[name] = value;
  }
}
for (const [name, value] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(20)} ${Math.round(value).toString().padStart(8)} req/s  ${(value / results.floor).toFixed(2)}x floor\n`);
}
process.stdout.write(`portcullis / hono jwt(): ${(results["portcullis jwtAuth"] / results["hono jwt()"]).toFixed(2)}x`);
