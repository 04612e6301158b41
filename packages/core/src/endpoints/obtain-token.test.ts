import { memoryStore } from "@portcullis/store-memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticate } from "../authenticate.js";
import type { AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import { hashPassword, verifyPassword } from "../passwords/index.js";
import { tokenAuth } from "../schemes/token.js";
import type { Store } from "../store/types.js";
import { issueToken, tokenDigest } from "../tokens/tokens.js";
import type { ObtainTokenOptions } from "./obtain-token.js";
import { obtainTokenHandler } from "./obtain-token.js";

// Credentials, tokens, password upgrades and store failures of obtainTokenHandler.
// (Methods, media types, body sizes and field errors: obtain-token-body.test.ts.)

const URL = "https://api.test/api-token-auth/";
const PASSWORD = "correct horse battery staple";
const T0 = 1_700_000_000_000;
const KEY = /^[0-9a-f]{40}$/;
const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const UNAVAILABLE = { detail: "Authentication service unavailable." };

/** A store with alice (active) and ivan (inactive), both with `passwordHash` (a 1000-iteration hash by default). */
async function setup(options: Omit<ObtainTokenOptions, "store"> = {}, passwordHash?: string) {
  const store = memoryStore();
  const hash = passwordHash ?? (await hashPassword(PASSWORD, { iterations: 1000 }));
  const alice = await store.createUser({ username: "alice", passwordHash: hash });
  const ivan = await store.createUser({ username: "ivan", passwordHash: hash, isActive: false });
  let now = T0;
  const ctx: AuthContext = { now: () => now, clientIp: "192.0.2.1" };
  const advance = (ms: number) => (now += ms);
  return { store, alice, ivan, hash, ctx, advance, obtain: obtainTokenHandler({ store, ...options }) };
}

function login(username: string, password: string): Request {
  const body = JSON.stringify({ username, password });
  return new Request(URL, { method: "POST", body, headers: { "content-type": "application/json" } });
}

async function answer(response: Response) {
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

/** The token from a 200 answer. */
async function keyOf(response: Response): Promise<string> {
  const { status, body } = await answer(response);
  expect(status).toBe(200);
  return (body as { token: string }).token;
}

/** Who a key authenticates as, through tokenAuth. */
async function whoIs(store: Store, key: string, ctx?: AuthContext) {
  const request = new Request("https://api.test/me", { headers: { Authorization: `Token ${key}` } });
  const result = await authenticate(request, [tokenAuth({ store })], ctx);
  return result.status === "authenticated" ? result.user.username : result.status === "failed" ? result.error.detail : null;
}

/** A copy of a store whose named methods throw `StoreError`. */
function failing(store: Store, methods: readonly (keyof Store)[]): Store {
  const copy: Store = { ...store };
  for (const method of methods) {
    Object.assign(copy, { [method]: async () => Promise.reject(new StoreError(`${method} failed`, { cause: new Error("down") })) });
  }
  return copy;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("obtainTokenHandler: bad credentials", () => {
  it.each([
    ["a wrong password", "alice", "not the password"],
    ["an unknown user", "mallory", PASSWORD],
    ["an inactive user with the right password", "ivan", PASSWORD],
    ["a username in another case (case-sensitive, as Django)", "Alice", PASSWORD],
  ])("answers %s with DRF's 400", async (_name, username, password) => {
    const { store, alice, obtain } = await setup();
    expect(await answer(await obtain(login(username, password)))).toEqual({ status: 400, body: BAD_CREDENTIALS });
    expect(await store.listTokens(alice.id)).toEqual([]);
  });

  it("does the same work in every case: one PBKDF2 derivation at the default 1,000,000 iterations", async () => {
    const { store, obtain } = await setup({ bruteForce: false }, await hashPassword(PASSWORD));
    await store.createUser({ username: "nopass", passwordHash: "!unusable" });
    const spy = vi.spyOn(globalThis.crypto.subtle, "deriveBits");
    const derivations = () => spy.mock.calls.map(([params]) => [(params as Pbkdf2Params).iterations, (params as Pbkdf2Params).hash]);
    const cases: [string, string][] = [["alice", "wrong"], ["mallory", PASSWORD], ["ivan", PASSWORD], ["ivan", "wrong"], ["nopass", PASSWORD]];
    for (const [username, password] of cases) {
      spy.mockClear();
      expect(await answer(await obtain(login(username, password)))).toEqual({ status: 400, body: BAD_CREDENTIALS });
      expect([username, password, derivations()]).toEqual([username, password, [[1_000_000, "SHA-256"]]]);
    }
    spy.mockClear();
    expect((await obtain(login("alice", PASSWORD))).status).toBe(200);
    expect(derivations()).toEqual([[1_000_000, "SHA-256"]]);
  });
});

describe("obtainTokenHandler: tokens", () => {
  it("issues a new token on every login; each key authenticates until it expires", async () => {
    const { store, alice, ctx, obtain } = await setup();
    const first = await keyOf(await obtain(login("alice", PASSWORD), ctx));
    const second = await keyOf(await obtain(login("alice", PASSWORD), ctx));
    expect([first, second]).toEqual([expect.stringMatching(KEY), expect.stringMatching(KEY)]);
    expect(first).not.toBe(second);
    expect([await whoIs(store, first, ctx), await whoIs(store, second, ctx)]).toEqual(["alice", "alice"]);
    expect((await store.listTokens(alice.id)).map((t) => [t.userId, t.createdAt, t.expiresAt])).toEqual([
      [alice.id, T0, null],
      [alice.id, T0, null],
    ]);
  });

  it("answers the expiry as now + ttlMs (ctx.now), and the token stops working then", async () => {
    const { store, ctx, advance, obtain } = await setup({ ttlMs: 3_600_000 });
    const response = await answer(await obtain(login("alice", PASSWORD), ctx));
    expect(response).toEqual({ status: 200, body: { token: expect.stringMatching(KEY), expiry: "2023-11-14T23:13:20.000Z" } });
    const key = (response.body as { token: string }).token;
    advance(3_600_000 - 1);
    expect(await whoIs(store, key, ctx)).toBe("alice");
    advance(1);
    expect(await whoIs(store, key, ctx)).toBe("Invalid token.");
  });

  it("answers 403 at maxTokensPerUser, issuing nothing, until a token expires", async () => {
    const { store, alice, ctx, advance, obtain } = await setup({ maxTokensPerUser: 2, ttlMs: 60_000 });
    await keyOf(await obtain(login("alice", PASSWORD), ctx));
    await keyOf(await obtain(login("alice", PASSWORD), ctx));
    expect(await answer(await obtain(login("alice", PASSWORD), ctx))).toEqual({
      status: 403,
      body: { detail: "Maximum amount of tokens allowed per user exceeded." },
    });
    expect(await store.listTokens(alice.id)).toHaveLength(2);
    advance(60_000);
    expect(await whoIs(store, await keyOf(await obtain(login("alice", PASSWORD), ctx)), ctx)).toBe("alice");
  });
});

describe("obtainTokenHandler: the default token cap", () => {
  it("caps live tokens at 100 per user by default (403 on the 101st), and `null` turns the cap off", async () => {
    const { store, alice, ctx, obtain } = await setup();
    for (let i = 0; i < 100; i++) await issueToken(store, alice.id, { now: T0 });
    const refused = await obtain(login("alice", PASSWORD), ctx);
    expect(await answer(refused)).toEqual({ status: 403, body: { detail: "Maximum amount of tokens allowed per user exceeded." } });
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
    expect(await store.listTokens(alice.id)).toHaveLength(100);
    const uncapped = obtainTokenHandler({ store, maxTokensPerUser: null });
    await keyOf(await uncapped(login("alice", PASSWORD), ctx));
    expect(await store.listTokens(alice.id)).toHaveLength(101);
  });

  it("answers a token with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)", async () => {
    const { ctx, obtain } = await setup();
    const response = await obtain(login("alice", PASSWORD), ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("Pragma")).toBe("no-cache");
  });
});

describe("obtainTokenHandler: password upgrades", () => {
  it("stores a default-strength hash after a successful login with an outdated one", async () => {
    const { store, hash, obtain } = await setup();
    expect(hash).toMatch(/^pbkdf2_sha256\$1000\$/);
    await keyOf(await obtain(login("alice", PASSWORD)));
    const upgraded = (await store.getUserByUsername("alice"))?.passwordHash ?? "";
    expect(upgraded).toMatch(/^pbkdf2_sha256\$1000000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword(PASSWORD, upgraded)).toEqual({ valid: true, needsRehash: false });
  });

  it("upgrades in ctx.waitUntil when the runtime has it", async () => {
    const { store, obtain } = await setup();
    const pending: Promise<unknown>[] = [];
    await keyOf(await obtain(login("alice", PASSWORD), { waitUntil: (promise) => pending.push(promise) }));
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect((await store.getUserByUsername("alice"))?.passwordHash).toMatch(/^pbkdf2_sha256\$1000000\$/);
  });

  it("never upgrades after a failed login (wrong password, inactive user)", async () => {
    const { store, hash, obtain } = await setup();
    expect((await obtain(login("alice", "wrong"))).status).toBe(400);
    expect((await obtain(login("ivan", PASSWORD))).status).toBe(400);
    expect((await store.getUserByUsername("alice"))?.passwordHash).toBe(hash);
    expect((await store.getUserByUsername("ivan"))?.passwordHash).toBe(hash);
  });

  it("still logs in when the upgrade fails, keeping the old hash", async () => {
    const { store, hash } = await setup();
    const obtain = obtainTokenHandler({ store: failing(store, ["setPasswordHash"]) });
    expect(await whoIs(store, await keyOf(await obtain(login("alice", PASSWORD))))).toBe("alice");
    expect((await store.getUserByUsername("alice"))?.passwordHash).toBe(hash);
  });
});

describe("obtainTokenHandler: store failures", () => {
  const every: (keyof Store)[] = ["createUser", "getUserByUsername", "getUserById", "setPasswordHash", "createToken", "findToken",
    "listTokens", "deleteToken", "deleteUserTokens", "deleteExpiredTokens", "hit", "purgeCounters"];

  it.each([
    ["every method", every, "alice", PASSWORD, {}],
    ["every method, without brute-force protection", every, "alice", PASSWORD, { bruteForce: false as const }],
    ["getUserByUsername, right password", ["getUserByUsername"], "alice", PASSWORD, {}],
    ["getUserByUsername, wrong password", ["getUserByUsername"], "alice", "wrong", {}],
    ["getUserByUsername, unknown user", ["getUserByUsername"], "mallory", PASSWORD, {}],
    ["createToken", ["createToken"], "alice", PASSWORD, {}],
    ["createToken with maxTokensPerUser", ["createToken"], "alice", PASSWORD, { maxTokensPerUser: 3 }],
    ["hit (the brute-force counter)", ["hit"], "alice", PASSWORD, {}],
  ] as const)("answers 503 when %s throws StoreError", async (_name, methods, username, password, options) => {
    const { store } = await setup();
    const obtain = obtainTokenHandler({ store: failing(store, methods), ...options });
    expect(await answer(await obtain(login(username, password)))).toEqual({ status: 503, body: UNAVAILABLE });
  });

  it("answers 503 to any other exception too (fail closed), showing nothing of it", async () => {
    const { store } = await setup();
    const broken: Store = { ...store, getUserByUsername: async () => Promise.reject(new TypeError(`boom ${PASSWORD}`)) };
    const response = await obtainTokenHandler({ store: broken })(login("alice", PASSWORD));
    expect(await answer(response)).toEqual({ status: 503, body: UNAVAILABLE });
  });
});

describe("obtainTokenHandler: options", () => {
  const store = memoryStore();
  it.each([
    ["store", {}],
    ["store", { store: { hit: async () => ({}) } }],
    ["ttlMs", { store, ttlMs: 0 }],
    ["ttlMs", { store, ttlMs: -1 }],
    ["ttlMs", { store, ttlMs: 1.5 }],
    ["ttlMs", { store, ttlMs: Number.NaN }],
    ["maxTokensPerUser", { store, maxTokensPerUser: 0 }],
    ["maxTokensPerUser", { store, maxTokensPerUser: 2.5 }],
  ])("throws ConfigError naming %s", (option, options) => {
    expect(() => obtainTokenHandler(options as ObtainTokenOptions)).toThrow(ConfigError);
    expect(() => obtainTokenHandler(options as ObtainTokenOptions)).toThrow(expect.objectContaining({ option }));
  });

  it("leaves the caller's options untouched", async () => {
    const options = Object.freeze({ store: memoryStore(), ttlMs: 1000 });
    expect(() => obtainTokenHandler(options)).not.toThrow();
    expect(Object.keys(options)).toEqual(["store", "ttlMs"]);
  });
});

describe("obtainTokenHandler: secret hygiene", () => {
  it("never answers the password, a hash, another token's key or any digest", async () => {
    const { store, alice, hash, obtain } = await setup({ maxTokensPerUser: 2 });
    const existing = await issueToken(store, alice.id);
    const texts: string[] = [];
    const send = async (handler: typeof obtain, request: Request) => {
      const response = await handler(request);
      texts.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.clone().text()}`);
      return response;
    };
    const raw = (body: string, contentType: string) => new Request(URL, { method: "POST", body, headers: { "content-type": contentType } });
    for (const request of [
      login("alice", `${PASSWORD}!`),
      login("mallory", PASSWORD),
      login("ivan", PASSWORD),
      login("", PASSWORD),
      login(PASSWORD, PASSWORD),
      raw(`{"username":"alice","password":"${PASSWORD}"`, "application/json"),
      raw(`{"username":"alice","password":"${PASSWORD}"}`, "text/plain"),
      raw(`{"password":"${PASSWORD}","pad":"${"x".repeat(70_000)}"}`, "application/json"),
      raw(`password=${PASSWORD}`, "multipart/form-data"),
    ]) {
      expect((await send(obtain, request)).status).toBeGreaterThanOrEqual(400);
    }
    const issued = await keyOf(await send(obtain, login("alice", PASSWORD)));
    expect((await send(obtain, login("alice", PASSWORD))).status).toBe(403);
    expect((await send(obtainTokenHandler({ store: failing(store, ["createToken"]) }), login("alice", PASSWORD))).status).toBe(503);

    const upgraded = (await store.getUserByUsername("alice"))?.passwordHash ?? "";
    const secrets = [PASSWORD, hash, upgraded, existing.key, tokenDigest(existing.key), tokenDigest(issued)];
    expect(texts).toHaveLength(12);
    for (const text of texts) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      if (!text.startsWith("200 ")) expect(text).not.toContain(issued);
    }
  });
});
