import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { authenticate } from "../authenticate.js";
import type { AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import { hashPassword } from "../passwords/index.js";
import { tokenAuth } from "../schemes/token.js";
import type { Store } from "../store/types.js";
import { issueToken, tokenDigest } from "../tokens/tokens.js";
import { logoutAllHandler, logoutHandler } from "./logout.js";

const URL = "https://api.test/auth/logout/";
const T0 = 1_700_000_000_000;
const NOT_PROVIDED = { detail: "Authentication credentials were not provided." };
const INVALID_TOKEN = { detail: "Invalid token." };

/** alice with two tokens, bob with one, ivan (inactive) with one; one more of alice's expires at T0 + 1000. */
async function setup() {
  const store = memoryStore();
  const passwordHash = await hashPassword("pw", { iterations: 1000 });
  const alice = await store.createUser({ username: "alice", passwordHash });
  const bob = await store.createUser({ username: "bob", passwordHash });
  const ivan = await store.createUser({ username: "ivan", passwordHash, isActive: false });
  const [a1, a2, b1, i1] = await Promise.all([alice, alice, bob, ivan].map((user) => issueToken(store, user.id, { now: T0 })));
  const expiring = await issueToken(store, alice.id, { now: T0, ttlMs: 1000 });
  return { store, alice, bob, a1: a1!.key, a2: a2!.key, b1: b1!.key, i1: i1!.key, expiring };
}

function post(authorization?: string, method = "POST"): Request {
  return new Request(URL, { method, headers: authorization === undefined ? {} : { Authorization: authorization } });
}

/** Status, challenge and parsed body (null when empty). */
async function answer(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get("WWW-Authenticate"),
    body: text === "" ? null : (JSON.parse(text) as unknown),
  };
}

/** Who a key authenticates as, or the failure detail. */
async function whoIs(store: Store, key: string, ctx?: AuthContext) {
  const request = new Request("https://api.test/me", { headers: { Authorization: `Token ${key}` } });
  const result = await authenticate(request, [tokenAuth({ store })], ctx);
  return result.status === "authenticated" ? result.user.username : result.status === "failed" ? result.error.detail : null;
}

const ctx: AuthContext = { now: () => T0 };

describe("logoutHandler", () => {
  it("revokes the token that authenticated the request (204), and only that one", async () => {
    const { store, alice, a1, a2, b1 } = await setup();
    const logout = logoutHandler({ store });
    expect(await answer(await logout(post(`Token ${a1}`), ctx))).toEqual({ status: 204, challenge: null, body: null });
    expect([await whoIs(store, a1, ctx), await whoIs(store, a2, ctx), await whoIs(store, b1, ctx)]).toEqual(["Invalid token.", "alice", "bob"]);
    expect(await store.listTokens(alice.id)).toHaveLength(2);
    expect(await answer(await logout(post(`Token ${a1}`), ctx))).toEqual({ status: 401, challenge: "Token", body: INVALID_TOKEN });
  });

  it("matches the keyword case-insensitively and splits on runs of whitespace (DRF)", async () => {
    const { store, a1, a2 } = await setup();
    const logout = logoutHandler({ store });
    expect((await logout(post(`token ${a1}`), ctx)).status).toBe(204);
    expect((await logout(post(`TOKEN \t ${a2}`), ctx)).status).toBe(204);
    expect([await whoIs(store, a1, ctx), await whoIs(store, a2, ctx)]).toEqual(["Invalid token.", "Invalid token."]);
  });

  it.each([
    ["no Authorization header", undefined, NOT_PROVIDED],
    ["another scheme's header", "Basic YWxpY2U6cHc=", NOT_PROVIDED],
    ["an unknown key", `Token ${"0".repeat(40)}`, INVALID_TOKEN],
    ["a digest instead of a key", "DIGEST", INVALID_TOKEN],
    ["the keyword alone", "Token", { detail: "Invalid token header. No credentials provided." }],
    ["a key with spaces", "Token abc def", { detail: "Invalid token header. Token string should not contain spaces." }],
  ])("answers 401 with the Token challenge to %s", async (_name, authorization, body) => {
    const { store, a1 } = await setup();
    const header = authorization === "DIGEST" ? `Token ${tokenDigest(a1)}` : authorization;
    const response = await logoutHandler({ store })(post(header), ctx);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await answer(response)).toEqual({ status: 401, challenge: "Token", body });
    expect(await whoIs(store, a1, ctx)).toBe("alice");
  });

  it("answers an expired token as Invalid token. and deletes it in ctx.waitUntil", async () => {
    const { store, alice, expiring } = await setup();
    const pending: Promise<unknown>[] = [];
    const later: AuthContext = { now: () => T0 + 1000, waitUntil: (promise) => pending.push(promise) };
    const response = await logoutHandler({ store })(post(`Token ${expiring.key}`), later);
    expect(await answer(response)).toEqual({ status: 401, challenge: "Token", body: INVALID_TOKEN });
    await Promise.all(pending);
    expect((await store.listTokens(alice.id)).map((t) => t.id)).not.toContain(expiring.token.id);
  });

  it("answers a token of an inactive user with 401 User inactive or deleted.", async () => {
    const { store, i1 } = await setup();
    expect(await answer(await logoutHandler({ store })(post(`Token ${i1}`), ctx))).toEqual({
      status: 401,
      challenge: "Token",
      body: { detail: "User inactive or deleted." },
    });
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("answers %s with 405 and DRF's Allow: POST, OPTIONS, revoking nothing", async (method) => {
    const { store, a1 } = await setup();
    for (const logout of [logoutHandler({ store }), logoutAllHandler({ store })]) {
      const response = await logout(post(`Token ${a1}`, method), ctx);
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
      expect(await answer(response)).toEqual({ status: 405, challenge: null, body: { detail: `Method "${method}" not allowed.` } });
    }
    expect(await whoIs(store, a1, ctx)).toBe("alice");
  });

  it("reads Bearer tokens with keyword: \"Bearer\", and challenges with Bearer", async () => {
    const { store, a1, a2 } = await setup();
    const logout = logoutHandler({ store, keyword: "Bearer" });
    expect((await logout(post(`Bearer ${a1}`), ctx)).status).toBe(204);
    expect(await answer(await logout(post(`Token ${a2}`), ctx))).toEqual({ status: 401, challenge: "Bearer", body: NOT_PROVIDED });
    expect([await whoIs(store, a1, ctx), await whoIs(store, a2, ctx)]).toEqual(["Invalid token.", "alice"]);
  });
});

describe("logoutAllHandler", () => {
  it("revokes every token of the user (204); other users' tokens keep working", async () => {
    const { store, alice, bob, a1, a2, b1 } = await setup();
    expect(await answer(await logoutAllHandler({ store })(post(`Token ${a2}`), ctx))).toEqual({ status: 204, challenge: null, body: null });
    expect(await store.listTokens(alice.id)).toEqual([]);
    expect(await store.listTokens(bob.id)).toHaveLength(1);
    expect([await whoIs(store, a1, ctx), await whoIs(store, a2, ctx), await whoIs(store, b1, ctx)]).toEqual(["Invalid token.", "Invalid token.", "bob"]);
  });

  it("answers 401 with the challenge when the token is missing or invalid, revoking nothing", async () => {
    const { store, alice } = await setup();
    const logoutAll = logoutAllHandler({ store });
    expect(await answer(await logoutAll(post(), ctx))).toEqual({ status: 401, challenge: "Token", body: NOT_PROVIDED });
    expect(await answer(await logoutAll(post(`Token ${"f".repeat(40)}`), ctx))).toEqual({ status: 401, challenge: "Token", body: INVALID_TOKEN });
    expect(await store.listTokens(alice.id)).toHaveLength(3);
  });
});

describe("logout handlers: store failures and options", () => {
  const failing = (store: Store, method: keyof Store): Store => ({
    ...store,
    [method]: async () => Promise.reject(new StoreError(`${method} failed`, { cause: new Error("down") })),
  });

  it.each([
    ["logoutHandler", "findToken", logoutHandler],
    ["logoutHandler", "deleteToken", logoutHandler],
    ["logoutAllHandler", "findToken", logoutAllHandler],
    ["logoutAllHandler", "deleteUserTokens", logoutAllHandler],
  ] as const)("%s answers 503 when %s throws StoreError", async (_name, method, factory) => {
    const { store, a1 } = await setup();
    const response = await factory({ store: failing(store, method) })(post(`Token ${a1}`), ctx);
    expect(await answer(response)).toEqual({ status: 503, challenge: null, body: { detail: "Authentication service unavailable." } });
  });

  it("throws ConfigError for a missing store or a bad keyword", () => {
    for (const factory of [logoutHandler, logoutAllHandler]) {
      expect(() => factory({} as never)).toThrow(expect.objectContaining({ option: "store" }));
      expect(() => factory({ store: memoryStore(), keyword: "Bad Keyword" })).toThrow(ConfigError);
      expect(() => factory({ store: memoryStore(), keyword: "Bad Keyword" })).toThrow(expect.objectContaining({ option: "keyword" }));
    }
  });
});
