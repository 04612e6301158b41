import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthEvent } from "../events.js";
import { hashPassword } from "../passwords/index.js";
import { basicAuth } from "../schemes/basic.js";
import { issueKnoxToken, knoxLoginHandler, knoxLogoutAllHandler, knoxLogoutHandler, knoxSettings } from "./index.js";

const T0 = 1_700_000_000_000;
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const post = (authorization?: string, method = "POST") =>
  new Request("https://api.test/auth/", { method, headers: authorization ? { authorization } : {} });

async function setup(options: Parameters<typeof knoxSettings>[0] = {}) {
  const store = memoryStore();
  const settings = knoxSettings(options);
  const alice = await store.createUser({ username: "alice", passwordHash: await hashPassword("wonderland", { iterations: 1000 }) });
  const bob = await store.createUser({ username: "bob", passwordHash: "!" });
  const events: AuthEvent[] = [];
  const onEvent = (event: AuthEvent) => events.push(event);
  const login = knoxLoginHandler({ store, settings, schemes: [basicAuth({ users: store })], onEvent });
  return { store, settings, alice, bob, events, login, logout: knoxLogoutHandler({ store, settings, onEvent }), logoutAll: knoxLogoutAllHandler({ store, settings, onEvent }) };
}

describe("knoxLoginHandler (knox's LoginView)", () => {
  it("answers {expiry, token} for a user the schemes authenticate; the token then works", async () => {
    const { login, logout, alice, events } = await setup();
    const response = await login(post(basic("alice", "wonderland")), { now: () => T0 + 1 });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { expiry: string; token: string };
    expect(body).toEqual({ expiry: "2023-11-15T08:13:20.001000Z", token: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(events.find((e) => e.type === "token.issued")).toMatchObject({ userId: alice.id, tokenId: body.token.slice(0, 15) });
    expect((await logout(post(`Token ${body.token}`), { now: () => T0 + 2 })).status).toBe(204);
  });

  it("adds user with userSerializer, expiry null without TTL, the TOKEN_PREFIX", async () => {
    const { login } = await setup({ tokenTtlMs: null, tokenPrefix: "kx_", userSerializer: (user) => ({ username: user.username }) });
    const body = await (await login(post(basic("alice", "wonderland")))).json();
    expect(body).toEqual({ expiry: null, token: expect.stringMatching(/^kx_[0-9a-f]{64}$/), user: { username: "alice" } });
  });

  it("refuses without credentials (401 Basic), with bad ones, and answers 405 to an authenticated GET", async () => {
    const { login } = await setup();
    const anonymous = await login(post());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="api"');
    expect(await anonymous.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect(await (await login(post(basic("alice", "wrong")))).json()).toEqual({ detail: "Invalid username/password." });
    expect((await login(post(undefined, "GET"))).status).toBe(401);
    const get = await login(post(basic("alice", "wonderland"), "GET"));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
  });

  it("TOKEN_LIMIT_PER_USER: 403 with knox's body, counting only unexpired tokens with an expiry", async () => {
    const { login, store, alice } = await setup({ tokenLimitPerUser: 2 });
    await issueKnoxToken(store, alice.id, { settings: { tokenTtlMs: null } });
    await issueKnoxToken(store, alice.id, { settings: { tokenTtlMs: 1 }, now: T0 });
    const results = await Promise.all(Array.from({ length: 5 }, () => login(post(basic("alice", "wonderland")))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 403, 403, 403]);
    expect(await results.find((r) => r.status === 403)!.json()).toEqual({ error: "Maximum amount of tokens allowed per user exceeded." });
  });
});

describe("knoxLogoutHandler / knoxLogoutAllHandler", () => {
  it("logout deletes only the request's token; logoutall every token of its user, no one else's", async () => {
    const { store, alice, bob, logout, logoutAll, events } = await setup();
    const [a1, a2, b1] = await Promise.all([issueKnoxToken(store, alice.id), issueKnoxToken(store, alice.id), issueKnoxToken(store, bob.id)]);
    const status = async (token: string) => (await logout(post(`Token ${token}`, "GET"))).status; // 405 when valid, 401 when not
    expect((await logout(post(`Token ${a1!.token}`))).status).toBe(204);
    expect(await status(a1!.token)).toBe(401);
    expect(await status(a2!.token)).toBe(405);
    expect((await logoutAll(post(`Token ${a2!.token}`))).status).toBe(204);
    expect(events.filter((e) => e.type === "token.revoked").at(-1)).toEqual({ type: "token.revoked", userId: alice.id, count: 1 });
    expect(await status(b1!.token)).toBe(405);
  });

  it("refuses anonymous and invalid tokens with knox's 401s; other schemes' headers are not credentials", async () => {
    const { logout, logoutAll } = await setup();
    for (const handler of [logout, logoutAll]) {
      const anonymous = await handler(post());
      expect([anonymous.status, anonymous.headers.get("www-authenticate"), await anonymous.json()]).toEqual([401, "Token", { detail: "Authentication credentials were not provided." }]);
      expect(await (await handler(post(`Token ${"f".repeat(64)}`))).json()).toEqual({ detail: "Invalid token." });
      expect((await handler(post(basic("alice", "wonderland")))).status).toBe(401);
    }
  });

  it("a store failure answers 503, reported once", async () => {
    const { store, settings, alice } = await setup();
    const issued = await issueKnoxToken(store, alice.id);
    const events: AuthEvent[] = [];
    const broken = { ...store, deleteKnoxToken: async () => Promise.reject(new Error("down")) };
    const response = await knoxLogoutHandler({ store: broken, settings, onEvent: (e) => events.push(e) })(post(`Token ${issued!.token}`));
    expect(response.status).toBe(503);
    expect(events.filter((e) => e.type === "store.failed")).toHaveLength(1);
  });
});
