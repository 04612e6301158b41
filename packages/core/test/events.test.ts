/**
 * Auth events: every kind is emitted where it happens, none carries a secret, and a store failure is reported
 * exactly once (an event with a hook, else one console.error line with its cause).
 */
import { memoryStore } from "@portcullis/store-memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  basicAuth,
  errorToResponse,
  guard,
  hashPassword,
  issueToken,
  logoutAllHandler,
  logoutHandler,
  obtainTokenHandler,
  tokenAuth,
  tokenDigest,
  userRateThrottle,
  type AuthContext,
  type AuthEvent,
  type Store,
} from "../src/index.js";
import { apiKeyAuth, apiKeyEndpoints } from "../src/api-keys/index.js";
import { sha256Hex } from "../src/internal/sha256.js";

const PASSWORD = "pw-Tr0ub4dor&3";
let now = 1_700_000_000_000;
const ctx: AuthContext = { clientIp: "198.51.100.7", now: () => now };

async function setup() {
  const store = memoryStore();
  const alice = await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const events: AuthEvent[] = [];
  return { store, alice, events, onEvent: (event: AuthEvent) => void events.push(event) };
}

const login = (username: string, password: string) =>
  new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
const withAuth = (value: string, method = "GET") => new Request("https://api.test/api/me", { method, headers: { authorization: value } });
const basic = (user: string, pw: string) => `Basic ${btoa(`${user}:${pw}`)}`;

/** Everything an event holds, as text (errors with their message and cause). */
function textOf(events: readonly AuthEvent[]): string {
  return JSON.stringify(events, (_key, value: unknown) =>
    value instanceof Error ? { message: value.message, cause: textOf([value.cause as AuthEvent]) } : value,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
  now = 1_700_000_000_000;
});

describe("auth events", () => {
  it("reports logins, issued, expired and revoked tokens, failed authentication and throttling", async () => {
    const { store, alice, events, onEvent } = await setup();
    const obtain = obtainTokenHandler({ store, ttlMs: 60_000, onEvent });
    expect((await obtain(login("alice", "wrong"), ctx)).status).toBe(400);
    const issued = await obtain(login("alice", PASSWORD), ctx);
    const { token: key } = (await issued.json()) as { token: string };
    const check = guard({
      schemes: [tokenAuth({ store }), basicAuth({ users: store })],
      throttles: [userRateThrottle("1/min", { store })],
      onEvent,
    });
    expect((await check(withAuth(`Token ${key}`), ctx)).allowed).toBe(true);
    expect((await check(withAuth(`Token ${key}`), ctx)).allowed).toBe(false);
    expect((await check(withAuth("Token 0000000000000000000000000000000000000000"), ctx)).allowed).toBe(false);
    expect((await check(withAuth(basic("alice", "nope")), ctx)).allowed).toBe(false);
    now += 61_000;
    expect((await check(withAuth(`Token ${key}`), ctx)).allowed).toBe(false);

    const second = await issueToken(store, alice.id, { now });
    expect((await logoutHandler({ store, onEvent })(withAuth(`Token ${second.key}`, "POST"), ctx)).status).toBe(204);
    await issueToken(store, alice.id, { now });
    await issueToken(store, alice.id, { now });
    const third = await issueToken(store, alice.id, { now });
    expect((await logoutAllHandler({ store, onEvent })(withAuth(`Token ${third.key}`, "POST"), ctx)).status).toBe(204);

    const tokenId = (events.find((e) => e.type === "token.issued") as { tokenId: string }).tokenId;
    const ip = "198.51.100.7";
    expect(events).toEqual([
      { type: "login.failed", via: "token-endpoint", reason: "invalid_credentials", username: "alice", clientIp: ip },
      { type: "login.succeeded", via: "token-endpoint", userId: alice.id, username: "alice", clientIp: ip },
      { type: "token.issued", userId: alice.id, tokenId, expiresAt: 1_700_000_060_000 },
      { type: "throttled", scope: "user", waitMs: 60_000, clientIp: ip },
      { type: "authentication.failed", scheme: "token", code: "authentication_failed", status: 401, clientIp: ip },
      { type: "login.failed", via: "basic", reason: "invalid_credentials", username: "alice", clientIp: ip },
      { type: "authentication.failed", scheme: "basic", code: "authentication_failed", status: 401, clientIp: ip },
      { type: "token.expired", userId: alice.id, tokenId },
      { type: "authentication.failed", scheme: "token", code: "authentication_failed", status: 401, clientIp: ip },
      { type: "token.revoked", userId: alice.id, tokenId: second.token.id },
      { type: "token.revoked", userId: alice.id, count: 4 }, // three live tokens and the expired one (no waitUntil here to purge it)
    ]);
    const text = textOf(events);
    for (const secret of [PASSWORD, "nope", key, tokenDigest(key), second.key, third.key, btoa("alice:nope")]) {
      expect(text).not.toContain(secret);
    }
  });

  it("reports a brute-force refusal as login.failed with reason throttled and the wait", async () => {
    const { store, events, onEvent } = await setup();
    const obtain = obtainTokenHandler({ store, onEvent, bruteForce: { perUsername: "1/min", perIp: null } });
    await obtain(login("alice", "wrong"), ctx);
    expect((await obtain(login("alice", PASSWORD), ctx)).status).toBe(429);
    expect(events.at(-1)).toEqual({ type: "login.failed", via: "token-endpoint", reason: "throttled", username: "alice", waitMs: 60_000, clientIp: "198.51.100.7" });
  });

  it("reports an inactive user of a custom verify as login.failed with reason inactive", async () => {
    const events: AuthEvent[] = [];
    const verify = async (username: string) => ({ id: 9, username, isActive: false });
    const check = guard({ schemes: [basicAuth({ verify })], onEvent: (e) => void events.push(e) });
    expect((await check(withAuth(basic("zoe", "x")), ctx)).allowed).toBe(false);
    expect(events[0]).toEqual({ type: "login.failed", via: "basic", reason: "inactive", username: "zoe", clientIp: "198.51.100.7" });
  });

  it("keeps a request's outcome when the hook throws", async () => {
    const { store } = await setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const check = guard({ schemes: [basicAuth({ users: store })], onEvent: () => { throw new Error("audit log down"); } });
    expect((await check(withAuth(basic("alice", PASSWORD)), ctx)).allowed).toBe(true);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe("API key lifecycle events", () => {
  it("reports issued, rotated and revoked keys and a refused key, with ids only: no key, secret or digest", async () => {
    const { store, alice, events, onEvent } = await setup();
    const { key: token } = await issueToken(store, alice.id);
    const endpoints = apiKeyEndpoints({ store, authorize: guard({ schemes: [tokenAuth({ store })] }), graceMs: 1000, onEvent });
    const call = (body: unknown, method = "POST") =>
      new Request("https://api.test/api-keys/", {
        method,
        headers: { authorization: `Token ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const issued = (await (await endpoints.issue(call({ name: "ci", scopes: ["articles:read"], ttl_seconds: 60 }), ctx)).json()) as { key: string; api_key: { id: string } };
    const rotated = (await (await endpoints.rotate(call({ id: issued.api_key.id }), ctx)).json()) as { key: string; api_key: { id: string } };
    expect((await endpoints.rotate(call({ id: issued.api_key.id }), ctx)).status).toBe(409);
    expect((await endpoints.revoke(call({ id: rotated.api_key.id }, "DELETE"), ctx)).status).toBe(204);
    const check = guard({ schemes: [apiKeyAuth({ store })], onEvent });
    expect((await check(withAuth(`Bearer ${rotated.key}`), ctx)).allowed).toBe(false);

    const ip = "198.51.100.7";
    expect(events).toEqual([
      { type: "apiKey.issued", ownerId: alice.id, keyId: issued.api_key.id, scopes: ["articles:read"], expiresAt: now + 60_000, clientIp: ip },
      { type: "apiKey.rotated", ownerId: alice.id, keyId: issued.api_key.id, replacementId: rotated.api_key.id, expiresAt: now + 1000, clientIp: ip },
      { type: "apiKey.revoked", ownerId: alice.id, keyId: rotated.api_key.id, clientIp: ip },
      { type: "authentication.failed", scheme: "apiKey", code: "authentication_failed", status: 401, clientIp: ip },
    ]);
    const text = textOf(events);
    for (const key of [issued.key, rotated.key]) {
      for (const secret of [key, key.slice(21), key.slice(21, 40), sha256Hex(key), tokenDigest(key), `Bearer ${key}`]) expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(token);
  });
});

describe("a store failure is reported exactly once", () => {
  const causes: Error[] = [];
  /** A new backend error per call, as a real driver throws. */
  const fail = () => Promise.reject(causes[causes.push(new Error("connect ECONNREFUSED 127.0.0.1:5432")) - 1]);
  const broken = (store: Store): Store => ({ ...store, findToken: fail, getUserByUsername: fail });

  it("without a hook: one console.error line with the cause, through guard + errorToResponse and through an endpoint", async () => {
    const { store } = await setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const check = guard({ schemes: [tokenAuth({ store: broken(store) })] });
    const response = await check(withAuth("Token abc"), ctx).then(() => null, errorToResponse);
    expect(response?.status).toBe(503);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]).toContain(causes.at(-1));
    const obtain = obtainTokenHandler({ store: broken(store) });
    expect((await obtain(login("alice", PASSWORD), ctx)).status).toBe(503);
    expect(errors).toHaveBeenCalledTimes(2);
    expect(errors.mock.calls[1]).toContain(causes.at(-1));
  });

  it("with a hook: one store.failed event carrying the cause, and no console.error", async () => {
    const { store, events, onEvent } = await setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const check = guard({ schemes: [tokenAuth({ store: broken(store) })], onEvent });
    expect((await check(withAuth("Token abc"), ctx).then(() => null, errorToResponse))?.status).toBe(503);
    const obtain = obtainTokenHandler({ store: broken(store), onEvent });
    expect((await obtain(login("alice", PASSWORD), ctx)).status).toBe(503);
    expect(errors).not.toHaveBeenCalled();
    expect(events.map((e) => e.type)).toEqual(["store.failed", "store.failed"]);
    expect(events.map((event) => event.type === "store.failed" && event.error)).toEqual(causes.slice(-2));
    expect(textOf(events)).not.toContain(PASSWORD);
  });
});
