/**
 * django-oauth-toolkit 3.0.1, live (modern stack, real PostgreSQL): DOT's own models and `/o/token/` endpoint make
 * the tokens; the same requests go to DRF views behind DOT's `OAuth2Authentication` and permissions (Django's
 * development server) and to Portcullis (`oauth2Auth` on `postgresStore` in Django mode, same database, and then on
 * `introspectionSource` against that server's `/o/introspect/`). Status, JSON body and `WWW-Authenticate` must match
 * on every case. The `OAuth2TokenStore` conformance suite also runs on DOT's real table.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { allowAny, guard, isAuthenticated, toResponse } from "@portcullis/core";
import {
  introspectionSource,
  oauth2Auth,
  tokenHasReadWriteScope,
  tokenHasResourceScope,
  tokenHasScope,
  tokenMatchesOASRequirements,
  type OAuth2AuthOptions,
} from "@portcullis/core/oauth2";
import { runOAuth2TokenStoreConformance } from "@portcullis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { djangoStacks, runPython, type DjangoStack } from "../../core/test/_stacks.js";
import { manage, startDjango, type DjangoServer } from "../../core/test/_django-server.js";
import { postgresStore, toSqlClient, type PostgresDjangoStore } from "../src/index.js";
import { HAS_SERVER, IS_CI, createDatabase, pgClient, type TestClient, type TestDatabase } from "./_postgres.js";

const PROJECT = fileURLToPath(new URL("./django-oauth2/", import.meta.url));
const CLIENT_ID = "portcullis-resource-server";
const CLIENT_SECRET = "dot-fixture-client-secret-not-secret-0123456789";

if (IS_CI && !HAS_SERVER) throw new Error("CI=true: the django-oauth-toolkit comparison needs PORTCULLIS_PG_URL");
if (!HAS_SERVER) console.warn("[store-postgres] skipping the django-oauth-toolkit comparison: set PORTCULLIS_PG_URL");

/** DOT is only on the modern stack (Debian packages no django-oauth-toolkit). */
function modernStack(): DjangoStack | null {
  if (!HAS_SERVER) return null;
  const modern = djangoStacks(["psycopg2"], "the django-oauth-toolkit comparison").find((stack) => stack.name === "modern");
  const ok = modern !== undefined && spawnSync("/usr/bin/python3", ["-c", "import oauth2_provider, oauthlib"], { env: modern.env, stdio: "ignore" }).status === 0;
  if (ok) return modern;
  if (IS_CI) throw new Error("CI=true: the django-oauth-toolkit comparison needs the modern stack with DOT 3.0.1 and python3-oauthlib");
  console.warn("[store-postgres] skipping the django-oauth-toolkit comparison: the modern stack (../shared/reference) and python3-oauthlib");
  return null;
}

const stack = modernStack();

const random = (label: string) => `${label}-${crypto.randomUUID().replaceAll("-", "")}`;

/** The Portcullis half: one guarded handler per DRF view of `dot_project/urls.py`, answering what the view answers. */
function portcullisHandler(options: OAuth2AuthOptions, errorResponseWithScopes = false): (request: Request) => Promise<Response> {
  const schemes = [oauth2Auth(options)] as const;
  const scoped = { errorResponseWithScopes };
  const oas = tokenMatchesOASRequirements({ GET: [["read"]], POST: [["write", "music"], ["admin"]] });
  const routes = new Map<string, ReturnType<typeof guard>>([
    ["/api/default/", guard({ schemes, permissions: [isAuthenticated] })],
    ["/api/open/", guard({ schemes, permissions: [allowAny] })],
    ["/api/scope/", guard({ schemes, permissions: [tokenHasScope(["music"], scoped)] })],
    ["/api/rw/", guard({ schemes, permissions: [tokenHasReadWriteScope(scoped)] })],
    ["/api/resource/", guard({ schemes, permissions: [tokenHasResourceScope(["songs"], scoped)] })],
    ["/api/oas/", guard({ schemes, permissions: [oas] })],
  ]);
  return async (request) => {
    const check = routes.get(new URL(request.url).pathname);
    if (check === undefined) return new Response(null, { status: 404 });
    const decision = await check(request);
    if (!decision.allowed) return toResponse(decision.error);
    const user = decision.user as { username?: string } | null;
    const auth = decision.auth as { scope?: string } | null;
    return Response.json({ user: user?.username ?? null, scope: auth?.scope ?? null });
  };
}

/** What is compared: status, parsed JSON body, challenge. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly challenge: string | null;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text: a mismatch shows it
  }
  return { status: response.status, body, challenge: response.headers.get("www-authenticate") };
}

/** One request of the comparison: an `Authorization` value (or none) and an optional query. */
interface Case {
  readonly label: string;
  readonly authorization?: string;
  readonly query?: string;
}

const PATHS = ["/api/default/", "/api/open/", "/api/scope/", "/api/rw/", "/api/resource/", "/api/oas/"];
const METHODS = ["GET", "POST", "PUT"];

function requestFor(base: string, path: string, method: string, item: Case): Request {
  const headers = new Headers();
  if (item.authorization !== undefined) headers.set("Authorization", item.authorization);
  return new Request(`${base}${path}${item.query ?? ""}`, { method, headers });
}

describe.runIf(stack !== null)("django-oauth-toolkit 3.0.1 against Portcullis (modern stack, real PostgreSQL)", () => {
  const live = stack as DjangoStack;
  let database: TestDatabase;
  let client: TestClient;
  let store: PostgresDjangoStore;
  let server: DjangoServer;
  let env: NodeJS.ProcessEnv;
  const tokens: Record<string, string> = {};

  const ops = (list: readonly Record<string, unknown>[]) => runPython<Array<Record<string, string>>>(live, "ops.py", list, { cwd: PROJECT, env });

  beforeAll(async () => {
    database = await createDatabase("portcullis_dot");
    env = { PORTCULLIS_DJANGO_DB_URL: database.url };
    manage(live, PROJECT, ["migrate", "--noinput", "-v", "0"], { env });
    for (const name of ["rw", "music", "songs", "admin", "expired", "revoked", "inactive", "introspector"]) tokens[name] = random(name);
    ops([
      { op: "user", username: "alice" },
      { op: "user", username: "bob" },
      { op: "application", name: "resource server", client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.rw, scope: "read write", expires_in: 3600 },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.music, scope: "read music", expires_in: 3600 },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.songs, scope: "songs:read", expires_in: 3600 },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.admin, scope: "admin", expires_in: 3600 },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.expired, scope: "read write music", expires_in: -60 },
      { op: "token", username: "alice", client_id: CLIENT_ID, token: tokens.revoked, scope: "read write music", expires_in: 3600 },
      { op: "revoke", token: tokens.revoked },
      { op: "token", username: "bob", client_id: CLIENT_ID, token: tokens.inactive, scope: "read write music", expires_in: 3600 },
      { op: "deactivate", username: "bob" },
      { op: "token", client_id: CLIENT_ID, token: tokens.introspector, scope: "introspection", expires_in: 3600 },
    ]);
    server = await startDjango(live, PROJECT, { env });
    // A client-credentials token from DOT's real token endpoint: no user.
    const issued = await fetch(`${server.url}/o/token/`, {
      method: "POST",
      headers: { Authorization: `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "read write music" }),
    });
    expect(issued.status, server.output()).toBe(200);
    tokens.clientCredentials = ((await issued.json()) as { access_token: string }).access_token;
    client = pgClient(database.url);
    store = postgresStore(client.client, { django: true });
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await client?.close();
    await database?.drop();
  });

  function cases(): Case[] {
    const bearer = (token: string) => `Bearer ${token}`;
    return [
      { label: "no credentials" },
      { label: "read write", authorization: bearer(tokens.rw as string) },
      { label: "read music", authorization: bearer(tokens.music as string) },
      { label: "songs:read", authorization: bearer(tokens.songs as string) },
      { label: "admin", authorization: bearer(tokens.admin as string) },
      { label: "expired", authorization: bearer(tokens.expired as string) },
      { label: "revoked (deleted)", authorization: bearer(tokens.revoked as string) },
      { label: "inactive user", authorization: bearer(tokens.inactive as string) },
      { label: "client credentials (no user)", authorization: bearer(tokens.clientCredentials as string) },
      { label: "unknown", authorization: bearer(random("unknown")) },
      { label: "prefix of a valid token", authorization: bearer((tokens.rw as string).slice(0, -1)) },
      { label: "huge", authorization: bearer("a".repeat(9000)) },
      { label: "lower-case keyword", authorization: `bearer ${tokens.rw}` },
      { label: "keyword alone", authorization: "Bearer" },
      { label: "two credentials", authorization: `Bearer ${tokens.rw} extra` },
      { label: "another scheme", authorization: `Token ${tokens.rw}` },
      { label: "tab separated", authorization: `Bearer\t${tokens.rw}` },
      { label: "query token, no header", query: `?access_token=${tokens.rw}` },
      { label: "query token beside a header", authorization: "Token x", query: `?access_token=${tokens.rw}` },
      { label: "two query tokens, the valid one last", query: `?access_token=nope&access_token=${tokens.music}` },
      { label: "two query tokens, the valid one first", query: `?access_token=${tokens.music}&access_token=nope` },
    ];
  }

  async function compare(portcullis: (request: Request) => Promise<Response>, django: DjangoServer, adjust: (item: Case, answer: Answer) => Answer = (_, a) => a) {
    const mismatches: string[] = [];
    let count = 0;
    for (const item of cases()) {
      for (const path of PATHS) {
        for (const method of METHODS) {
          const theirs = await answerOf(await fetch(requestFor(django.url, path, method, item)));
          const ours = adjust(item, await answerOf(await portcullis(requestFor("http://portcullis.test", path, method, item))));
          count++;
          if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
            mismatches.push(`${item.label} ${method} ${path}: django ${JSON.stringify(theirs)} portcullis ${JSON.stringify(ours)}`);
          }
        }
      }
    }
    expect(mismatches, django.output().slice(-2000)).toEqual([]);
    return count;
  }

  it("DOT's table through postgresStore in Django mode: every case matches DOT (status, body, WWW-Authenticate)", async () => {
    const count = await compare(portcullisHandler({ store, fromQuery: true }), server);
    expect(count).toBe(cases().length * PATHS.length * METHODS.length);
  }, 240_000);

  it("RFC 7662 introspection against DOT's /o/introspect/ answers as the database does", async () => {
    const introspection = introspectionSource({ url: `${server.url}/o/introspect/`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, users: store });
    // An expired token is not active at the endpoint, so it reads as unknown: DOT's own resource server, configured
    // with RESOURCE_SERVER_INTROSPECTION_URL, says "invalid" there too (its local row is missing).
    await compare(portcullisHandler({ introspection, fromQuery: true }), server, (item, answer) =>
      item.label === "expired" && answer.challenge !== null
        ? { ...answer, challenge: answer.challenge.replace("The access token is invalid.", "The access token has expired.") }
        : answer,
    );
  }, 240_000);

  it("with DOT's ERROR_RESPONSE_WITH_SCOPES, the 403 bodies carry required_scopes exactly as DOT's", async () => {
    const withScopes = await startDjango(live, PROJECT, { env: { ...env, PORTCULLIS_DOT_ERROR_WITH_SCOPES: "1" } });
    try {
      await compare(portcullisHandler({ store, fromQuery: true }, true), withScopes);
      const sample = await fetch(requestFor(withScopes.url, "/api/scope/", "GET", { label: "", authorization: `Bearer ${tokens.rw}` }));
      expect(await sample.json()).toEqual({ detail: "You do not have permission to perform this action.", required_scopes: ["music"] });
    } finally {
      await withScopes.stop();
    }
  }, 240_000);

  it("introspection with a Bearer token holding DOT's introspection scope works; a wrong secret fails closed", async () => {
    const introspection = introspectionSource({ url: `${server.url}/o/introspect/`, token: tokens.introspector as string, cache: false });
    expect(await introspection.introspect(tokens.music as string, Date.now())).toMatchObject({ scope: "read music", clientId: CLIENT_ID, user: { username: "alice" } });
    expect(await introspection.introspect(tokens.expired as string, Date.now())).toBeNull();
    const wrong = introspectionSource({ url: `${server.url}/o/introspect/`, clientId: CLIENT_ID, clientSecret: "wrong", cache: false });
    await expect(wrong.introspect(tokens.music as string, Date.now())).rejects.toThrow(/introspection answered 403|introspection answered 401/);
  });

  describe("the OAuth2TokenStore conformance suite on DOT's table", () => {
    runOAuth2TokenStoreConformance("postgresStore (Django mode, DOT 3.0.1)", () => store, {
      createUser: (s, username, isActive) => s.createUser({ username, passwordHash: "!", isActive }),
      insertToken: async (_s, checksum, { scope, expiresAt, userId }) => {
        const db = toSqlClient(client.client);
        const { rows } = await db.query(
          `INSERT INTO oauth2_provider_accesstoken (token, token_checksum, expires, scope, created, updated, application_id, user_id)
           SELECT $1, $2, to_timestamp($3::float8 / 1000), $4, now(), now(), a.id, $5::integer FROM oauth2_provider_application AS a WHERE a.client_id = $6
           RETURNING id::text AS id, application_id::text AS application_id`,
          [random("row"), checksum, expiresAt, scope, userId, CLIENT_ID],
        );
        return { id: String(rows[0]?.id), applicationId: String(rows[0]?.application_id), clientId: CLIENT_ID };
      },
    });
  });
});
