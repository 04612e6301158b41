/**
 * The JWT endpoints against simplejwt's own views (same requests, same status and body), then what Portcullis
 * does better: atomic rotation with reuse detection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@portcullis/core";
import type { Handler } from "@portcullis/core";
import {
  blacklistJwtHandler,
  jwtSettings,
  mintTokenPair,
  obtainJwtPairHandler,
  obtainSlidingJwtHandler,
  refreshJwtHandler,
  refreshSlidingJwtHandler,
  verifyJwtHandler,
} from "@portcullis/core/jwt";
import { memoryStore } from "@portcullis/store-memory";
import { stackCompat } from "../_compat.js";
import { runSimplejwt, simplejwtStacks } from "./_simplejwt.js";

const SECRET = "django-insecure-portcullis-endpoint-secret-0123456789";
const post = (body: unknown) =>
  new Request("http://api.test/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function answer(handler: Handler, body: unknown) {
  const response = await handler(post(body), { clientIp: "192.0.2.1" });
  const challenge = response.headers.get("www-authenticate");
  return { status: response.status, headers: challenge === null ? {} : { "www-authenticate": challenge }, body: await response.json() };
}

async function setup(settings: Parameters<typeof jwtSettings>[0] = {}) {
  const store = memoryStore();
  const passwordHash = await hashPassword("correct horse", { iterations: 1000 });
  await store.createUser({ id: "42", username: "alice", passwordHash });
  await store.createUser({ id: "7", username: "bob", passwordHash, isActive: false });
  const jwt = jwtSettings({ signingKey: SECRET, ...settings });
  return { store, jwt };
}

describe.each(simplejwtStacks("the JWT endpoint parity").map((stack) => [stack.name, stack] as const))("JWT endpoints answer as simplejwt's views, %s stack", (_name, stack) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let expired: string;
  let access: string;
  let refresh: string;
  beforeAll(async () => {
    env = await setup({ compat: stackCompat(stack) });
    expired = (await mintTokenPair(env.jwt, { id: "42" }, { now: Date.now() - 2 * 86_400_000 })).refresh.token;
    ({ access: { token: access }, refresh: { token: refresh } } = await mintTokenPair(env.jwt, { id: "42" }));
  });

  const cases = (): [string, string, unknown][] => [
    ["obtain", "obtain", { username: "alice", password: "wrong" }],
    ["obtain", "obtain", { username: "bob", password: "correct horse" }],
    ["obtain", "obtain", {}],
    ["obtain", "obtain", { username: " ", password: 5 }],
    ["obtain", "obtain", [1]],
    ["refresh", "refresh", { refresh: "garbage" }],
    ["refresh", "refresh", { refresh: access }],
    ["refresh", "refresh", { refresh: expired }],
    ["refresh", "refresh", {}],
    ["verify", "verify", { token: "a.b.c" }],
    ["verify", "verify", { token: access }],
    ["verify", "verify", { token: null }],
    ["blacklist", "blacklist", { refresh: access }],
    ["refresh_sliding", "refresh_sliding", { token: refresh }],
  ];

  it("gives the same status, body and challenge for each request", async () => {
    const handlers: Record<string, Handler> = {
      obtain: obtainJwtPairHandler({ jwt: env.jwt, store: env.store, bruteForce: false }),
      refresh: refreshJwtHandler({ jwt: env.jwt }),
      verify: verifyJwtHandler({ jwt: env.jwt }),
      blacklist: blacklistJwtHandler({ jwt: env.jwt, blacklist: env.store }),
      refresh_sliding: refreshSlidingJwtHandler({ jwt: env.jwt }),
    };
    const list = cases();
    const users = [
      { id: 42, username: "alice", password: "correct horse" },
      { id: 7, username: "bob", password: "correct horse", is_active: false },
    ];
    const actions = list.map(([, view, body]) => ({ do: "request", view, body }));
    const real = runSimplejwt({ secret_key: SECRET, users, actions }, stack);
    for (const [index, [name, , body]] of list.entries()) {
      const ours = await answer(handlers[name] as Handler, body);
      expect({ name, body, ours }).toEqual({ name, body, ours: real[index] });
    }
  }, 120_000);

  it("answers a GET to every endpoint with simplejwt's 405, body and Allow", async () => {
    const handlers: Record<string, Handler> = {
      obtain: obtainJwtPairHandler({ jwt: env.jwt, store: env.store, bruteForce: false }),
      refresh: refreshJwtHandler({ jwt: env.jwt }),
      verify: verifyJwtHandler({ jwt: env.jwt }),
      blacklist: blacklistJwtHandler({ jwt: env.jwt, blacklist: env.store }),
      obtain_sliding: obtainSlidingJwtHandler({ jwt: env.jwt, store: env.store, bruteForce: false }),
      refresh_sliding: refreshSlidingJwtHandler({ jwt: env.jwt }),
    };
    const views = Object.keys(handlers);
    const real = runSimplejwt({ secret_key: SECRET, users: [], actions: views.map((view) => ({ do: "request", view })) }, stack);
    for (const [index, view] of views.entries()) {
      const response = await (handlers[view] as Handler)(new Request("http://api.test/"), { clientIp: "192.0.2.1" });
      const ours = { status: response.status, headers: { allow: response.headers.get("allow") }, body: await response.json() };
      expect({ view, ours }).toEqual({ view, ours: real[index] });
      expect(ours.headers.allow).toBe("POST, OPTIONS");
    }
  }, 120_000);
});

describe("JWT endpoints: login, refresh, rotation with reuse detection, logout", () => {
  it("logs in, refreshes, and the pair verifies", async () => {
    const { store, jwt } = await setup();
    const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store, claims: (u) => ({ username: u.username }) });
    const login = await answer(obtain, { username: "alice", password: "correct horse" });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body)).toEqual(["refresh", "access"]);
    const refreshed = await answer(refreshJwtHandler({ jwt, users: store, blacklist: store }), { refresh: login.body.refresh });
    expect(refreshed).toMatchObject({ status: 200 });
    expect(await answer(verifyJwtHandler({ jwt }), { token: refreshed.body.access })).toMatchObject({ status: 200, body: {} });
  });

  it("rotates atomically: of concurrent refreshes exactly one wins, and the reuse revokes the family", async () => {
    const { store, jwt } = await setup({ rotateRefreshTokens: true });
    const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store });
    const login = await answer(obtainJwtPairHandler({ jwt, store, blacklist: store }), { username: "alice", password: "correct horse" });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => answer(refresh, { refresh: login.body.refresh })));
    const winners = outcomes.filter((outcome) => outcome.status === 200);
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 401).every((o) => o.body.detail === "Token is blacklisted")).toBe(true);
    const next = (winners[0] as { body: { refresh: string } }).body.refresh;
    expect(await answer(refresh, { refresh: next })).toMatchObject({ status: 401, body: { code: "token_not_valid" } });
  });

  it("rotates in sequence and refuses a rotated token, revoking its successors", async () => {
    const { store, jwt } = await setup({ rotateRefreshTokens: true, blacklistAfterRotation: true });
    const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store });
    const login = await answer(obtainJwtPairHandler({ jwt, store, blacklist: store }), { username: "alice", password: "correct horse" });
    const first = await answer(refresh, { refresh: login.body.refresh });
    const second = await answer(refresh, { refresh: first.body.refresh });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await answer(refresh, { refresh: login.body.refresh })).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });
    expect(await answer(refresh, { refresh: second.body.refresh })).toMatchObject({ status: 401 });
  });

  it("refuses the refresh of a user who is gone or inactive; logout blacklists", async () => {
    const { store, jwt } = await setup();
    const inactive = (await mintTokenPair(jwt, { id: "7" })).refresh.token;
    const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store });
    expect(await answer(refresh, { refresh: inactive })).toMatchObject({ status: 401, body: { code: "no_active_account" } });
    const token = (await mintTokenPair(jwt, { id: "42" })).refresh.token;
    expect(await answer(blacklistJwtHandler({ jwt, blacklist: store }), { refresh: token })).toEqual({ status: 200, headers: {}, body: {} });
    expect(await answer(refresh, { refresh: token })).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });
  });

  it("issues and slides sliding tokens", async () => {
    const { store, jwt } = await setup({ authTokenClasses: ["sliding"] });
    const login = await answer(obtainSlidingJwtHandler({ jwt, store, blacklist: store }), { username: "alice", password: "correct horse" });
    expect(Object.keys(login.body)).toEqual(["token"]);
    const slid = await answer(refreshSlidingJwtHandler({ jwt, blacklist: store }), { token: login.body.token });
    expect(slid.status).toBe(200);
  });

  it("needs a blacklist store to rotate, and a settings object", async () => {
    const { store, jwt } = await setup({ rotateRefreshTokens: true });
    expect(() => refreshJwtHandler({ jwt, users: store })).toThrow(/blacklist/);
    expect(() => refreshJwtHandler({ jwt: { signingKey: SECRET } as never })).toThrow(/jwtSettings/);
    expect(() => jwtSettings({ signingKey: "-----BEGIN PUBLIC KEY-----\nMIIB" })).toThrow(/signingKey/);
    expect(() => jwtSettings({ algorithm: "none" as never, signingKey: SECRET })).toThrow(/algorithm/);
    expect(() => jwtSettings({ algorithm: "RS256" })).toThrow(/verifyingKey/);
  });
});
