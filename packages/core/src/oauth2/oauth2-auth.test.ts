import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import { guard } from "../guard.js";
import { sha256Hex } from "../internal/sha256.js";
import { allowAny, isAuthenticated } from "../permissions/builtin.js";
import { anonRateThrottle, userRateThrottle } from "../throttles/throttles.js";
import { errorToResponse, toResponse } from "../response.js";
import {
  isOAuth2Token,
  oauth2Auth,
  tokenHasReadWriteScope,
  tokenHasResourceScope,
  tokenHasScope,
  tokenMatchesOASRequirements,
} from "./index.js";

const T0 = 1_700_000_000_000;
const at = (now: number): AuthContext => ({ now: () => now });
const request = (authorization?: string, init: { method?: string; url?: string } = {}) =>
  new Request(init.url ?? "https://api.test/songs", { method: init.method ?? "GET", headers: authorization === undefined ? {} : { authorization } });

async function setup() {
  const store = memoryStore();
  const alice = await store.createUser({ username: "alice", passwordHash: "!" });
  const bob = await store.createUser({ username: "bob", passwordHash: "!", isActive: false });
  const put = (token: string, scope: string, userId: string | null, expiresAt: number | null = T0 + 3_600_000) =>
    store.putOAuth2AccessToken(sha256Hex(token), { id: token.length.toString(), scope, expiresAt, applicationId: "1", clientId: "app", userId });
  await put("alice-rw", "read write", alice.id);
  await put("alice-music", "read  music", alice.id);
  await put("alice-expired", "read write", alice.id, T0);
  await put("alice-no-expiry", "read", alice.id, null);
  await put("bob-rw", "read write", bob.id);
  await put("machine", "read", null);
  return { store, alice, bob };
}

const INVALID = 'Bearer realm="api",error="invalid_token",error_description="The access token is invalid."';
const EXPIRED = 'Bearer realm="api",error="invalid_token",error_description="The access token has expired."';

async function answer(check: ReturnType<typeof guard>, req: Request, now = T0) {
  const decision = await check(req, at(now));
  if (decision.allowed) return { status: 200, user: (decision.user as { username?: string } | null)?.username ?? null, auth: decision.auth };
  const response = toResponse(decision.error);
  return { status: response.status, body: await response.json(), challenge: response.headers.get("www-authenticate") };
}

describe("oauth2Auth: DOT's OAuth2Authentication", () => {
  it("authenticates a valid token: the user, and an auth with the scopes and application, never the token", async () => {
    const { store } = await setup();
    const result = await answer(guard({ schemes: [oauth2Auth({ store })] }), request("Bearer alice-rw"));
    expect(result).toMatchObject({ status: 200, user: "alice" });
    const auth = (result as { auth: unknown }).auth;
    expect(isOAuth2Token(auth)).toBe(true);
    expect(auth).toEqual({ id: "8", scope: "read write", scopes: ["read", "write"], expiresAt: T0 + 3_600_000, applicationId: "1", clientId: "app", userId: expect.any(String), source: "store" });
    expect(JSON.stringify(auth)).not.toContain("alice-rw");
    expect(isOAuth2Token({ ...(auth as object) })).toBe(false); // a look-alike object is not a token
  });

  it("skips a bad token like DOT (anonymous), and the 401 challenge carries DOT's oauth2_error", async () => {
    const { store } = await setup();
    const check = guard({ schemes: [oauth2Auth({ store })] });
    const notProvided = { detail: "Authentication credentials were not provided." };
    expect(await answer(check, request())).toEqual({ status: 401, body: notProvided, challenge: 'Bearer realm="api"' });
    expect(await answer(check, request("Bearer nope"))).toEqual({ status: 401, body: notProvided, challenge: INVALID });
    expect(await answer(check, request("Bearer alice-expired"))).toEqual({ status: 401, body: notProvided, challenge: EXPIRED });
    expect(await answer(check, request("Bearer alice-rw"), T0 + 3_600_000)).toMatchObject({ challenge: EXPIRED }); // now >= expires
    expect(await answer(check, request("Bearer alice-no-expiry"))).toMatchObject({ challenge: EXPIRED }); // DOT: no expiry is expired
    // With AllowAny, a bad token is simply anonymous (DOT never raises AuthenticationFailed).
    expect(await answer(guard({ schemes: [oauth2Auth({ store })], permissions: [allowAny] }), request("Bearer nope"))).toMatchObject({ status: 200, user: null });
  });

  it("reads the header as oauthlib: exactly two parts, keyword case-insensitive, Python's whitespace", async () => {
    const { store } = await setup();
    const check = guard({ schemes: [oauth2Auth({ store })] });
    for (const header of ["bearer alice-rw", "BEARER  alice-rw", "Bearer\talice-rw", " Bearer alice-rw ", "Bearer\u00a0alice-rw"]) {
      expect(await answer(check, request(header)), header).toMatchObject({ status: 200 });
    }
    for (const header of ["Bearer", "Bearer alice-rw x", "Token alice-rw", "Basic YTpi", "", "Bearer  "]) {
      expect(await answer(check, request(header)), header).toMatchObject({ status: 401, challenge: 'Bearer realm="api"' });
    }
  });

  it("reads ?access_token= only when asked (oauthlib does; tokens in URLs leak), and never beside a header", async () => {
    const { store } = await setup();
    const url = "https://api.test/songs?access_token=alice-rw";
    expect(await answer(guard({ schemes: [oauth2Auth({ store })] }), request(undefined, { url }))).toMatchObject({ status: 401 });
    const withQuery = guard({ schemes: [oauth2Auth({ store, fromQuery: true })] });
    expect(await answer(withQuery, request(undefined, { url }))).toMatchObject({ status: 200, user: "alice" });
    expect(await answer(withQuery, request("Token x", { url }))).toMatchObject({ status: 401, challenge: 'Bearer realm="api"' });
    expect(await answer(withQuery, request(undefined, { url: "https://api.test/?access_token=" }))).toMatchObject({ challenge: 'Bearer realm="api"' });
    // oauthlib's dict of the query: the last value wins.
    expect(await answer(withQuery, request(undefined, { url: "https://api.test/?access_token=nope&access_token=alice-rw" }))).toMatchObject({ status: 200 });
    expect(await answer(withQuery, request(undefined, { url: "https://api.test/?access_token=alice-rw&access_token=nope" }))).toMatchObject({ challenge: INVALID });
  });

  it("attacks: a token differing in its last character, a NUL byte, a huge token are invalid; huge ones are never looked up", async () => {
    const { store } = await setup();
    let lookups = 0;
    const counting = { findOAuth2AccessToken: (checksum: string) => (lookups++, store.findOAuth2AccessToken(checksum)) };
    const check = guard({ schemes: [oauth2Auth({ store: counting, fromQuery: true })] });
    expect(await answer(check, request("Bearer alice-rX"))).toMatchObject({ status: 401, challenge: INVALID });
    expect(await answer(check, request(undefined, { url: "https://api.test/?access_token=alice-rw%00" }))).toMatchObject({ status: 401, challenge: INVALID });
    lookups = 0;
    expect(await answer(check, request(`Bearer ${"a".repeat(100_000)}`))).toMatchObject({ status: 401, challenge: INVALID });
    expect(lookups).toBe(0);
  });

  it("client credentials: no user; isAuthenticated refuses it (403) as DRF's IsAuthenticated, scope permissions allow it", async () => {
    const { store } = await setup();
    expect(await answer(guard({ schemes: [oauth2Auth({ store })], permissions: [isAuthenticated] }), request("Bearer machine"))).toEqual({
      status: 403, body: { detail: "You do not have permission to perform this action." }, challenge: null,
    });
    expect(await answer(guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["read"])] }), request("Bearer machine"))).toMatchObject({ status: 200, user: null });
  });

  it("inactive users pass as in DOT 3.0.1, unless rejectInactiveUsers", async () => {
    const { store } = await setup();
    expect(await answer(guard({ schemes: [oauth2Auth({ store })] }), request("Bearer bob-rw"))).toMatchObject({ status: 200, user: "bob" });
    expect(await answer(guard({ schemes: [oauth2Auth({ store, rejectInactiveUsers: true })] }), request("Bearer bob-rw"))).toMatchObject({ status: 401, challenge: INVALID });
  });

  it("a store failure fails closed (503), never anonymous", async () => {
    const broken = { findOAuth2AccessToken: async () => { throw new StoreError("down"); } };
    const check = guard({ schemes: [oauth2Auth({ store: broken })], permissions: [allowAny], onEvent: () => undefined });
    const error = await check(request("Bearer alice-rw")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(errorToResponse(error).status).toBe(503);
  });

  it("validates its options", () => {
    expect(() => oauth2Auth({})).toThrow(ConfigError);
    expect(() => oauth2Auth({ store: {} as never })).toThrow(ConfigError);
    expect(() => oauth2Auth({ store: memoryStore(), realm: 'a"b' })).toThrow(ConfigError);
  });
});

describe("DOT's scope permissions", () => {
  const denied = { status: 403, body: { detail: "You do not have permission to perform this action." }, challenge: null };

  it("tokenHasScope: every required scope; 403 without insufficient_scope (DOT's DRF 403 has no challenge)", async () => {
    const { store } = await setup();
    const check = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["music", "read"])] });
    expect(await answer(check, request("Bearer alice-music"))).toMatchObject({ status: 200 });
    expect(await answer(check, request("Bearer alice-rw"))).toEqual(denied);
    expect(await answer(check, request())).toMatchObject({ status: 401, challenge: 'Bearer realm="api"' });
  });

  it("tokenHasScope with errorResponseWithScopes answers DOT's required_scopes body", async () => {
    const { store } = await setup();
    const check = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["music"], { errorResponseWithScopes: true })] });
    expect(await answer(check, request("Bearer alice-rw"))).toEqual({
      status: 403, body: { detail: "You do not have permission to perform this action.", required_scopes: ["music"] }, challenge: null,
    });
  });

  it("tokenHasReadWriteScope: read for GET/HEAD/OPTIONS, write otherwise, plus requiredScopes", async () => {
    const { store } = await setup();
    const check = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasReadWriteScope()] });
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(await answer(check, request("Bearer alice-music", { method }))).toMatchObject({ status: 200 });
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(await answer(check, request("Bearer alice-music", { method }))).toEqual(denied);
      expect(await answer(check, request("Bearer alice-rw", { method }))).toMatchObject({ status: 200 });
    }
    const custom = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasReadWriteScope({ requiredScopes: ["music"], readScope: "read" })] });
    expect(await answer(custom, request("Bearer alice-music"))).toMatchObject({ status: 200 });
    expect(await answer(custom, request("Bearer alice-rw"))).toEqual(denied);
  });

  it("tokenHasResourceScope and tokenMatchesOASRequirements", async () => {
    const { store } = await setup();
    await store.putOAuth2AccessToken(sha256Hex("songs"), { id: "9", scope: "songs:read", expiresAt: T0 + 1000, applicationId: null, clientId: null, userId: null });
    const resource = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasResourceScope(["songs"])] });
    expect(await answer(resource, request("Bearer songs"))).toMatchObject({ status: 200 });
    expect(await answer(resource, request("Bearer songs", { method: "POST" }))).toEqual(denied);
    const oas = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenMatchesOASRequirements({ get: [["read"]], POST: [["write", "music"], ["write"]] })] });
    expect(await answer(oas, request("Bearer alice-music"))).toMatchObject({ status: 200 });
    expect(await answer(oas, request("Bearer alice-music", { method: "POST" }))).toEqual(denied);
    expect(await answer(oas, request("Bearer alice-rw", { method: "POST" }))).toMatchObject({ status: 200 });
    expect(await answer(oas, request("Bearer alice-rw", { method: "DELETE" }))).toEqual(denied); // not listed
  });

  it("deny anything but an oauth2Auth token, and validate their scopes", () => {
    const permission = tokenHasScope([]);
    const check = { request: request(), user: { id: "1" }, auth: { scope: "read", scopes: ["read"] }, authenticated: true };
    expect(permission.hasPermission(check)).toBe(false);
    expect(() => tokenHasScope(["a b"])).toThrow(ConfigError);
    expect(() => tokenHasScope("read" as never)).toThrow(ConfigError);
    expect(() => tokenMatchesOASRequirements({ GET: "read" as never })).toThrow(ConfigError);
  });

  it("throttles a client-credentials token (user null) as DRF does: by client IP, in anonRateThrottle too", async () => {
    // DRF's AnonRateThrottle and UserRateThrottle test `request.user and request.user.is_authenticated`: a DOT
    // client-credentials token leaves `request.user` None, so both count it under the client's address.
    const { store } = await setup();
    const ctx = (clientIp: string): AuthContext => ({ now: () => T0, clientIp });
    const throttled = (throttle: ReturnType<typeof anonRateThrottle>) =>
      guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["read"])], throttles: [throttle] });
    const anon = throttled(anonRateThrottle("1/min", { store: memoryStore() }));
    expect((await anon(request("Bearer machine"), ctx("192.0.2.1"))).allowed).toBe(true);
    const second = await anon(request("Bearer machine"), ctx("192.0.2.1"));
    expect(second.allowed ? 200 : toResponse(second.error).status).toBe(429);
    expect((await anon(request("Bearer alice-rw"), ctx("192.0.2.1"))).allowed).toBe(true); // a user's token is skipped
    expect((await anon(request("Bearer alice-rw"), ctx("192.0.2.1"))).allowed).toBe(true);
    const user = throttled(userRateThrottle("1/min", { store: memoryStore() }));
    expect((await user(request("Bearer machine"), ctx("192.0.2.2"))).allowed).toBe(true);
    expect((await user(request("Bearer machine"), ctx("192.0.2.2"))).allowed).toBe(false); // the IP's bucket
    expect((await user(request("Bearer machine"), ctx("192.0.2.3"))).allowed).toBe(true); // another address, another bucket
    expect((await user(request("Bearer alice-rw"), ctx("192.0.2.2"))).allowed).toBe(true); // alice counts under her id
  });
});
