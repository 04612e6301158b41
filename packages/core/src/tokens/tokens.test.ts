import { describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { guard } from "../guard.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { toResponse } from "../response.js";
import { tokenAuth } from "../schemes/token.js";
import type { Store, User } from "../store/types.js";
import { TokenLimitError, issueToken, listTokens, revokeAllTokens, revokeToken, tokenDigest } from "./tokens.js";

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** Wraps a store so that every argument it receives and every value it answers is kept for inspection. */
function recorded(store: Store): { store: Store; seen: unknown[] } {
  const seen: unknown[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(store).map(([name, method]) => [
      name,
      async (...args: unknown[]) => {
        seen.push(args);
        const result: unknown = await (method as (...a: unknown[]) => Promise<unknown>)(...args);
        seen.push(result);
        return result;
      },
    ]),
  ) as unknown as Store;
  return { store: wrapped, seen };
}

async function setup() {
  const { store, seen } = recorded(memoryStore());
  const alice = await store.createUser({ username: "alice", passwordHash: "!" });
  const bob = await store.createUser({ username: "bob", passwordHash: "!" });
  return { store, seen, alice, bob };
}

function withToken(key: string): Request {
  return new Request("https://api.test/", { headers: { Authorization: `Token ${key}` } });
}

async function authenticateKey(store: Store, key: string, ctx: AuthContext = {}) {
  const decision = await guard({ schemes: [tokenAuth({ store })] })(withToken(key), ctx);
  if (decision.allowed) return { user: decision.user as User, auth: decision.auth };
  return { detail: decision.error.detail, status: decision.error.status };
}

describe("issueToken", () => {
  it("issues a 40-character lowercase hex key (160 bits), different every time", async () => {
    const { store, alice } = await setup();
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { key } = await issueToken(store, alice.id);
      expect(key).toMatch(/^[0-9a-f]{40}$/);
      keys.add(key);
    }
    expect(keys.size).toBe(5);
  });

  it("prepends an optional prefix; the whole key authenticates", async () => {
    const { store, alice } = await setup();
    const { key } = await issueToken(store, alice.id, { prefix: "pc_live-" });
    expect(key).toMatch(/^pc_live-[0-9a-f]{40}$/);
    expect(await authenticateKey(store, key)).toMatchObject({ user: alice });
    expect(await authenticateKey(store, key.slice("pc_live-".length))).toEqual({ status: 401, detail: "Invalid token." });
  });

  it("answers the token record: id, userId, name, createdAt and expiresAt (epoch ms)", async () => {
    const { store, alice } = await setup();
    const plain = await issueToken(store, alice.id, { now: T0 });
    expect(plain.token).toEqual({ id: expect.any(String), userId: alice.id, name: null, createdAt: T0, expiresAt: null });
    const named = await issueToken(store, alice.id, { now: T0, ttlMs: 30 * DAY, name: "laptop" });
    expect(named.token).toEqual({ id: expect.any(String), userId: alice.id, name: "laptop", createdAt: T0, expiresAt: T0 + 30 * DAY });
    expect(named.token.id).not.toBe(plain.token.id);
  });

  it("stores only the SHA-256 digest: the key never reaches the store, nor comes back from it", async () => {
    const { store, seen, alice } = await setup();
    const { key, token } = await issueToken(store, alice.id, { name: "ci" });
    const digest = tokenDigest(key);
    expect(digest).toBe(bytesToHex(sha256(utf8ToBytes(key))));

    await authenticateKey(store, key);
    const listed = await listTokens(store, alice.id);
    const found = await store.findToken(digest);

    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(key);
    expect(everything).toContain(digest); // createToken received it, findToken was asked by it
    expect(listed).toEqual([token]);
    expect(found?.token).toEqual(token);
    for (const value of [listed, found]) {
      expect(JSON.stringify(value)).not.toContain(digest);
      expect(JSON.stringify(value)).not.toContain(key);
    }
  });

  it("a token-authenticated request carries the token record as auth, with no secret field", async () => {
    const { store, alice } = await setup();
    const { key, token } = await issueToken(store, alice.id, { name: "phone" });
    const result = await authenticateKey(store, key);
    expect(result).toEqual({ user: alice, auth: token });
    expect(Object.keys(result.auth as object).sort()).toEqual(["createdAt", "expiresAt", "id", "name", "userId"]);
  });

  it("expires: valid before expiresAt, `Invalid token.` from expiresAt on, and deleted through waitUntil", async () => {
    const { store, alice } = await setup();
    const { key } = await issueToken(store, alice.id, { now: T0, ttlMs: 60_000 });
    expect(await authenticateKey(store, key, { now: () => T0 + 59_999 })).toMatchObject({ user: alice });

    const pending: Promise<unknown>[] = [];
    const ctx: AuthContext = { now: () => T0 + 60_000, waitUntil: (p) => pending.push(p) };
    expect(await authenticateKey(store, key, ctx)).toEqual({ status: 401, detail: "Invalid token." });
    await Promise.all(pending);
    expect(await listTokens(store, alice.id)).toEqual([]);
  });

  it("refuses a token of an inactive user", async () => {
    const store = memoryStore();
    const dora = await store.createUser({ username: "dora", passwordHash: "!", isActive: false });
    const { key } = await issueToken(store, dora.id);
    expect(await authenticateKey(store, key)).toEqual({ status: 401, detail: "User inactive or deleted." });
  });

  it("maxTokensPerUser refuses with TokenLimitError; expired tokens and other users' tokens do not count", async () => {
    const { store, alice, bob } = await setup();
    await issueToken(store, bob.id, { now: T0 });
    await issueToken(store, alice.id, { now: T0, ttlMs: 1_000 });
    await issueToken(store, alice.id, { now: T0, maxTokensPerUser: 2 });
    const refused = issueToken(store, alice.id, { now: T0 + 999, maxTokensPerUser: 2 });
    await expect(refused).rejects.toBeInstanceOf(TokenLimitError);
    await expect(refused).rejects.toThrow("Maximum amount of tokens allowed per user exceeded.");
    expect(await listTokens(store, alice.id)).toHaveLength(2);
    await issueToken(store, alice.id, { now: T0 + 1_000, maxTokensPerUser: 2 });
    expect(await listTokens(store, alice.id)).toHaveLength(3);
  });

  it.each([
    ["ttlMs", { ttlMs: 0 }],
    ["ttlMs", { ttlMs: -1 }],
    ["ttlMs", { ttlMs: 1.5 }],
    ["ttlMs", { ttlMs: "60000" }],
    ["ttlMs", { ttlMs: Infinity }],
    ["prefix", { prefix: "has space" }],
    ["prefix", { prefix: "p".repeat(33) }],
    ["prefix", { prefix: "caf\u00e9" }],
    ["prefix", { prefix: "a.b" }],
    ["maxTokensPerUser", { maxTokensPerUser: 0 }],
    ["maxTokensPerUser", { maxTokensPerUser: 2.5 }],
  ])("refuses a bad %s with ConfigError naming it, storing nothing", async (option, options) => {
    const { store, alice } = await setup();
    const error = await issueToken(store, alice.id, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
    expect(await listTokens(store, alice.id)).toEqual([]);
  });
});

describe("listTokens, revokeToken, revokeAllTokens", () => {
  it("lists a user's tokens oldest first", async () => {
    const { store, alice, bob } = await setup();
    const second = await issueToken(store, alice.id, { now: T0 + 2, name: "second" });
    const first = await issueToken(store, alice.id, { now: T0 + 1, name: "first" });
    await issueToken(store, bob.id, { now: T0 });
    expect(await listTokens(store, alice.id)).toEqual([first.token, second.token]);
    expect(await listTokens(store, "nobody")).toEqual([]);
  });

  it("revokes one token by id: it stops authenticating, the others keep working", async () => {
    const { store, alice } = await setup();
    const a = await issueToken(store, alice.id);
    const b = await issueToken(store, alice.id);
    expect(await revokeToken(store, a.token.id)).toBe(true);
    expect(await revokeToken(store, a.token.id)).toBe(false);
    expect(await authenticateKey(store, a.key)).toEqual({ status: 401, detail: "Invalid token." });
    expect(await authenticateKey(store, b.key)).toMatchObject({ user: alice });
    expect(await listTokens(store, alice.id)).toEqual([b.token]);
  });

  it("revokes all of a user's tokens, answering how many, and leaves other users' tokens alone", async () => {
    const { store, alice, bob } = await setup();
    const keys = [await issueToken(store, alice.id), await issueToken(store, alice.id)];
    const bobs = await issueToken(store, bob.id);
    expect(await revokeAllTokens(store, alice.id)).toBe(2);
    expect(await revokeAllTokens(store, alice.id)).toBe(0);
    for (const { key } of keys) expect(await authenticateKey(store, key)).toEqual({ status: 401, detail: "Invalid token." });
    expect(await authenticateKey(store, bobs.key)).toMatchObject({ user: bob });
  });

  it("answers a revoked key with the same response as a key that never existed", async () => {
    const { store, alice } = await setup();
    const { key, token } = await issueToken(store, alice.id);
    await revokeToken(store, token.id);
    const protect = guard({ schemes: [tokenAuth({ store })] });
    const revoked = await protect(withToken(key));
    const never = await protect(withToken("f".repeat(40)));
    if (revoked.allowed || never.allowed) throw new Error("expected denials");
    expect(await toResponse(revoked.error).text()).toBe(await toResponse(never.error).text());
  });
});
