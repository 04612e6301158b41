/**
 * dj-rest-auth's JWT-in-cookies flow in a REAL browser (Chromium through playwright-core) against a Hono app on
 * Node with `mountRestAuthEndpoints`: a script logs in (the tokens land in HttpOnly cookies it cannot read), calls
 * an API behind `jwtCookieAuth` with the CSRF header (refused without it, and from another origin), refreshes
 * through the refresh cookie, and logs out (the cookies are gone and the API answers 401). With a PostgreSQL
 * server (`PORTCULLIS_PG_URL`, always in CI) both halves run on ONE database: dj-rest-auth's `runserver` and the
 * Portcullis half on `postgresStore(sql, { django: true })`, the user created by Django; without one, locally, the
 * Portcullis half runs on memory and Django on SQLite, and say so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { compat, hashPassword, passwordHashers } from "@portcullis/core";
import { passwordResetTokens } from "@portcullis/core/accounts";
import { jwtCookieAuth, jwtSettings } from "@portcullis/core/jwt";
import { csrfToken } from "@portcullis/core/sessions";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountRestAuthEndpoints, routePolicies } from "../src/hono.js";
import { CHROMIUM, chromiumAvailable } from "./_chromium.js";
import { manage, startDjango, type DjangoServer } from "../../core/test/_django-server.js";
import { djangoStacks } from "../../core/test/_stacks.js";
import { migrate, postgresStore } from "../../store-postgres/src/index.js";
import { HAS_SERVER, createDatabase, postgresJsClient, type TestClient, type TestDatabase } from "../../store-postgres/test/_postgres.js";

const PROJECT = fileURLToPath(new URL("./fixtures/rest-auth-django/", import.meta.url));

const available = chromiumAvailable();
const SECRET = "browser-test-secret-0123456789abcdefghijklmnopqrstuvwxyz-0123";
const RELEASES = compat({ django: "4.2", drf: "3.17", simplejwt: "5.5.1" });
const cookies = { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token", refreshCookiePath: "/api/auth/" };

async function listen(app: Hono): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({ server, origin: `http://127.0.0.1:${info.port}` }),
    );
  });
}

type AppStore = ReturnType<typeof memoryStore> | ReturnType<typeof postgresStore>;

async function exampleApp(store: AppStore): Promise<Hono> {
  const jwt = jwtSettings({ signingKey: SECRET, rotateRefreshTokens: true });
  const app = new Hono();
  mountRestAuthEndpoints(app, {
    options: {
      mode: "jwt", store, jwt, blacklist: store, cookies, bruteForce: false, compat: RELEASES,
      // Django 4.2's default PASSWORD_HASHERS, as the Django half: a login on either half never rewrites the hash.
      passwordHashers: passwordHashers({ compat: RELEASES }),
      resetTokens: passwordResetTokens({ secretKey: SECRET }), sendPasswordReset: () => undefined,
    },
  });
  const policy = routePolicies({ schemes: [jwtCookieAuth({ jwt, users: store, cookies })] });
  app.get("/", (c) => c.html("<h1>app</h1>"));
  app.get("/api/csrf/", (c) => {
    const { token, setCookie } = csrfToken(c.req.raw);
    c.header("Set-Cookie", setCookie, { append: true });
    return c.json({ csrfToken: token });
  });
  app.get("/api/notes", policy(), (c) => c.json({ by: c.var.user.username }));
  app.post("/api/notes", policy(), (c) => c.json({ saved: true, by: c.var.user.username }));
  return app;
}

/** The attacker's page on another origin: a form that posts to the API as soon as it loads. */
function attackerApp(target: string): Hono {
  const app = new Hono();
  app.get("/", (c) => c.html(`<form id="f" method="post" action="${target}/api/notes"></form><script>document.getElementById("f").submit()</script>`));
  return app;
}

/** In the page: one fetch, the CSRF header read from the `csrftoken` cookie when asked. */
const call = async ({ method, path, csrf, body }: { method: string; path: string; csrf: boolean; body?: unknown }) => {
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.slice(10) ?? "";
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (csrf) headers["X-CSRFToken"] = token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.text() };
};

/** The same flow against either half: `origin` serves the app, `evil` an attacker page aimed at it. */
async function browserFlow(browser: Browser, origin: string, evil: string): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const login = await page.evaluate(call, { method: "POST", path: "/api/auth/login/", csrf: false, body: { username: "alice", password: "pw-alice-long" } });
  expect(login.status).toBe(200);
  expect(JSON.parse(login.body)).toMatchObject({ refresh: "", user: { username: "alice" } });
  expect(await page.evaluate(() => document.cookie)).not.toMatch(/my-app-auth|my-refresh-token/);
  const jar = await context.cookies();
  expect(jar.find((c) => c.name === "my-app-auth")).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(jar.find((c) => c.name === "my-refresh-token")).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/api/auth/" });

  expect(await page.evaluate(call, { method: "GET", path: "/api/notes", csrf: false })).toEqual({ status: 200, body: '{"by":"alice"}' });
  expect(await page.evaluate(call, { method: "POST", path: "/api/notes", csrf: false, body: {} })).toEqual({ status: 403, body: '{"detail":"CSRF Failed: CSRF cookie not set."}' });
  await page.evaluate(call, { method: "GET", path: "/api/csrf/", csrf: false });
  expect(await page.evaluate(call, { method: "POST", path: "/api/notes", csrf: false, body: {} })).toEqual({ status: 403, body: '{"detail":"CSRF Failed: CSRF token missing."}' });
  expect(await page.evaluate(call, { method: "POST", path: "/api/notes", csrf: true, body: {} })).toEqual({ status: 200, body: '{"saved":true,"by":"alice"}' });

  // Another origin's form post: with SameSite=Lax the cookie is not even sent (401); were it sent, CSRF refuses it.
  const attacker = await context.newPage();
  const refused = attacker.waitForResponse(`${origin}/api/notes`);
  await attacker.goto(`${evil}/`);
  expect([401, 403]).toContain((await refused).status());

  const before = (await context.cookies()).find((c) => c.name === "my-refresh-token")?.value;
  const refresh = await page.evaluate(call, { method: "POST", path: "/api/auth/token/refresh/", csrf: false });
  expect(refresh.status).toBe(200);
  expect(Object.keys(JSON.parse(refresh.body))).toEqual(["access", "access_expiration"]);
  expect((await context.cookies()).find((c) => c.name === "my-refresh-token")?.value).not.toBe(before);

  const logout = await page.evaluate(call, { method: "POST", path: "/api/auth/logout/", csrf: true });
  expect(logout).toEqual({ status: 200, body: '{"detail":"Successfully logged out."}' });
  expect((await context.cookies()).filter((c) => c.name.startsWith("my-"))).toEqual([]);
  expect(await page.evaluate(call, { method: "GET", path: "/api/notes", csrf: false })).toEqual({ status: 401, body: '{"detail":"Authentication credentials were not provided."}' });
  await context.close();
}

// dj-rest-auth is only on the modern stack: a missing one fails the run script loudly.
const modern = djangoStacks(["rest_framework_simplejwt", "psycopg2"], "the dj-rest-auth browser test").filter((s) => s.name === "modern");
if (!HAS_SERVER) console.warn("[adapters] the dj-rest-auth browser test: no PORTCULLIS_PG_URL, so the Portcullis half runs on memory and Django on SQLite");
const CREATE_ALICE = "from django.contrib.auth.models import User; User.objects.create_user('alice', password='pw-alice-long')";

describe.skipIf(!available)("dj-rest-auth JWT cookies in Chromium", () => {
  let browser: Browser;
  const servers: ServerType[] = [];
  const dir = mkdtempSync(join(tmpdir(), "restauth-"));
  let database: TestDatabase | undefined;
  let client: TestClient | undefined;
  /** Django's environment: the shared PostgreSQL database, or (without a server) a SQLite file of its own. */
  let env: NodeJS.ProcessEnv = { RESTAUTH_DB: join(dir, "db.sqlite3"), RESTAUTH_SECRET: SECRET };

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    if (HAS_SERVER && modern[0] !== undefined) {
      database = await createDatabase("portcullis_rab");
      env = { RESTAUTH_DB_URL: database.url, RESTAUTH_SECRET: SECRET };
      manage(modern[0], PROJECT, ["migrate", "--verbosity", "0"], { env });
      manage(modern[0], PROJECT, ["shell", "-c", CREATE_ALICE], { env });
      client = postgresJsClient(database.url);
      await migrate(client.client, { django: true });
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) server.close();
    await client?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`against the Portcullis half${HAS_SERVER ? " on PostgreSQL in Django mode (Django's auth_user and blacklist)" : " (memory)"}: logs in with cookies, calls the API with the CSRF header, refreshes through the cookie and logs out`, async () => {
    let store: AppStore;
    if (client !== undefined) {
      store = postgresStore(client.client, { django: true });
    } else {
      store = memoryStore();
      await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice-long", { iterations: 1000 }) });
    }
    const site = await listen(await exampleApp(store));
    const evil = await listen(attackerApp(site.origin));
    servers.push(site.server, evil.server);
    await browserFlow(browser, site.origin, evil.origin);
  }, 60_000);

  for (const stack of modern) {
    it(`against the Django half (dj-rest-auth on Django ${stack.versions.django}${HAS_SERVER ? ", the same PostgreSQL database" : ""}): the same flow, the same answers`, async () => {
      let django: DjangoServer | undefined;
      try {
        if (database === undefined) {
          manage(stack, PROJECT, ["migrate", "--verbosity", "0"], { env });
          manage(stack, PROJECT, ["shell", "-c", CREATE_ALICE], { env });
        }
        django = await startDjango(stack, PROJECT, { env });
        const evil = await listen(attackerApp(django.url));
        servers.push(evil.server);
        await browserFlow(browser, django.url, evil.origin);
      } finally {
        await django?.stop();
      }
    }, 120_000);
  }
});
