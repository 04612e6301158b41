/**
 * End to end, per Django stack (Debian's 3.2 and the reference 4.2): Django's development server and a Portcullis
 * app (Hono on @hono/node-server) on the SAME PostgreSQL database, and one client crossing between them with
 * whatever it holds: a session + CSRF token made by either side, a simplejwt pair obtained on either side and
 * refreshed or blacklisted on the other; a logout, a blacklist or a password change on either side holds on both.
 * Django's own tables are compared before and after (unchanged).
 */
import { serve, type ServerType } from "@hono/node-server";
import { auth, mountSessionEndpoints } from "@portcullis/adapters/hono";
import { passwordHashers, type Compat } from "@portcullis/core";
import { blacklistJwtHandler, jwtAuth, jwtSettings, obtainJwtPairHandler, refreshJwtHandler } from "@portcullis/core/jwt";
import { djangoSessions, sessionAuth } from "@portcullis/core/sessions";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackCompat } from "../../core/test/_compat.js";
import { djangoStacks } from "../../core/test/_stacks.js";
import { manage, startDjango, type DjangoServer } from "../../core/test/_django-server.js";
import { migrate, postgresStore, toSqlClient, type PostgresDjangoStore, type SqlParam } from "../src/index.js";
import { DJANGO_DIR, djangoSchema } from "./_django.js";
import { HAS_SERVER, IS_CI, createDatabase, pgClient, type TestClient, type TestDatabase } from "./_postgres.js";

const SECRET_KEY = "portcullis-test-fixture-not-secret";
const SIGNING_KEY = "portcullis-test-fixture-jwt-signing-key-not-secret-0123456789abcdef";
const PASSWORD = "correct horse battery staple";

if (IS_CI && !HAS_SERVER) throw new Error("CI=true: the Django end-to-end tests need PORTCULLIS_PG_URL");
if (!HAS_SERVER) console.warn("[store-postgres] skipping the Django end-to-end tests: set PORTCULLIS_PG_URL");
const stacks = HAS_SERVER ? djangoStacks(["rest_framework_simplejwt", "psycopg2"], "the Django/Portcullis end-to-end tests") : [];

/**
 * The Portcullis half: sessions in django_session, simplejwt's blacklist, Django's users, and the Django half's
 * releases and PASSWORD_HASHERS (its defaults), so that neither half ever rehashes what the other wrote: a rehash is
 * a password change, which would end the other half's sessions.
 */
function portcullisApp(store: PostgresDjangoStore, releases: Compat): Hono {
  const hashers = passwordHashers({ compat: releases });
  const django = djangoSessions({ secretKey: SECRET_KEY, backend: store, users: store, compat: releases });
  const jwt = jwtSettings({ signingKey: SIGNING_KEY, rotateRefreshTokens: true, blacklistAfterRotation: true, compat: releases });
  const schemes = [sessionAuth({ django }), jwtAuth({ jwt, users: store, blacklist: store })] as const;
  const app = new Hono();
  app.all("/api/me/", auth({ schemes }), (c) => c.json({ id: c.var.user.id, username: c.var.user.username }));
  // The session endpoints as an app mounts them: Django's own sessions through mountSessionEndpoints' `django`.
  mountSessionEndpoints(app, { store, django, bruteForce: false, passwordHashers: hashers, paths: { login: "/api/login/", logout: "/api/logout/" } });
  app.post("/api/token/", (c) => obtainJwtPairHandler({ jwt, store, blacklist: store, bruteForce: false, passwordHashers: hashers })(c.req.raw));
  app.post("/api/token/refresh/", (c) => refreshJwtHandler({ jwt, users: store, blacklist: store })(c.req.raw));
  app.post("/api/token/blacklist/", (c) => blacklistJwtHandler({ jwt, blacklist: store })(c.req.raw));
  return app;
}

/** A client with one cookie jar for both halves (same host, 127.0.0.1, different ports: cookies ignore ports). */
class Client {
  readonly cookies = new Map<string, string>();
  async send(url: string, init: { method?: string; json?: unknown; csrf?: string | null; bearer?: string } = {}): Promise<Response> {
    const headers = new Headers();
    const jar = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (jar !== "") headers.set("Cookie", jar);
    if (init.json !== undefined) headers.set("Content-Type", "application/json");
    if (init.csrf) headers.set("X-CSRFToken", init.csrf);
    if (init.bearer) headers.set("Authorization", `Bearer ${init.bearer}`);
    const body = init.json === undefined ? undefined : JSON.stringify(init.json);
    const response = await fetch(url, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      const gone = value === "" || value === '""' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
  get csrf(): string | null {
    return this.cookies.get("csrftoken") ?? null;
  }
}

for (const stack of stacks) {
  describe(`Django ${stack.versions.django} (${stack.name}) and Portcullis on one PostgreSQL database`, { timeout: 180_000 }, () => {
    let database: TestDatabase;
    let pg: TestClient;
    let server: DjangoServer | undefined;
    let node: ServerType | undefined;
    let store: PostgresDjangoStore;
    let schemaBefore = "";
    let dj = "";
    let pc = "";
    const query = (text: string, params: readonly SqlParam[]) => toSqlClient(pg.client).query(text, params);

    beforeAll(async () => {
      database = await createDatabase("portcullis_e2e");
      const env = { PORTCULLIS_DJANGO_DB_URL: database.url };
      manage(stack, DJANGO_DIR, ["migrate", "--noinput", "-v", "0"], { env });
      pg = pgClient(database.url);
      schemaBefore = await djangoSchema(pg.client);
      await migrate(pg.client, { django: true });
      manage(stack, DJANGO_DIR, ["shell"], {
        env,
        input: "import json, sys\nfrom django.contrib.auth.models import User\nfor name in ('alice', 'bob'):\n    User.objects.create_user(name, password=" + JSON.stringify(PASSWORD) + ")\n",
      });
      store = postgresStore(pg.client, { django: true });
      const app = portcullisApp(store, stackCompat(stack));
      node = await new Promise<ServerType>((resolve) => {
        const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
      });
      pc = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
      server = await startDjango(stack, DJANGO_DIR, { env });
      dj = server.url;
    }, 180_000);

    afterAll(async () => {
      await server?.stop();
      await new Promise<void>((resolve) => (node ? node.close(() => resolve()) : resolve()));
      await pg?.close();
      await database?.drop();
    });

    it("a session Django made authenticates on Portcullis (CSRF from Django's cookie); logging out on Portcullis ends it on Django", async () => {
      const client = new Client();
      const login = await client.send(`${dj}/django/login/`, { json: { username: "alice", password: PASSWORD } });
      expect(login.status, server!.output()).toBe(200);
      expect(client.cookies.has("sessionid")).toBe(true);
      const me = await client.send(`${pc}/api/me/`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "alice" });
      // An unsafe request needs Django's CSRF token: without it, DRF's answer; with the cookie's token, accepted.
      const forged = await client.send(`${pc}/api/me/`, { method: "POST" });
      expect(forged.status).toBe(403);
      expect(await forged.json()).toEqual({ detail: "CSRF Failed: CSRF token missing." });
      expect((await client.send(`${pc}/api/me/`, { method: "POST", csrf: client.csrf })).status).toBe(200);
      // Portcullis's logout (CSRF-checked) deletes Django's row: Django refuses the same cookie.
      const sessionid = client.cookies.get("sessionid")!;
      expect((await client.send(`${pc}/api/logout/`, { method: "POST" })).status).toBe(403);
      expect((await client.send(`${pc}/api/logout/`, { method: "POST", csrf: client.csrf })).status).toBe(204);
      client.cookies.set("sessionid", sessionid);
      expect((await client.send(`${dj}/django/me/`)).status).toBe(403);
      expect((await client.send(`${pc}/api/me/`)).status).toBe(403);
    });

    it("a session Portcullis made is accepted by Django's middleware (and its CSRF token); logging out on Django ends it on Portcullis", async () => {
      const client = new Client();
      // Login CSRF: the token of the csrftoken cookie Django set is accepted by Portcullis's login.
      expect((await client.send(`${dj}/django/csrf/`)).status).toBe(200);
      expect((await client.send(`${pc}/api/login/`, { json: { username: "alice", password: PASSWORD } })).status).toBe(403);
      const login = await client.send(`${pc}/api/login/`, { json: { username: "alice", password: PASSWORD }, csrf: client.csrf });
      expect(login.status).toBe(200);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const me = await client.send(`${dj}/django/me/`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "alice", auth: "SessionAuthentication" });
      expect((await client.send(`${dj}/django/me/`, { method: "POST" })).status).toBe(403);
      expect((await client.send(`${dj}/django/me/`, { method: "POST", csrf: csrfToken })).status).toBe(200);
      expect((await client.send(`${pc}/api/me/`)).status).toBe(200);
      const sessionid = client.cookies.get("sessionid")!;
      expect((await client.send(`${dj}/django/logout/`, { method: "POST", csrf: client.csrf })).status).toBe(204);
      client.cookies.set("sessionid", sessionid);
      expect((await client.send(`${pc}/api/me/`)).status).toBe(403);
      expect((await client.send(`${dj}/django/me/`)).status).toBe(403);
    });

    it("a password change on Django ends the sessions Portcullis made, and the reverse", async () => {
      const portcullis = new Client();
      await portcullis.send(`${dj}/django/csrf/`);
      expect((await portcullis.send(`${pc}/api/login/`, { json: { username: "bob", password: PASSWORD }, csrf: portcullis.csrf })).status).toBe(200);
      const django = new Client();
      expect((await django.send(`${dj}/django/login/`, { json: { username: "bob", password: PASSWORD } })).status).toBe(200);
      expect((await portcullis.send(`${pc}/api/me/`)).status).toBe(200);
      const changed = await django.send(`${dj}/django/password/`, { json: { password: `${PASSWORD}!` }, csrf: django.csrf });
      expect(changed.status).toBe(204);
      expect((await portcullis.send(`${pc}/api/me/`)).status).toBe(403);
      expect((await portcullis.send(`${dj}/django/me/`)).status).toBe(403);
      // The reverse: Portcullis writes the new hash (as a login's hash upgrade does); Django's session ends.
      expect((await django.send(`${dj}/django/login/`, { json: { username: "bob", password: `${PASSWORD}!` } })).status).toBe(200);
      expect((await django.send(`${pc}/api/me/`)).status).toBe(200);
      const bob = await store.getUserByUsername("bob");
      await store.setPasswordHash(bob!.user.id, (await store.getUserByUsername("alice"))!.passwordHash);
      expect((await django.send(`${dj}/django/me/`)).status).toBe(403);
      expect((await django.send(`${pc}/api/me/`)).status).toBe(403);
    });

    it("a pair obtained on Django is refreshed and blacklisted on Portcullis, and Django refuses what Portcullis spent", async () => {
      const client = new Client();
      const pair = (await (await client.send(`${dj}/django/token/`, { json: { username: "alice", password: PASSWORD } })).json()) as { access: string; refresh: string };
      expect((await client.send(`${pc}/api/me/`, { bearer: pair.access })).status).toBe(200);
      const refreshed = await client.send(`${pc}/api/token/refresh/`, { json: { refresh: pair.refresh } });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as { access: string; refresh: string };
      // BLACKLIST_AFTER_ROTATION: the old refresh token is in simplejwt's blacklist, so Django refuses it.
      const reused = await client.send(`${dj}/django/token/refresh/`, { json: { refresh: pair.refresh } });
      expect(reused.status).toBe(401);
      expect(await reused.json()).toMatchObject({ detail: "Token is blacklisted" });
      expect((await client.send(`${dj}/django/me/`, { bearer: next.access })).status).toBe(200);
      expect((await client.send(`${pc}/api/token/blacklist/`, { json: { refresh: next.refresh } })).status).toBe(200);
      expect((await client.send(`${dj}/django/token/refresh/`, { json: { refresh: next.refresh } })).status).toBe(401);
    });

    it("a pair obtained on Portcullis is refreshed and blacklisted on Django, and Portcullis refuses what Django spent", async () => {
      const client = new Client();
      const obtained = await client.send(`${pc}/api/token/`, { json: { username: "alice", password: PASSWORD } });
      expect(obtained.status).toBe(200);
      const pair = (await obtained.json()) as { access: string; refresh: string };
      const { rows } = await query("SELECT o.jti, o.user_id, o.expires_at > now() AS live FROM token_blacklist_outstandingtoken o JOIN auth_user u ON u.id = o.user_id WHERE u.username = 'alice'", []);
      expect(rows.length).toBeGreaterThan(0);
      expect((await client.send(`${dj}/django/me/`, { bearer: pair.access })).status).toBe(200);
      const refreshed = await client.send(`${dj}/django/token/refresh/`, { json: { refresh: pair.refresh } });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as { refresh: string };
      const reused = await client.send(`${pc}/api/token/refresh/`, { json: { refresh: pair.refresh } });
      expect(reused.status).toBe(401);
      expect(await reused.json()).toMatchObject({ detail: "Token is blacklisted" });
      expect((await client.send(`${dj}/django/token/blacklist/`, { json: { refresh: next.refresh } })).status).toBe(200);
      expect((await client.send(`${pc}/api/token/refresh/`, { json: { refresh: next.refresh } })).status).toBe(401);
    });

    it("flushexpiredtokens and deleteExpiredJwts agree on what is expired", async () => {
      const now = Date.now();
      const userId = (await store.getUserByUsername("alice"))!.user.id;
      const expired = { jti: crypto.randomUUID().replace(/-/g, ""), userId, family: "f", createdAt: now - 7_200_000, expiresAt: now - 3_600_000 };
      await store.addOutstandingJwt({ ...expired, family: expired.jti });
      await store.blacklistJwt({ ...expired, family: expired.jti }, now);
      const live = { ...expired, jti: crypto.randomUUID().replace(/-/g, ""), expiresAt: now + 3_600_000 };
      await store.addOutstandingJwt({ ...live, family: live.jti });
      manage(stack, DJANGO_DIR, ["flushexpiredtokens"], { env: { PORTCULLIS_DJANGO_DB_URL: database.url } }); // Django's own command
      expect(await store.isJwtBlacklisted(expired.jti)).toBe(false);
      expect(await store.deleteExpiredJwts(now)).toBe(0);
      const again = { ...live, jti: crypto.randomUUID().replace(/-/g, ""), expiresAt: now - 1 };
      await store.blacklistJwt({ ...again, family: again.jti }, now);
      expect(await store.deleteExpiredJwts(now)).toBe(1);
      const { rows } = await query("SELECT count(*)::int AS n FROM token_blacklist_outstandingtoken WHERE expires_at <= now()", []);
      expect(rows[0]?.n).toBe(0);
      const { rows: kept } = await query("SELECT 1 FROM token_blacklist_outstandingtoken WHERE jti = $1", [live.jti]);
      expect(kept.length).toBe(1);
    });

    it("leaves Django's tables as Django made them", async () => {
      expect(schemaBefore).toContain("django_session.session_key character varying NO");
      expect(await djangoSchema(pg.client)).toBe(schemaBefore);
    });
  });
}
