/**
 * django-rest-knox 5.0.2, live: real knox (the modern stack's sources, `manage.py runserver`) and Portcullis in
 * Django mode on the SAME PostgreSQL database (knox's own `knox_authtoken`). Tokens made by real knox go to both
 * halves and must answer the same status, body and `WWW-Authenticate`; tokens made by either login work on the other;
 * logout/logoutall on either side revoke on both. Two REST_KNOX variants: knox's defaults, and a prefix with
 * auto-refresh, a refresh cap, a per-user limit and a user serializer.
 */
import { fileURLToPath } from "node:url";
import { basicAuth, guard, isAuthenticated, jsonResponse, toResponse } from "@portcullis/core";
import { knoxAuth, knoxLoginHandler, knoxLogoutAllHandler, knoxLogoutHandler, knoxSettings, type KnoxSettingsOptions } from "@portcullis/core/knox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { djangoStacks, runPython } from "../../core/test/_stacks.js";
import { manage, startDjango, type DjangoServer } from "../../core/test/_django-server.js";
import { migrate, postgresStore, toSqlClient } from "../src/index.js";
import { runKnoxTokenStoreConformance } from "@portcullis/testing";
import { HAS_SERVER, IS_CI, createDatabase, pgClient, postgresJsClient, wipe, type TestClient, type TestDatabase } from "./_postgres.js";

const PROJECT = fileURLToPath(new URL("./django-knox/", import.meta.url));
const HOUR = 3600_000;
const PASSWORD = "knox-test-password";

if (IS_CI && !HAS_SERVER) throw new Error("CI=true: the knox comparison needs PORTCULLIS_PG_URL");
const stacks = HAS_SERVER ? djangoStacks(["knox", "psycopg2"], "the knox comparison", ["modern"]) : [];
if (!HAS_SERVER) console.warn("skipping the knox comparison: set PORTCULLIS_PG_URL");

const VARIANTS: Record<string, KnoxSettingsOptions> = {
  default: {},
  custom: {
    tokenPrefix: "kx_",
    tokenTtlMs: 10 * HOUR,
    autoRefresh: true,
    autoRefreshMaxTtlMs: 20 * HOUR,
    minRefreshIntervalMs: 60_000,
    tokenLimitPerUser: 3,
    userSerializer: (user) => ({ username: user.username }),
  },
};

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly challenge: string | null;
  readonly allow?: string | null;
}

/** Portcullis's side: the same four routes on Django's tables. */
function portcullis(client: TestClient, options: KnoxSettingsOptions): (request: Request) => Promise<Response> {
  const store = postgresStore(client.client, { django: true });
  const settings = knoxSettings(options);
  const whoami = guard({ schemes: [knoxAuth({ store, settings })], permissions: [isAuthenticated] });
  const login = knoxLoginHandler({ store, settings, schemes: [basicAuth({ users: store })] });
  const logout = knoxLogoutHandler({ store, settings });
  const logoutAll = knoxLogoutAllHandler({ store, settings });
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/auth/login/") return login(request);
    if (path === "/api/auth/logout/") return logout(request);
    if (path === "/api/auth/logoutall/") return logoutAll(request);
    const decision = await whoami(request);
    if (!decision.allowed) return toResponse(decision.error);
    if (request.method !== "GET") return jsonResponse({ detail: `Method "${request.method}" not allowed.` }, 405, { Allow: "GET, HEAD, OPTIONS" });
    return jsonResponse({ username: decision.user.username }, 200);
  };
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  const allow = response.status === 405 ? { allow: response.headers.get("allow") } : {};
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown), challenge: response.headers.get("www-authenticate"), ...allow };
}

const basic = (username: string) => `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString("base64")}`;

if (stacks.length === 0) it.skip("the knox comparison needs PostgreSQL and the modern Django stack", () => {});

for (const stack of stacks) {
  describe(`the knox capability in Django mode, on knox_authtoken as knox ${stack.name}'s migrations made it`, () => {
    let database: TestDatabase | undefined;
    const clients: Record<string, TestClient> = {};
    beforeAll(async () => {
      database = await createDatabase("portcullis_knoxc");
      manage(stack, PROJECT, ["migrate", "--noinput", "-v", "0"], { env: { PORTCULLIS_DJANGO_DB_URL: database.url } });
      clients.pg = pgClient(database.url);
      clients["postgres.js"] = postgresJsClient(database.url);
      expect(await migrate(clients.pg.client, { django: true })).toContain("0009_knox_django.sql");
    }, 180_000);
    afterAll(async () => {
      for (const client of Object.values(clients)) await client.close();
      await database?.drop();
    });
    for (const label of ["pg", "postgres.js"]) {
      runKnoxTokenStoreConformance(`postgresStore({ django: true }) on ${label}`, async () => {
        await wipe(clients[label]!, ["knox_authtoken"]);
        return postgresStore(clients[label]!.client, { django: true });
      });
    }
  });

  for (const [variant, options] of Object.entries(VARIANTS)) {
    describe(`knox ${variant} settings: knox 5.0.2 on Django ${stack.versions.django} (${stack.name}) vs Portcullis, one PostgreSQL database`, () => {
      let database: TestDatabase | undefined;
      let client: TestClient | undefined;
      let django: DjangoServer | undefined;
      let env: NodeJS.ProcessEnv = {};
      let local: (request: Request) => Promise<Response> = async () => new Response(null, { status: 500 });

      const ops = <T>(list: unknown[]) => runPython<T[]>(stack, "ops.py", list, { cwd: PROJECT, env });
      const knoxToken = (username: string, expirySeconds: number | null = 36_000, prefix = "") =>
        ops<{ token: string }>([{ op: "create_token", username, expiry_seconds: expirySeconds, prefix }])[0]!.token;
      const rows = (username: string) => ops<Array<{ token_key: string; expiry: number | null }>>([{ op: "rows", username }])[0]!;
      const send = async (side: "django" | "portcullis", path: string, headers: Record<string, string> = {}, method = "GET") => {
        const url = `${side === "django" ? django!.url : "http://api.test"}${path}`;
        const request = new Request(url, { method, headers });
        return answer(side === "django" ? await fetch(request) : await local(request));
      };
      const both = async (path: string, headers: Record<string, string> = {}, method = "GET") => ({
        django: await send("django", path, headers, method),
        portcullis: await send("portcullis", path, headers, method),
      });
      const sameAnswer = async (path: string, headers: Record<string, string> = {}, method = "GET") => {
        const { django: theirs, portcullis: ours } = await both(path, headers, method);
        expect(ours, `${method} ${path} ${JSON.stringify(headers)}`).toEqual(theirs);
        return ours;
      };

      beforeAll(async () => {
        database = await createDatabase("portcullis_knox");
        env = { PORTCULLIS_DJANGO_DB_URL: database.url, PORTCULLIS_KNOX_VARIANT: variant };
        manage(stack, PROJECT, ["migrate", "--noinput", "-v", "0"], { env });
        ops(["alice", "carol", "dave", "erin", "frank"].map((username) => ({ op: "create_user", username, password: PASSWORD })));
        client = pgClient(database.url);
        await migrate(client.client, { django: true });
        local = portcullis(client, options);
        django = await startDjango(stack, PROJECT, { env });
      }, 180_000);

      afterAll(async () => {
        await django?.stop();
        await client?.close();
        await database?.drop();
      });

      it("a token made by real knox: both answer the same, for it and for every malformed or wrong header", async () => {
        const token = knoxToken("alice");
        expect(await sameAnswer("/api/whoami/", { Authorization: `Token ${token}` })).toMatchObject({ status: 200, body: { username: "alice" } });
        const wrongRest = `${token.slice(0, 20)}${token.slice(20).replace(/./g, (c) => (c === "0" ? "1" : "0"))}`;
        const headers = [
          `token ${token}`,
          `TOKEN   ${token}`,
          "Token",
          "Token ",
          `Token ${token} extra`,
          `Token ${"0".repeat(64)}`,
          `Token ${wrongRest}`,
          `Token ${token.slice(0, 15)}`,
          `Token ${token}00`,
          `Token ${token.slice(0, 62)}`,
          "Token abc",
          `Bearer ${token}`,
          `Basic ${Buffer.from("alice:wrong").toString("base64")}`,
          "Tokenabc",
        ];
        for (const value of headers) await sameAnswer("/api/whoami/", { Authorization: value });
        await sameAnswer("/api/whoami/");
        await sameAnswer("/api/whoami/", { Authorization: `Token ${token}` }, "POST");
      }, 60_000);

      it("an expired knox token: Invalid token. on both, and each side deletes the row it was shown", async () => {
        for (const side of ["django", "portcullis"] as const) {
          const bob = `bob-${side}`;
          ops([{ op: "create_user", username: bob, password: PASSWORD }]);
          const other = knoxToken(bob, 36_000);
          const expired = knoxToken(bob, -5);
          expect(rows(bob)).toHaveLength(2);
          expect(await send(side, "/api/whoami/", { Authorization: `Token ${expired}` })).toEqual({ status: 401, body: { detail: "Invalid token." }, challenge: "Token" });
          expect(rows(bob).map((row) => row.token_key)).toEqual([other.slice(0, 15)]);
          // A valid token of a user also sweeps that user's other expired tokens (knox's _cleanup_token).
          knoxToken(bob, -5);
          expect(rows(bob)).toHaveLength(2);
          expect((await send(side, "/api/whoami/", { Authorization: `Token ${other}` })).status).toBe(200);
          expect(rows(bob)).toHaveLength(1);
        }
      }, 60_000);

      it("an inactive user's knox token: User inactive or deleted. on both", async () => {
        const token = knoxToken("carol");
        ops([{ op: "set_active", username: "carol", is_active: false }]);
        expect(await sameAnswer("/api/whoami/", { Authorization: `Token ${token}` })).toMatchObject({ status: 401, body: { detail: "User inactive or deleted." } });
        await sameAnswer("/api/auth/logout/", { Authorization: `Token ${token}` }, "POST");
        await sameAnswer("/api/auth/logoutall/", { Authorization: `Token ${token}` }, "POST");
        await sameAnswer("/api/auth/login/", { Authorization: basic("carol") }, "POST");
        ops([{ op: "set_active", username: "carol", is_active: true }]);
      });

      it("a token without expiry works on both; a TOKEN_PREFIX token from knox too", async () => {
        await sameAnswer("/api/whoami/", { Authorization: `Token ${knoxToken("alice", null)}` });
        await sameAnswer("/api/whoami/", { Authorization: `Token ${knoxToken("alice", 600, "pre_")}` });
      });

      it("login on either side makes a token the other accepts; logout on either side revokes it on both", async () => {
        for (const [from, to] of [["django", "portcullis"], ["portcullis", "django"]] as const) {
          const login = await send(from, "/api/auth/login/", { Authorization: basic("dave") }, "POST");
          expect(login.status).toBe(200);
          const body = login.body as { token: string; expiry: string; user?: unknown };
          expect(body.token).toMatch(variant === "custom" ? /^kx_[0-9a-f]{64}$/ : /^[0-9a-f]{64}$/);
          expect(body.expiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
          expect(Math.abs(Date.parse(body.expiry) - (Date.now() + 10 * HOUR))).toBeLessThan(60_000);
          expect(Object.keys(body).sort()).toEqual(variant === "custom" ? ["expiry", "token", "user"] : ["expiry", "token"]);
          if (variant === "custom") expect(body.user).toEqual({ username: "dave" });
          const auth = { Authorization: `Token ${body.token}` };
          expect(await send(to, "/api/whoami/", auth)).toMatchObject({ status: 200, body: { username: "dave" } });
          expect(await send(to, "/api/auth/logout/", auth, "POST")).toEqual({ status: 204, body: null, challenge: null });
          expect(await send(from, "/api/whoami/", auth)).toMatchObject({ status: 401, body: { detail: "Invalid token." } });
        }
      }, 60_000);

      it("logoutall on either side revokes every token of the user on both, and no one else's", async () => {
        for (const side of ["django", "portcullis"] as const) {
          const [a, b] = [knoxToken("erin"), knoxToken("erin")];
          const other = knoxToken("frank");
          expect(await send(side, "/api/auth/logoutall/", { Authorization: `Token ${a}` }, "POST")).toEqual({ status: 204, body: null, challenge: null });
          expect(rows("erin")).toEqual([]);
          await sameAnswer("/api/whoami/", { Authorization: `Token ${b}` });
          expect((await sameAnswer("/api/whoami/", { Authorization: `Token ${other}` })).status).toBe(200);
        }
      }, 60_000);

      it("the endpoints' refusals answer the same", async () => {
        const token = knoxToken("frank");
        for (const path of ["/api/auth/login/", "/api/auth/logout/", "/api/auth/logoutall/"]) {
          await sameAnswer(path, {}, "POST");
          await sameAnswer(path, { Authorization: `Token ${"0".repeat(64)}` }, "POST");
          await sameAnswer(path, { Authorization: "Token" }, "POST");
        }
        await sameAnswer("/api/auth/login/", { Authorization: basic("nobody") }, "POST");
        await sameAnswer("/api/auth/login/", { Authorization: `Basic ${Buffer.from("frank:wrong").toString("base64")}` }, "POST");
        await sameAnswer("/api/auth/login/", {}, "GET");
        await sameAnswer("/api/auth/login/", { Authorization: basic("frank") }, "GET");
        await sameAnswer("/api/auth/logout/", { Authorization: `Token ${token}` }, "GET");
        await sameAnswer("/api/auth/logoutall/", { Authorization: `Token ${token}` }, "PUT");
      }, 60_000);

      if (variant === "custom") {
        it("TOKEN_LIMIT_PER_USER: the fourth login is 403 with knox's body on both", async () => {
          ops([{ op: "create_user", username: "grace", password: PASSWORD }]);
          for (let i = 0; i < 3; i++) knoxToken("grace");
          knoxToken("grace", null); // tokens without expiry are not counted by knox
          await sameAnswer("/api/auth/login/", { Authorization: basic("grace") }, "POST");
          expect((await send("portcullis", "/api/auth/login/", { Authorization: basic("grace") }, "POST")).body).toEqual({ error: "Maximum amount of tokens allowed per user exceeded." });
        }, 60_000);

        it("AUTO_REFRESH: each side moves the expiry to now + TTL, not again within MIN_REFRESH_INTERVAL, capped by AUTO_REFRESH_MAX_TTL", async () => {
          for (const side of ["django", "portcullis"] as const) {
            const username = `henry-${side}`;
            ops([{ op: "create_user", username, password: PASSWORD }]);
            const token = knoxToken(username, 3600);
            const before = rows(username)[0]!.expiry!;
            expect((await send(side, "/api/whoami/", { Authorization: `Token ${token}` })).status).toBe(200);
            const moved = rows(username)[0]!.expiry!;
            expect(Math.abs(moved - (Date.now() + 10 * HOUR))).toBeLessThan(30_000);
            expect(moved - before).toBeGreaterThan(8 * HOUR);
            expect((await send(side, "/api/whoami/", { Authorization: `Token ${token}` })).status).toBe(200);
            expect(rows(username)[0]!.expiry).toBe(moved);
            // Created 15 h ago: the refresh stops at created + AUTO_REFRESH_MAX_TTL (20 h), i.e. now + 5 h.
            const db = toSqlClient(client!.client);
            await db.query("UPDATE knox_authtoken SET created = now() - interval '15 hours' WHERE token_key = $1", [token.slice(0, 15)]);
            await db.query("UPDATE knox_authtoken SET expiry = now() + interval '1 hour' WHERE token_key = $1", [token.slice(0, 15)]);
            expect((await send(side, "/api/whoami/", { Authorization: `Token ${token}` })).status).toBe(200);
            expect(Math.abs(rows(username)[0]!.expiry! - (Date.now() + 5 * HOUR))).toBeLessThan(30_000);
          }
        }, 60_000);
      }
    });
  }
}
