import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import { guard } from "../guard.js";
import { errorToResponse } from "../response.js";
import { allowAny } from "../permissions/builtin.js";
import { tokenAuth } from "../schemes/token.js";
import { issueToken } from "../tokens/tokens.js";
import { checksumOf, crc32 } from "./_format.js";
import { apiKeyAuth, apiKeyMessages, hasScope, isApiKeyFormat, issueApiKey, perKeyRateThrottle, revokeApiKey, rotateApiKey } from "./index.js";

const T0 = 1_700_000_000_000;
const at = (now: number): AuthContext => ({ now: () => now, clientIp: "203.0.113.9" });
const bearer = (key: string, extra: Record<string, string> = {}) =>
  new Request("https://api.test/", { headers: { authorization: `Bearer ${key}`, ...extra } });

async function setup(options: { scopes?: string[]; ttlMs?: number } = {}) {
  const store = memoryStore();
  const { key, apiKey } = await issueApiKey(store, { ownerId: "org_1", name: "ci", scopes: options.scopes ?? ["articles:read"], now: T0, ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}) });
  return { store, key, apiKey };
}

describe("the key format", () => {
  it("is <prefix><12 base62>_<32 base62><6 base62 CRC-32> and recognisable offline", async () => {
    const { key, apiKey } = await setup();
    expect(key).toMatch(/^pk_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    expect(key.slice(8, 20)).toBe(apiKey.id);
    expect(isApiKeyFormat(key)).toBe(true);
    expect(isApiKeyFormat(key, "pk_test_")).toBe(false);
    const flipped = key.slice(0, 30) + (key[30] === "a" ? "b" : "a") + key.slice(31);
    expect(isApiKeyFormat(flipped)).toBe(false);
    expect(crc32("123456789")).toBe(0xcbf43926); // the CRC-32 check value
    expect(checksumOf("")).toBe("000000");
  });

  it("stores only the digest: the key appears nowhere in the store's answers", async () => {
    const { store, key, apiKey } = await setup();
    const stored = await store.findApiKey(apiKey.id);
    expect(JSON.stringify(stored)).not.toContain(key.slice(21));
    expect(JSON.stringify(await store.listApiKeys("org_1"))).not.toContain("digest");
  });
});

describe("apiKeyAuth", () => {
  it("authenticates a key: the user is the owner, auth the record without secrets", async () => {
    const { store, key, apiKey } = await setup();
    const decision = await guard({ schemes: [apiKeyAuth({ store })] })(bearer(key), at(T0));
    expect(decision).toEqual({ allowed: true, user: { id: "org_1" }, auth: apiKey, scheme: "apiKey" });
  });

  it("refuses a wrong secret, a bad checksum, a revoked and an expired key with 401 Invalid API key.", async () => {
    const { store, key, apiKey } = await setup({ ttlMs: 1000 });
    const check = guard({ schemes: [apiKeyAuth({ store })] });
    // Same id, other secret, valid checksum: found by id, refused by the digest.
    const head = `pk_live_${apiKey.id}_${"A".repeat(32)}`;
    const forged = head + checksumOf(head);
    const badChecksum = key.slice(0, -1) + (key.endsWith("0") ? "1" : "0");
    for (const [credential, now] of [[forged, T0], [badChecksum, T0], [key, T0 + 1000]] as const) {
      const decision = await check(bearer(credential), at(now));
      expect(decision.allowed ? 200 : [decision.error.status, decision.error.detail, decision.error.headers["WWW-Authenticate"]]).toEqual([
        401, apiKeyMessages.invalidKey, "Bearer",
      ]);
    }
    await revokeApiKey(store, apiKey.id);
    const revoked = await check(bearer(key), at(T0));
    expect(revoked.allowed).toBe(false);
  });

  it("skips credentials without its prefix, so Bearer tokens of another scheme still work", async () => {
    const { store } = await setup();
    const user = await store.createUser({ username: "bob", passwordHash: "!" });
    const { key: token } = await issueToken(store, user.id);
    const check = guard({ schemes: [apiKeyAuth({ store }), tokenAuth({ store, keyword: "Bearer" })] });
    const decision = await check(bearer(token), at(T0));
    expect(decision.allowed && decision.scheme).toBe("bearer");
    const other = await check(bearer("pk_test_whatever"), at(T0));
    expect(other.allowed ? 200 : other.error.detail).toBe("Invalid token.");
  });

  it("answers DRF-style header errors and reads X-API-Key without a challenge (403)", async () => {
    const { store, key } = await setup();
    const check = guard({ schemes: [apiKeyAuth({ store })] });
    const spaced = await check(bearer(`${key} extra`), at(T0));
    expect(spaced.allowed ? 200 : spaced.error.detail).toBe(apiKeyMessages.spaces);
    const viaHeader = guard({ schemes: [apiKeyAuth({ store, header: "X-API-Key" })] });
    const ok = await viaHeader(new Request("https://api.test/", { headers: { "x-api-key": key } }), at(T0));
    expect(ok.allowed).toBe(true);
    const bad = await viaHeader(new Request("https://api.test/", { headers: { "x-api-key": `${key}x` } }), at(T0));
    expect(bad.allowed ? 200 : [bad.error.status, bad.error.detail]).toEqual([403, apiKeyMessages.invalidKey]);
  });

  it("resolves owners through a user store: missing owner invalid, inactive owner refused", async () => {
    const store = memoryStore();
    const active = await store.createUser({ username: "a", passwordHash: "!" });
    const inactive = await store.createUser({ username: "b", passwordHash: "!", isActive: false });
    const check = guard({ schemes: [apiKeyAuth({ store, owners: store })] });
    const answers = [];
    for (const ownerId of [active.id, inactive.id, "nobody"]) {
      const { key } = await issueApiKey(store, { ownerId, now: T0 });
      const decision = await check(bearer(key), at(T0));
      answers.push(decision.allowed ? decision.user : decision.error.detail);
    }
    expect(answers).toEqual([active, apiKeyMessages.inactive, apiKeyMessages.invalidKey]);
  });

  it("writes lastUsedAt at most once per interval, never once per request", async () => {
    const { store, key, apiKey } = await setup();
    const pending: Promise<unknown>[] = [];
    const check = guard({ schemes: [apiKeyAuth({ store, lastUsedIntervalMs: 60_000 })] });
    const ctx = (now: number): AuthContext => ({ now: () => now, waitUntil: (p) => pending.push(p) });
    for (let i = 0; i < 20; i++) await check(bearer(key), ctx(T0 + i));
    await Promise.all(pending);
    expect((await store.findApiKey(apiKey.id))?.lastUsedAt).toBe(T0);
    await check(bearer(key), ctx(T0 + 60_000));
    await Promise.all(pending);
    expect((await store.findApiKey(apiKey.id))?.lastUsedAt).toBe(T0 + 60_000);
  });

  it("fails closed (503 through errorToResponse) when the key store or the counter store fails, never naming the key", async () => {
    const { store, key } = await setup();
    const events: unknown[] = [];
    const onEvent = (event: unknown) => void events.push(event);
    const broken = { findApiKey: async () => { throw new StoreError("down"); } };
    const counters = { hit: async () => { throw new StoreError("down"); } };
    const policies = [
      guard({ schemes: [apiKeyAuth({ store: broken })], onEvent }),
      guard({ schemes: [apiKeyAuth({ store })], throttles: [perKeyRateThrottle("5/min", { store: counters })], onEvent }),
    ];
    for (const policy of policies) {
      const error = await policy(bearer(key), at(T0)).then(() => null, (thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StoreError);
      const response = errorToResponse(error);
      expect(response.status).toBe(503);
      expect(await response.text()).not.toContain(key);
    }
    expect(JSON.stringify(events)).not.toContain(key.slice(21));
    expect(events).toHaveLength(2);
  });

  it("refuses owner ids with control characters and malformed scopes when issuing", async () => {
    const store = memoryStore();
    await expect(issueApiKey(store, { ownerId: "a\u0000b" })).rejects.toBeInstanceOf(ConfigError);
    await expect(issueApiKey(store, { ownerId: "a", scopes: ["has space"] })).rejects.toBeInstanceOf(ConfigError);
    await expect(issueApiKey(store, { ownerId: "a", scopes: ['q"uote'] })).rejects.toBeInstanceOf(ConfigError);
    await expect(issueApiKey(store, { ownerId: "a", prefix: "9bad" })).rejects.toBeInstanceOf(ConfigError);
    expect(await store.listApiKeys("a")).toEqual([]);
  });

  it("refuses bad options with ConfigError", () => {
    const store = memoryStore();
    expect(() => apiKeyAuth({ store, prefix: "bad prefix" })).toThrow(ConfigError);
    expect(() => apiKeyAuth({ store: {} as never })).toThrow(ConfigError);
    expect(() => apiKeyAuth({ store, lastUsedIntervalMs: 0 })).toThrow(ConfigError);
  });
});

describe("hasScope", () => {
  it("requires every scope by default, one with match: any; anonymous is 401", async () => {
    const { store, key } = await setup({ scopes: ["articles:read", "users:read"] });
    const schemes = [apiKeyAuth({ store })];
    const cases = [
      [hasScope("articles:read"), true],
      [hasScope(["articles:read", "articles:write"]), false],
      [hasScope(["articles:write", "users:read"], { match: "any" }), true],
      [hasScope("articles"), false],
    ] as const;
    for (const [permission, expected] of cases) {
      const decision = await guard({ schemes, permissions: [permission] })(bearer(key), at(T0));
      expect(decision.allowed).toBe(expected);
      if (!decision.allowed) expect([decision.error.status, decision.error.detail]).toEqual([403, "You do not have permission to perform this action."]);
    }
    const anonymous = await guard({ schemes, permissions: [hasScope("articles:read")] })(new Request("https://api.test/"), at(T0));
    expect(anonymous.allowed ? 200 : anonymous.error.status).toBe(401);
  });

  it("denies requests authenticated by something that is not an API key", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "c", passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const decision = await guard({ schemes: [tokenAuth({ store })], permissions: [hasScope("x")] })(
      new Request("https://api.test/", { headers: { authorization: `Token ${key}` } }),
      at(T0),
    );
    expect(decision.allowed).toBe(false);
    expect(() => hasScope([])).toThrow(ConfigError);
    expect(allowAny).toBeDefined();
  });
});

describe("rotateApiKey", () => {
  it("issues a key with the same owner and scopes; the old one works for the grace period only", async () => {
    const { store, key } = await setup({ scopes: ["a", "b"] });
    const id = key.slice(8, 20);
    const rotated = await rotateApiKey(store, id, { graceMs: 60_000, now: T0 + 10 });
    expect(rotated?.apiKey).toMatchObject({ ownerId: "org_1", name: "ci", scopes: ["a", "b"], expiresAt: null });
    expect(rotated?.previous.expiresAt).toBe(T0 + 60_010);
    const check = guard({ schemes: [apiKeyAuth({ store })] });
    expect((await check(bearer(key), at(T0 + 60_009))).allowed).toBe(true);
    expect((await check(bearer(key), at(T0 + 60_010))).allowed).toBe(false);
    expect((await check(bearer(rotated!.key), at(T0 + 60_010))).allowed).toBe(true);
    expect(await rotateApiKey(store, id, { now: T0 + 60_010 })).toBeNull();
    expect(await rotateApiKey(store, "missing", { now: T0 })).toBeNull();
  });
});
