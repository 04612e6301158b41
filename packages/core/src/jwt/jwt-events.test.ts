/**
 * `onEvent` on the JWT endpoints: logins (`via: "jwt-obtain"`), refresh and sliding tokens issued, tokens revoked
 * (logout, rotation with blacklisting, reuse), and a store failure reported once. No event carries a token or a
 * password.
 */
import { describe, expect, it } from "vitest";
import { StoreError, hashPassword } from "@portcullis/core";
import type { AuthEvent, Handler } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { blacklistJwtHandler, obtainJwtPairHandler, obtainSlidingJwtHandler, refreshJwtHandler, verifyJwtHandler } from "./index.js";
import { jwtSettings } from "./settings.js";

const PASSWORD = "correct horse battery";
const post = (body: unknown) =>
  new Request("http://api.test/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const call = async (handler: Handler, body: unknown) => {
  const response = await handler(post(body), { clientIp: "192.0.2.7" });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const claimsOf = (token: string) => JSON.parse(atob((token.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;

async function setup() {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const jwt = jwtSettings({ signingKey: "events-test-secret-of-at-least-32-bytes", rotateRefreshTokens: true, blacklistAfterRotation: true });
  const events: AuthEvent[] = [];
  const onEvent = (event: AuthEvent) => events.push(event);
  return { store, user, jwt, events, onEvent };
}

/** Fails when any event holds one of `secrets` (tokens, their signatures, the password). */
function expectNoSecrets(events: readonly AuthEvent[], secrets: readonly string[]): void {
  const text = JSON.stringify(events);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    const signature = secret.split(".")[2];
    if (signature) expect(text).not.toContain(signature);
  }
}

describe("onEvent on the JWT endpoints", () => {
  it("reports logins, the refresh token issued, rotation and logout, without a token in any event", async () => {
    const { store, user, jwt, events, onEvent } = await setup();
    const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store, onEvent });
    expect((await call(obtain, { username: "alice", password: "wrong" })).status).toBe(401);
    const pair = (await call(obtain, { username: "alice", password: PASSWORD })).body as { refresh: string; access: string };
    const first = claimsOf(pair.refresh);
    expect(events).toEqual([
      { type: "login.failed", via: "jwt-obtain", reason: "invalid_credentials", username: "alice", clientIp: "192.0.2.7" },
      { type: "login.succeeded", via: "jwt-obtain", userId: user.id, username: "alice", clientIp: "192.0.2.7" },
      { type: "token.issued", userId: user.id, tokenId: first.jti, expiresAt: (first.exp as number) * 1000 },
    ]);

    events.length = 0;
    const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store, onEvent });
    const rotated = (await call(refresh, { refresh: pair.refresh })).body as { refresh: string; access: string };
    const second = claimsOf(rotated.refresh);
    expect(events).toEqual([
      { type: "token.revoked", userId: user.id, tokenId: first.jti },
      { type: "token.issued", userId: user.id, tokenId: second.jti, expiresAt: (second.exp as number) * 1000 },
    ]);

    events.length = 0;
    const logout = blacklistJwtHandler({ jwt, blacklist: store, onEvent });
    expect((await call(logout, { refresh: rotated.refresh })).status).toBe(200);
    expect(events).toEqual([{ type: "token.revoked", userId: user.id, tokenId: second.jti }]);
    expectNoSecrets(events, [pair.refresh, pair.access, rotated.refresh, rotated.access, PASSWORD]);
  });

  it("reports a reused refresh token as its family revoked", async () => {
    const { store, user, events, onEvent } = await setup();
    const jwt = jwtSettings({ signingKey: "events-test-secret-of-at-least-32-bytes", rotateRefreshTokens: true });
    const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store });
    const { refresh: spent } = (await call(obtain, { username: "alice", password: PASSWORD })).body as { refresh: string };
    const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store, onEvent });
    expect((await call(refresh, { refresh: spent })).status).toBe(200);
    expect(events.map((event) => event.type)).toEqual(["token.issued"]); // not blacklisted after rotation: no revoke
    expect((await call(refresh, { refresh: spent })).status).toBe(401);
    expect(events.at(-1)).toEqual({ type: "token.revoked", userId: user.id, tokenId: claimsOf(spent).jti });
  });

  it("reports throttled logins and sliding tokens", async () => {
    const { store, user, jwt, events, onEvent } = await setup();
    const sliding = obtainSlidingJwtHandler({ jwt, store, onEvent, bruteForce: { perUsername: "1/min", perIp: "100/min" } });
    const { token } = (await call(sliding, { username: "alice", password: PASSWORD })).body as { token: string };
    expect(events.slice(0, 2)).toEqual([
      { type: "login.succeeded", via: "jwt-obtain-sliding", userId: user.id, username: "alice", clientIp: "192.0.2.7" },
      { type: "token.issued", userId: user.id, tokenId: claimsOf(token).jti, expiresAt: (claimsOf(token).exp as number) * 1000 },
    ]);
    await call(sliding, { username: "alice", password: "wrong" });
    expect((await call(sliding, { username: "alice", password: "wrong" })).status).toBe(429);
    expect(events.at(-1)).toMatchObject({ type: "login.failed", via: "jwt-obtain-sliding", reason: "throttled" });
    expectNoSecrets(events, [token, PASSWORD]);
  });

  it("reports a store failure once, as store.failed, and answers 503", async () => {
    const { jwt, store, events, onEvent } = await setup();
    const down = () => Promise.reject(new StoreError("database unreachable"));
    const broken = { ...store, getUserByUsername: down, isJwtBlacklisted: down, hit: down, releaseHit: down };
    const pair = await call(obtainJwtPairHandler({ jwt, store, blacklist: store }), { username: "alice", password: PASSWORD });
    for (const [handler, body] of [
      [obtainJwtPairHandler({ jwt, store: broken, bruteForce: false, onEvent }), { username: "alice", password: PASSWORD }],
      [verifyJwtHandler({ jwt, blacklist: broken, onEvent }), { token: pair.body.refresh }],
    ] as const) {
      events.length = 0;
      const answer = await call(handler, body);
      expect(answer).toEqual({ status: 503, body: { detail: "Authentication service unavailable." } });
      expect(events.map((event) => event.type)).toEqual(["store.failed"]);
      expect((events[0] as { error: unknown }).error).toBeInstanceOf(StoreError);
    }
  });
});
