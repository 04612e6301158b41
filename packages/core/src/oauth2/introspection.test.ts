/**
 * `introspectionSource` against a real HTTP server on 127.0.0.1 playing the authorization server: what it is sent,
 * the cache bounds (entries, TTL, `exp`), and every malformed answer failing closed instead of passing.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, StoreError } from "../errors.js";
import { guard } from "../guard.js";
import { errorToResponse, toResponse } from "../response.js";
import { memoryStore } from "@portcullis/store-memory";
import { sha256Hex } from "../internal/sha256.js";
import { djangoModelPermissions } from "../model-permissions/django-model-permissions.js";
import { userRateThrottle } from "../throttles/throttles.js";
import { introspectionSource, oauth2Auth } from "./index.js";

const T0 = 1_700_000_000_000;
type Reply = { status?: number; body: string; delayMs?: number };

let server: Server;
let url: string;
let reply: (token: string) => Reply = () => ({ body: '{"active":false}' });
const seen: Array<{ authorization: string | undefined; contentType: string | undefined; body: string }> = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    seen.push({ authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
    const answer = reply(new URLSearchParams(body).get("token") ?? "");
    setTimeout(() => {
      res.writeHead(answer.status ?? 200, { "Content-Type": "application/json" });
      res.end(answer.body);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/o/introspect/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
});

const active = (fields: Record<string, unknown> = {}) => JSON.stringify({ active: true, scope: "read write", exp: (T0 + 3_600_000) / 1000, client_id: "app", username: "alice", ...fields });

describe("introspectionSource", () => {
  it("POSTs token=… as a form with HTTP Basic (DOT's RESOURCE_SERVER_INTROSPECTION_CREDENTIALS) and maps the answer", async () => {
    reply = () => ({ body: active() });
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s3cr:t", cache: false });
    expect(await source.introspect("tok en+/", T0)).toEqual({
      id: "introspection", scope: "read write", expiresAt: T0 + 3_600_000, applicationId: null, clientId: "app",
      user: { id: "introspected:alice", username: "alice", isActive: true, isStaff: false },
    });
    expect(seen).toEqual([{ authorization: `Basic ${btoa("rs:s3cr:t")}`, contentType: "application/x-www-form-urlencoded", body: "token=tok+en%2B%2F" }]);
    const bearer = introspectionSource({ url, token: "introspector", cache: false });
    await bearer.introspect("x", T0);
    expect(seen[1]?.authorization).toBe("Bearer introspector");
  });

  it("inactive is null (a 401 through oauth2Auth); only the JSON boolean true is active", async () => {
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: false });
    reply = () => ({ body: '{"active":false}' });
    expect(await source.introspect("t", T0)).toBeNull();
    for (const body of ['{"active":"true"}', '{"active":1}', '{"scope":"read"}', "[true]", "true", "not json", "", '{"active":true,"exp":"9999999999"}', '{"active":true,"scope":["read"]}', '{"active":true,"username":7}', '{"active":true,"exp":1e400}']) {
      reply = () => ({ body });
      await expect(source.introspect("t", T0), body).rejects.toBeInstanceOf(StoreError);
    }
  });

  it("a 5xx, a 4xx, a timeout, a refused connection, an oversized answer: 503 through guard, reported once", async () => {
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: false, timeoutMs: 200 });
    for (const answer of [{ status: 500, body: "{}" }, { status: 401, body: '{"active":true}' }, { status: 302, body: '{"active":true}' }, { body: active(), delayMs: 1000 }, { body: `{"active":true,"pad":"${"x".repeat(70_000)}"}` }]) {
      reply = () => answer;
      const events: string[] = [];
      const check = guard({ schemes: [oauth2Auth({ introspection: source })], onEvent: (event) => events.push(event.type) });
      const error = await check(new Request("https://api.test/", { headers: { authorization: "Bearer t" } }), { now: () => T0 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect(errorToResponse(error).status).toBe(503);
      expect(events.filter((type) => type === "store.failed")).toHaveLength(1);
      expect(String((error as Error).message)).not.toContain("t=");
    }
    const refused = introspectionSource({ url: "http://127.0.0.1:1/", clientId: "rs", clientSecret: "s", cache: false });
    await expect(refused.introspect("t", T0)).rejects.toBeInstanceOf(StoreError);
  });

  it("an inactive answer is a 401 with DOT's invalid_token challenge", async () => {
    reply = () => ({ body: '{"active":false}' });
    const check = guard({ schemes: [oauth2Auth({ introspection: introspectionSource({ url, clientId: "rs", clientSecret: "s" }) })] });
    const decision = await check(new Request("https://api.test/", { headers: { authorization: "Bearer t" } }), { now: () => T0 });
    expect(decision.allowed).toBe(false);
    const response = toResponse((decision as { error: Parameters<typeof toResponse>[0] }).error);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api",error="invalid_token",error_description="The access token is invalid."');
  });

  it("caches active answers by digest, never past maxTtlMs (a revocation is seen after it) nor past exp", async () => {
    let revoked = false;
    reply = () => ({ body: revoked ? '{"active":false}' : active({ exp: (T0 + 30_000) / 1000 }) });
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: { maxEntries: 10, maxTtlMs: 10_000 } });
    expect(await source.introspect("t", T0)).not.toBeNull();
    revoked = true;
    expect(await source.introspect("t", T0 + 9_999)).not.toBeNull(); // cached: at most maxTtlMs stale
    expect(seen).toHaveLength(1);
    expect(await source.introspect("t", T0 + 10_000)).toBeNull(); // TTL over: asked again, revoked
    revoked = false;
    reply = () => ({ body: active({ exp: (T0 + 5_000) / 1000 }) });
    const short = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: { maxEntries: 10, maxTtlMs: 60_000 } });
    await short.introspect("u", T0);
    await short.introspect("u", T0 + 4_999);
    expect(seen).toHaveLength(3);
    await short.introspect("u", T0 + 5_000); // exp reached: not served from the cache
    expect(seen).toHaveLength(4);
  });

  it("an active answer whose exp has passed is expired (401 'has expired'), and never cached", async () => {
    reply = () => ({ body: active({ exp: (T0 - 1000) / 1000 }) });
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s" });
    const check = guard({ schemes: [oauth2Auth({ introspection: source })] });
    const decision = await check(new Request("https://api.test/", { headers: { authorization: "Bearer late" } }), { now: () => T0 });
    expect(decision.allowed).toBe(false);
    expect(toResponse((decision as { error: Parameters<typeof toResponse>[0] }).error).headers.get("www-authenticate")).toContain("The access token has expired.");
    await source.introspect("late", T0);
    expect(seen).toHaveLength(2);
  });

  it("bounds the cache by entries (oldest evicted) and shares one call between concurrent requests", async () => {
    reply = () => ({ body: active(), delayMs: 50 });
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: { maxEntries: 2, maxTtlMs: 60_000 } });
    await Promise.all(Array.from({ length: 20 }, () => source.introspect("a", T0)));
    expect(seen).toHaveLength(1);
    await source.introspect("b", T0);
    await source.introspect("c", T0); // evicts "a"
    await source.introspect("a", T0);
    expect(seen).toHaveLength(4);
    await source.introspect("c", T0);
    expect(seen).toHaveLength(4);
  });

  it("resolves usernames through a user store when given (unknown: inactive), and validates its options", async () => {
    reply = () => ({ body: active({ username: "ghost" }) });
    const users = { getUserByUsername: async () => null };
    expect(await introspectionSource({ url, clientId: "rs", clientSecret: "s", users, cache: false }).introspect("t", T0)).toBeNull();
    expect(() => introspectionSource({ url: "nope", clientId: "a", clientSecret: "b" })).toThrow(ConfigError);
    expect(() => introspectionSource({ url, clientId: "a" })).toThrow(ConfigError);
    expect(() => introspectionSource({ url, token: "t", clientId: "a", clientSecret: "b" })).toThrow(ConfigError);
    expect(() => introspectionSource({ url, token: "t", cache: { maxEntries: 0, maxTtlMs: 1 } })).toThrow(ConfigError);
  });

  it("with a store too, the store answers first and introspection only for a missing or expired row (DOT's order)", async () => {
    const store = memoryStore();
    const alice = await store.createUser({ username: "alice", passwordHash: "!" });
    await store.putOAuth2AccessToken(sha256Hex("local"), { id: "1", scope: "read", expiresAt: T0 + 1000, applicationId: "1", clientId: "app", userId: alice.id });
    await store.putOAuth2AccessToken(sha256Hex("stale"), { id: "2", scope: "read", expiresAt: T0, applicationId: "1", clientId: "app", userId: alice.id });
    reply = () => ({ body: active() });
    const check = guard({ schemes: [oauth2Auth({ store, introspection: introspectionSource({ url, clientId: "rs", clientSecret: "s" }) })] });
    const ask = (token: string) => check(new Request("https://api.test/", { headers: { authorization: `Bearer ${token}` } }), { now: () => T0 });
    expect(await ask("local")).toMatchObject({ allowed: true, auth: { source: "store", id: "1" } });
    expect(seen).toHaveLength(0);
    expect(await ask("stale")).toMatchObject({ allowed: true, auth: { source: "introspection", scope: "read write" } });
    expect(await ask("remote")).toMatchObject({ allowed: true, auth: { source: "introspection" } });
    expect(seen).toHaveLength(2);
  });

  it("without users, an introspected username never names a local user: no one's permissions, no one's throttle bucket", async () => {
    // The authorization server's usernames are not this server's ids: a user who registers there as "1" (or as the
    // id of any local user) must not get that local user's Django permissions or count in that user's bucket.
    const store = memoryStore();
    const admin = await store.createUser({ username: "admin", passwordHash: "!", isSuperuser: true });
    const editor = await store.createUser({ username: "editor", passwordHash: "!" });
    await store.grantPermission({ userId: editor.id }, "blog.add_article");
    const source = introspectionSource({ url, clientId: "rs", clientSecret: "s", cache: false });
    const post = new Request("https://api.test/articles", { method: "POST", headers: { authorization: "Bearer t" } });
    const check = guard({ schemes: [oauth2Auth({ introspection: source })], permissions: [djangoModelPermissions({ store, model: "blog.article" })] });
    for (const id of [admin.id, editor.id]) {
      reply = () => ({ body: active({ username: id }) });
      const decision = await check(post, { now: () => T0 });
      expect(decision.allowed, `username ${id}`).toBe(false);
    }
    reply = () => ({ body: active({ username: admin.id }) });
    const throttled = guard({ schemes: [oauth2Auth({ introspection: source })], throttles: [userRateThrottle("1/min", { store: memoryStore() })] });
    const ctx = { now: () => T0, clientIp: "192.0.2.1" };
    expect(await throttled(post, ctx)).toMatchObject({ allowed: true, user: { username: admin.id } });
    expect((await throttled(post, ctx)).allowed).toBe(false);
    // the local admin's own bucket is untouched: a local check of admin's id still passes
    const local = userRateThrottle("1/min", { store: memoryStore() });
    expect((await local.allow({ request: post, user: admin, auth: null, authenticated: true }, ctx)).allowed).toBe(true);
  });
});
