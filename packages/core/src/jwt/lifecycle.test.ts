/**
 * The JWT lifecycle an attacker leans on, through the real endpoints and `jwtAuth` on the memory store: a spent
 * refresh token at logout revokes its family, sliding tokens stay revocable until `refresh_exp`, an unsafe-integer
 * `user_id` is refused, and a token issued in the future is refused as PyJWT refuses it.
 */
import { describe, expect, it } from "vitest";
import { authenticate } from "../authenticate.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { hashPassword } from "../passwords/index.js";
import { memoryStore } from "@portcullis/store-memory";
import { blacklistJwtHandler, jwtAuth, obtainJwtPairHandler, obtainSlidingJwtHandler, refreshJwtHandler, refreshSlidingJwtHandler } from "./index.js";
import { signPayload } from "./mint.js";
import { jwtSettings } from "./settings.js";

const PASSWORD = "correct horse battery";
const KEY = "lifecycle-test-signing-key-of-32-bytes!";
const T0 = 1_700_000_000_000;
const post = (body: unknown) =>
  new Request("http://api.test/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const call = async (handler: Handler, body: unknown, now: number) => {
  const response = await handler(post(body), { clientIp: "192.0.2.7", now: () => now });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const bearer = (token: string) => new Request("http://api.test/me", { headers: { Authorization: `Bearer ${token}` } });

async function setup(options: Record<string, unknown> = {}) {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const jwt = jwtSettings({ signingKey: KEY, rotateRefreshTokens: true, ...options });
  return { store, user, jwt };
}

describe("a spent refresh token at logout revokes its whole family", () => {
  for (const blacklistAfterRotation of [false, true]) {
    it(`the thief's rotated token stops working (blacklistAfterRotation: ${blacklistAfterRotation})`, async () => {
      const { store, jwt } = await setup({ blacklistAfterRotation });
      const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store });
      const refresh = refreshJwtHandler({ jwt, users: store, blacklist: store });
      const logout = blacklistJwtHandler({ jwt, blacklist: store });
      const victim = (await call(obtain, { username: "alice", password: PASSWORD }, T0)).body.refresh as string;
      const thief = await call(refresh, { refresh: victim }, T0 + 1_000); // the thief rotates first
      expect(thief.status).toBe(200);
      const out = await call(logout, { refresh: victim }, T0 + 2_000); // the victim logs out with the spent token
      expect(out.status).toBe(blacklistAfterRotation ? 401 : 200);
      const again = await call(refresh, { refresh: thief.body.refresh }, T0 + 3_000);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe("token_not_valid");
    });
  }

  it("a live token's logout still answers 200, and a second logout 401 Token is blacklisted", async () => {
    const { store, jwt } = await setup();
    const obtain = obtainJwtPairHandler({ jwt, store, blacklist: store });
    const logout = blacklistJwtHandler({ jwt, blacklist: store });
    const refresh = (await call(obtain, { username: "alice", password: PASSWORD }, T0)).body.refresh as string;
    expect((await call(logout, { refresh }, T0 + 1)).status).toBe(200);
    expect(await call(logout, { refresh }, T0 + 2)).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });
  });
});

describe("sliding tokens stay revocable until refresh_exp", () => {
  it("logout everywhere after a refresh blacklists the token, and the expiry purge keeps its row", async () => {
    const { store, user, jwt } = await setup({ authTokenClasses: ["sliding"], slidingTokenLifetimeMs: 300_000, slidingTokenRefreshLifetimeMs: 86_400_000 });
    const obtain = obtainSlidingJwtHandler({ jwt, store, blacklist: store });
    const refresh = refreshSlidingJwtHandler({ jwt, users: store, blacklist: store });
    const scheme = jwtAuth({ jwt, users: store, blacklist: store });
    const first = (await call(obtain, { username: "alice", password: PASSWORD }, T0)).body.token as string;
    const later = T0 + 400_000; // past the first exp (T0 + 300 s); the renewed token (same jti) lives to T0 + 500 s
    const renewed = (await call(refresh, { token: first }, T0 + 200_000)).body.token as string;
    expect((await authenticate(bearer(renewed), [scheme], { now: () => later })).status).toBe("authenticated");
    expect(await store.deleteExpiredJwts(later)).toBe(0); // the cron keeps the row while the token can refresh
    expect(await store.blacklistUserJwts(user.id, later)).toBe(1); // logout everywhere finds it
    expect((await authenticate(bearer(renewed), [scheme], { now: () => later })).status).toBe("failed");
    const again = await call(refresh, { token: renewed }, later);
    expect(again).toMatchObject({ status: 401, body: { detail: "Token is blacklisted" } });
    expect(await store.deleteExpiredJwts(T0 + 86_400_000 + 1)).toBe(1); // gone once refresh_exp has passed
  });
});

describe("claims an attacker controls", () => {
  const claims = (jwt: ReturnType<typeof jwtSettings>, extra: Record<string, unknown>) =>
    signPayload(jwt, { token_type: "access", exp: T0 / 1000 + 300, iat: T0 / 1000, jti: "a".repeat(32), user_id: 1, ...extra });

  it("refuses a numeric user_id beyond 2^53 or with a fraction, stateless and with a store", async () => {
    const { store, jwt } = await setup();
    const stateless = jwtAuth({ jwt, stateless: true });
    const stored = jwtAuth({ jwt, users: store });
    const ctx = { now: () => T0 };
    expect((await authenticate(bearer((await claims(jwt, {})).token), [stateless], ctx)).status).toBe("authenticated");
    for (const userId of [2 ** 53, 2 ** 53 + 2, 9007199254740993, 1.5, -(2 ** 53), 1e300]) {
      const { token } = await claims(jwt, { user_id: userId });
      expect((await authenticate(bearer(token), [stateless], ctx)).status, String(userId)).toBe("failed");
      expect((await authenticate(bearer(token), [stored], ctx)).status, String(userId)).toBe("failed");
    }
    expect((await authenticate(bearer((await claims(jwt, { user_id: 2 ** 53 - 1 })).token), [stateless], ctx)).status).toBe("authenticated");
  });

  it("refuses a token issued in the future beyond the leeway, as PyJWT does", async () => {
    const { jwt } = await setup();
    const lenient = jwtSettings({ signingKey: KEY, leewayMs: 10_000 });
    const scheme = (settings: typeof jwt) => [jwtAuth({ jwt: settings, stateless: true })];
    const ctx = { now: () => T0 };
    const at = async (settings: typeof jwt, iatSeconds: number) =>
      (await authenticate(bearer((await claims(settings, { iat: iatSeconds })).token), scheme(settings), ctx)).status;
    expect(await at(jwt, T0 / 1000)).toBe("authenticated");
    expect(await at(jwt, T0 / 1000 + 1)).toBe("failed");
    expect(await at(jwt, T0 / 1000 + 0.5)).toBe("failed");
    expect(await at(jwt, 4_000_000_000)).toBe("failed");
    expect(await at(lenient, T0 / 1000 + 10)).toBe("authenticated");
    expect(await at(lenient, T0 / 1000 + 11)).toBe("failed");
  });
});
