import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import type { AuthEvent } from "../events.js";
import { guard } from "../guard.js";
import { errorToResponse, toResponse } from "../response.js";
import type { KnoxTokenStore } from "../store/types.js";
import { issueKnoxToken, knoxAuth, knoxMessages, knoxSettings } from "./index.js";
import { knoxDigest } from "./_token.js";

const T0 = 1_700_000_000_000;
const HOUR = 3600_000;
const at = (now: number, onEvent?: (event: AuthEvent) => void): AuthContext => ({ now: () => now, ...(onEvent ? { onEvent } : {}) });
const withHeader = (value: string) => new Request("https://api.test/", { headers: { authorization: value } });

async function setup(options: Parameters<typeof knoxSettings>[0] = {}) {
  const store = memoryStore();
  const settings = knoxSettings(options);
  const alice = await store.createUser({ username: "alice", passwordHash: "!" });
  const issued = await issueKnoxToken(store, alice.id, { settings, now: T0 });
  if (issued === null) throw new Error("no token");
  return { store, settings, alice, ...issued, scheme: knoxAuth({ store, settings }) };
}

async function answer(scheme: ReturnType<typeof knoxAuth>, value: string, now = T0) {
  const decision = await guard({ schemes: [scheme] })(withHeader(value), at(now));
  if (decision.allowed) return { status: 200, user: decision.user, auth: decision.auth };
  const response = toResponse(decision.error);
  return { status: response.status, body: await response.json(), challenge: response.headers.get("www-authenticate") };
}

describe("knoxAuth: knox 5's TokenAuthentication", () => {
  it("authenticates a knox token; auth is the row without its digest", async () => {
    const { scheme, token, alice, record } = await setup();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(record.digest).toBe(knoxDigest(token));
    expect(record.tokenKey).toBe(token.slice(0, 15));
    const result = await answer(scheme, `Token ${token}`);
    expect(result).toEqual({ status: 200, user: alice, auth: { tokenKey: token.slice(0, 15), userId: alice.id, createdAt: T0, expiresAt: T0 + 10 * HOUR } });
  });

  it("skips other schemes' headers and matches the keyword case-insensitively", async () => {
    const { scheme, token } = await setup();
    expect(await scheme.authenticate(withHeader(`Bearer ${token}`), at(T0))).toEqual({ type: "skip" });
    expect(await scheme.authenticate(new Request("https://api.test/"), at(T0))).toEqual({ type: "skip" });
    expect((await answer(scheme, `tOKEN ${token}`)).status).toBe(200);
  });

  it.each([
    ["Token", knoxMessages.noCredentials],
    ["Token  ", knoxMessages.noCredentials],
    ["Token a b", knoxMessages.spaces],
    ["Token abc", knoxMessages.invalidToken],
    [`Token ${"0".repeat(64)}`, knoxMessages.invalidToken],
    [`Token ${"0".repeat(5000)}`, knoxMessages.invalidToken],
    ["Token caf\u00c3\u00a9", knoxMessages.invalidToken],
    ["Token \u00ff\u00fe", knoxMessages.invalidToken],
    ["Token a\u0001b", knoxMessages.invalidToken],
  ])("answers %j with 401 %j and the Token challenge", async (header, detail) => {
    const { scheme } = await setup();
    expect(await answer(scheme, header)).toEqual({ status: 401, body: { detail }, challenge: "Token" });
  });

  it("a token of the right prefix but a wrong rest, or a wrong length, is Invalid token.", async () => {
    const { scheme, token } = await setup();
    for (const wrong of [token.slice(0, 63), `${token}0`, `${token.slice(0, 63)}${token[63] === "0" ? "1" : "0"}`, token.slice(0, 15)]) {
      expect(await answer(scheme, `Token ${wrong}`)).toMatchObject({ status: 401, body: { detail: knoxMessages.invalidToken } });
    }
  });

  it("an expired token answers Invalid token. and is deleted, with the user's other expired tokens", async () => {
    const { scheme, store, token, alice, settings } = await setup({ tokenTtlMs: HOUR });
    const other = await issueKnoxToken(store, alice.id, { settings, now: T0 - HOUR });
    expect((await answer(scheme, `Token ${token}`, T0 + HOUR)).status).toBe(200); // expiry == now is still valid (knox: expiry < now)
    const events: AuthEvent[] = [];
    const decision = await guard({ schemes: [scheme] })(withHeader(`Token ${token}`), at(T0 + HOUR + 1, (e) => events.push(e)));
    expect(decision.allowed).toBe(false);
    expect(events.find((e) => e.type === "token.expired")).toEqual({ type: "token.expired", userId: alice.id, tokenId: token.slice(0, 15) });
    expect(await store.findKnoxTokens(token.slice(0, 15), T0)).toEqual([]);
    expect(await store.findKnoxTokens(other!.record.tokenKey, T0)).toEqual([]);
  });

  it("a valid token removes its user's other expired tokens (knox's _cleanup_token)", async () => {
    const { scheme, store, token, alice } = await setup({ tokenTtlMs: null });
    const stale = await issueKnoxToken(store, alice.id, { settings: { tokenTtlMs: 1000 }, now: T0 });
    expect((await answer(scheme, `Token ${token}`, T0 + 2000)).status).toBe(200);
    expect(await store.findKnoxTokens(stale!.record.tokenKey, T0)).toEqual([]);
  });

  it("an inactive user answers User inactive or deleted.", async () => {
    const store = memoryStore();
    const bob = await store.createUser({ username: "bob", passwordHash: "!", isActive: false });
    const issued = await issueKnoxToken(store, bob.id, { now: T0 });
    expect(await answer(knoxAuth({ store }), `Token ${issued!.token}`)).toEqual({ status: 401, body: { detail: knoxMessages.inactive }, challenge: "Token" });
  });

  it("autoRefresh moves the expiry to now + TTL, capped by autoRefreshMaxTtlMs, written only beyond minRefreshIntervalMs", async () => {
    const { scheme, store, token } = await setup({ tokenTtlMs: HOUR, autoRefresh: true, autoRefreshMaxTtlMs: 3 * HOUR });
    const expiry = async () => (await store.findKnoxTokens(token.slice(0, 15), T0))[0]?.token.expiresAt;
    expect((await answer(scheme, `Token ${token}`, T0 + 60_000)).auth).toMatchObject({ expiresAt: T0 + HOUR + 60_000 });
    expect(await expiry()).toBe(T0 + HOUR); // moved by exactly 60 s: not more than MIN_REFRESH_INTERVAL, not written
    await answer(scheme, `Token ${token}`, T0 + 60_001);
    expect(await expiry()).toBe(T0 + HOUR + 60_001);
    await answer(scheme, `Token ${token}`, T0 + 0.9 * HOUR);
    await answer(scheme, `Token ${token}`, T0 + 1.8 * HOUR);
    expect(await expiry()).toBe(T0 + 2.8 * HOUR);
    expect((await answer(scheme, `Token ${token}`, T0 + 2.7 * HOUR)).auth).toMatchObject({ expiresAt: T0 + 3 * HOUR });
    expect(await expiry()).toBe(T0 + 3 * HOUR); // capped at created + AUTO_REFRESH_MAX_TTL
  });

  it("autoRefresh racing a logout never resurrects the token: the renewal only updates, the next request is refused", async () => {
    const { store, settings, token, alice } = await setup({ tokenTtlMs: HOUR, autoRefresh: true });
    // The logout lands between this request's lookup and its renewal (a real store, its renewal delayed by a logout).
    const racing: Pick<KnoxTokenStore, "findKnoxTokens" | "deleteExpiredKnoxTokens" | "renewKnoxToken"> = {
      findKnoxTokens: (key, now) => store.findKnoxTokens(key, now),
      deleteExpiredKnoxTokens: (user, now) => store.deleteExpiredKnoxTokens(user, now),
      renewKnoxToken: async (digest, expiresAt) => {
        await store.deleteKnoxToken(digest);
        return store.renewKnoxToken(digest, expiresAt);
      },
    };
    const raced = await answer(knoxAuth({ store: racing, settings }), `Token ${token}`, T0 + 10 * 60_000);
    expect(raced).toMatchObject({ status: 200, user: { id: alice.id } }); // valid when it was read, as in knox
    expect(await store.findKnoxTokens(token.slice(0, 15), T0 + 10 * 60_000)).toEqual([]);
    expect(await answer(knoxAuth({ store, settings }), `Token ${token}`, T0 + 10 * 60_000)).toMatchObject({ status: 401, body: { detail: "Invalid token." } });
  });

  it("tokens without expiry are never refreshed; TOKEN_PREFIX tokens authenticate", async () => {
    const { scheme, token, store } = await setup({ tokenTtlMs: null, autoRefresh: false, tokenPrefix: "app_" });
    expect(token).toMatch(/^app_[0-9a-f]{64}$/);
    expect((await answer(scheme, `Token ${token}`)).auth).toMatchObject({ tokenKey: token.slice(0, 15), expiresAt: null });
    expect((await store.findKnoxTokens(token.slice(0, 15), T0))[0]?.token.expiresAt).toBeNull();
  });

  it("a custom authHeaderPrefix is the keyword and the challenge", async () => {
    const { store, settings, token } = await setup({ authHeaderPrefix: "Knox" });
    const scheme = knoxAuth({ store, settings });
    expect(await scheme.authenticate(withHeader(`Token ${token}`), at(T0))).toEqual({ type: "skip" });
    expect((await answer(scheme, `Knox ${token}`)).status).toBe(200);
    expect(await answer(scheme, "Knox")).toMatchObject({ status: 401, challenge: "Knox" });
  });

  it("validates its settings", () => {
    const store = memoryStore();
    expect(() => knoxAuth({ store: {} as KnoxTokenStore })).toThrow(ConfigError);
    expect(() => knoxAuth({ store, settings: { tokenPrefix: "x".repeat(11) } })).toThrow(/tokenPrefix/);
    expect(() => knoxAuth({ store, settings: { autoRefresh: true, tokenTtlMs: null } })).toThrow(/tokenTtlMs/);
    expect(() => knoxAuth({ store, settings: { authTokenCharacterLength: 63 } })).toThrow(/authTokenCharacterLength/);
    expect(() => knoxAuth({ store, settings: { authHeaderPrefix: "To ken" } })).toThrow(/authHeaderPrefix/);
  });
});

describe("knox's digest", () => {
  it("is SHA-512 hex of the token's UTF-8 bytes (knox's hash_token)", () => {
    expect(knoxDigest("abc")).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    expect(knoxDigest("caf\u00e9")).toBe(knoxDigest("café"));
    expect(knoxDigest("café")).toBe("0c9dac7fe613719170790f08a5f7b9f5ef876c7b57ff429074bf417969c2c54107d924daf5e706568afca4712d91da1cfdf77588d76403a845177e23e3aeb8ce"); // Python hashlib
  });
});

describe("knoxAuth: an attacker's requests", () => {
  it("two tokens sharing a token_key: each authenticates as its own user, a forged rest as nobody", async () => {
    const store = memoryStore();
    const alice = await store.createUser({ username: "alice", passwordHash: "!" });
    const mallory = await store.createUser({ username: "mallory", passwordHash: "!" });
    const tokenKey = "a".repeat(15);
    const aliceToken = `${tokenKey}${"1".repeat(49)}`;
    const malloryToken = `${tokenKey}${"2".repeat(49)}`;
    for (const [user, token] of [[alice, aliceToken], [mallory, malloryToken]] as const) {
      await store.createKnoxToken({ digest: knoxDigest(token), tokenKey, userId: user.id, createdAt: T0, expiresAt: null }, { now: T0 });
    }
    const scheme = knoxAuth({ store });
    expect((await answer(scheme, `Token ${aliceToken}`)).user).toEqual(alice);
    expect((await answer(scheme, `Token ${malloryToken}`)).user).toEqual(mallory);
    expect((await answer(scheme, `Token ${tokenKey}${"3".repeat(49)}`)).status).toBe(401);
    expect((await answer(scheme, `Token ${tokenKey}`)).status).toBe(401);
  });

  it("a NUL byte never reaches the store (Request refuses it; a crafted scheme call answers Invalid token.)", async () => {
    expect(() => withHeader("Token abc\u0000def")).toThrow();
    const { scheme, token } = await setup();
    const request = { headers: new Headers({ authorization: `Token ${token}` }) } as Request;
    Object.defineProperty(request.headers, "get", { value: () => `Token ${token.slice(0, 20)}\u0000${token.slice(21)}` });
    expect(await scheme.authenticate(request, at(T0))).toEqual({ type: "failure", detail: knoxMessages.invalidToken });
  });

  it("a store failure answers 503 through guard, reported once", async () => {
    const { store, settings, token } = await setup();
    const broken = { ...store, findKnoxTokens: async () => { throw new StoreError("down"); } };
    const events: AuthEvent[] = [];
    const protect = guard({ schemes: [knoxAuth({ store: broken, settings })], onEvent: (e) => events.push(e) });
    const error = await protect(withHeader(`Token ${token}`), at(T0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(errorToResponse(error).status).toBe(503);
    expect(events.filter((e) => e.type === "store.failed")).toHaveLength(1);
  });
});

describe("knox: secret hygiene", () => {
  it("no denial, response or event shows a token or its digest (events name a token by its public tokenKey)", async () => {
    const store = memoryStore();
    const alice = await store.createUser({ username: "alice", passwordHash: "!" });
    const ivan = await store.createUser({ username: "ivan", passwordHash: "!", isActive: false });
    const live = (await issueKnoxToken(store, alice.id, { now: T0 }))!;
    const expired = (await issueKnoxToken(store, alice.id, { now: T0 - 11 * HOUR }))!;
    const inactive = (await issueKnoxToken(store, ivan.id, { now: T0 }))!;
    const tokens = [live.token, expired.token, inactive.token];
    const secrets = [...tokens, ...tokens.map(knoxDigest)];
    const seen: string[] = [];
    const protect = guard({ schemes: [knoxAuth({ store })], onEvent: (event) => seen.push(JSON.stringify(event)) });
    const headers = [`Token ${expired.token}`, `Token ${live.token}x`, `Token ${inactive.token}`, `Token ${live.token} ${live.token}`, `Token ${live.token.slice(0, 40)}`];
    for (const header of headers) {
      const decision = await protect(withHeader(header), at(T0));
      expect(decision.allowed).toBe(false);
      if (decision.allowed) continue;
      const response = toResponse(decision.error);
      seen.push(JSON.stringify(decision.error), JSON.stringify([...response.headers]), await response.text());
    }
    expect(seen.some((text) => text.includes("token.expired"))).toBe(true);
    for (const secret of secrets) expect(seen.filter((text) => text.includes(secret))).toEqual([]);
  });
});
