/**
 * `jwtAuth`'s cache of verified tokens: a token seen again skips only what its signature proved. Every claim,
 * the user, its activity and the token type are checked again on each request.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, guard, toResponse } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { jwtAuth } from "./jwt-auth.js";
import { mintTokenPair } from "./mint.js";
import { jwtSettings } from "./settings.js";

const jwt = jwtSettings({ signingKey: "cache-test-secret-key-of-32-bytes-or-more" });
const T0 = Date.UTC(2030, 0, 1);

async function answer(protect: ReturnType<typeof guard>, token: string, nowMs: number) {
  const decision = await protect(new Request("http://api.test/", { headers: { Authorization: `Bearer ${token}` } }), { now: () => nowMs });
  if (decision.allowed) return { status: 200, auth: decision.auth as { claims: Record<string, unknown> } };
  const response = toResponse(decision.error);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("jwtAuth with its cache of verified tokens", () => {
  it("answers a cached token exactly as an uncached one, at every instant of its life", async () => {
    const { access } = await mintTokenPair(jwt, { id: "1" }, { now: T0 });
    const cached = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    const uncached = guard({ schemes: [jwtAuth({ jwt, stateless: true, cacheSize: 0 })] });
    for (const at of [T0, T0 + 299_000, T0 + 300_000, T0 + 301_000, T0 + 1000]) {
      const [a, b] = [await answer(cached, access.token, at), await answer(uncached, access.token, at)];
      expect(a.status).toBe(b.status);
      expect(a.body).toEqual(b.body);
    }
    expect((await answer(cached, access.token, T0 + 300_000)).status).toBe(401); // expired, though once cached
  });

  it("still refuses a refresh token as an access token the second time", async () => {
    const { refresh } = await mintTokenPair(jwt, { id: "1" }, { now: T0 });
    const protect = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    const first = await answer(protect, refresh.token, T0);
    expect(first).toMatchObject({ status: 401, body: { code: "token_not_valid" } });
    expect(await answer(protect, refresh.token, T0)).toEqual(first);
  });

  it("looks the user up on every request: a password change and a deletion take effect on a cached token", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "ann", passwordHash: "pbkdf2_sha256$1$a$b" });
    const revoking = jwtSettings({ signingKey: "cache-test-secret-key-of-32-bytes-or-more", checkRevokeToken: true });
    let deleted = false;
    const users = {
      getUserById: async (id: string) => (deleted ? null : store.getUserById(id)),
      getUserByUsername: async (name: string) => (deleted ? null : store.getUserByUsername(name)),
    };
    const protect = guard({ schemes: [jwtAuth({ jwt: revoking, users })] });
    const first = await mintTokenPair(revoking, { id: user.id, passwordHash: "pbkdf2_sha256$1$a$b" }, { now: T0 });
    const second = await mintTokenPair(revoking, { id: user.id, passwordHash: "pbkdf2_sha256$1$a$b" }, { now: T0 });
    expect((await answer(protect, first.access.token, T0)).status).toBe(200);
    expect((await answer(protect, second.access.token, T0)).status).toBe(200);
    await store.setPasswordHash(user.id, "pbkdf2_sha256$1$a$changed");
    expect((await answer(protect, first.access.token, T0)).body).toMatchObject({ detail: "The user's password has been changed." });
    deleted = true;
    expect((await answer(protect, second.access.token, T0)).body).toMatchObject({ detail: "User not found" });
  });

  it("refuses a token whose signature differs from a cached one by one character", async () => {
    const { access } = await mintTokenPair(jwt, { id: "1" }, { now: T0 });
    const protect = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    expect((await answer(protect, access.token, T0)).status).toBe(200);
    const last = access.token.at(-1) === "A" ? "Q" : "A";
    expect((await answer(protect, access.token.slice(0, -1) + last, T0)).status).toBe(401);
    expect((await answer(protect, `${access.token}.`, T0)).status).toBe(401);
  });

  it("parses the header exactly as before once a token is cached (spaces, tabs, case, extra parts)", async () => {
    const { access } = await mintTokenPair(jwt, { id: "1" }, { now: T0 });
    const cached = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    const uncached = guard({ schemes: [jwtAuth({ jwt, stateless: true, cacheSize: 0 })] });
    expect((await answer(cached, access.token, T0)).status).toBe(200);
    const headers = [
      `Bearer ${access.token}`,
      `Bearer  ${access.token}`,
      `Bearer\t${access.token}`,
      `bearer ${access.token}`,
      `Bearer ${access.token} extra`,
      `Bearer ${access.token}\t`,
      `Bearer ${access.token} `,
      `JWT ${access.token}`,
      `Bearer`,
      `Bearer `,
    ];
    for (const header of headers) {
      const ask = async (protect: ReturnType<typeof guard>) => {
        const decision = await protect(new Request("http://api.test/", { headers: { Authorization: header } }), { now: () => T0 });
        return decision.allowed ? 200 : { status: toResponse(decision.error).status, body: await toResponse(decision.error).json() };
      };
      expect({ header, answer: await ask(cached) }).toEqual({ header, answer: await ask(uncached) });
    }
  });

  it("hands out frozen claims: a handler cannot change what the next request sees", async () => {
    const { access } = await mintTokenPair(jwt, { id: "1" }, { now: T0, claims: { roles: ["user"] } });
    const protect = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    const first = await answer(protect, access.token, T0);
    expect(() => (first.auth?.claims.roles as string[]).push("admin")).toThrow(TypeError);
    expect((await answer(protect, access.token, T0)).auth?.claims.roles).toEqual(["user"]);
  });

  it("validates cacheSize", () => {
    for (const cacheSize of [-1, 1.5, Number.NaN, 2_000_000, "10"]) {
      expect(() => jwtAuth({ jwt, stateless: true, cacheSize: cacheSize as number })).toThrow(ConfigError);
    }
    expect(() => jwtAuth({ jwt, stateless: true, cacheSize: 0 })).not.toThrow();
  });
});

describe("jwtAuth's cache of validated tokens", () => {
  it("re-checks the time claims on every hit: a token cached at T0 is refused past exp and before nbf, even with a clock moving back", async () => {
    const { access } = await mintTokenPair(jwt, { id: "1" }, { now: T0 });
    const protect = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    expect((await answer(protect, access.token, T0 + 1_000)).status).toBe(200);
    expect((await answer(protect, access.token, T0 + 1_000)).status).toBe(200);
    expect((await answer(protect, access.token, T0 + 300_000)).status).toBe(401);
    expect((await answer(protect, access.token, T0 + 2_000)).status).toBe(200);
  });

  it("hands out the same frozen user and auth on hits: a handler cannot change what the next request sees", async () => {
    const { access } = await mintTokenPair(jwt, { id: "7" }, { now: T0 });
    const protect = guard({ schemes: [jwtAuth({ jwt, stateless: true })] });
    const request = () => new Request("http://api.test/", { headers: { Authorization: `Bearer ${access.token}` } });
    const first = await protect(request(), { now: () => T0 });
    const second = await protect(request(), { now: () => T0 });
    if (!first.allowed || !second.allowed) throw new Error("expected both allowed");
    expect(Object.isFrozen(second.user)).toBe(true);
    expect(Object.isFrozen(second.auth)).toBe(true);
    expect(() => Object.assign(second.user as object, { id: "1" })).toThrow(TypeError);
    expect(second.user).toEqual(first.user);
  });
});
