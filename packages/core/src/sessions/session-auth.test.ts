import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { authenticate } from "../authenticate.js";
import { guard } from "../guard.js";
import { StoreError } from "../errors.js";
import { hashPassword } from "../passwords/index.js";
import { errorToResponse, toResponse } from "../response.js";
import { tokenAuth } from "../schemes/token.js";
import { issueToken } from "../tokens/tokens.js";
import { csrfToken } from "./csrf-cookie.js";
import { sessionAuth, sessionDigest } from "./session-auth.js";
import { sessionLoginHandler, sessionLogoutHandler } from "./session-endpoints.js";

const ORIGIN = "http://app.test";

/** A browser's cookie jar for one origin: applies `Set-Cookie`s, answers the `Cookie` header. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/Max-Age=0\b/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

async function setup() {
  const store = memoryStore();
  const alice = await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
  const jar = new Jar();
  const page = csrfToken(new Request(`${ORIGIN}/`));
  jar.take(new Response(null, { headers: { "Set-Cookie": page.setCookie } }));
  const login = sessionLoginHandler({ store });
  const logout = sessionLogoutHandler({ sessions: store });
  const session = sessionAuth({ sessions: store });
  const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    new Request(`${ORIGIN}${path}`, { ...init, headers: { cookie: jar.header(), origin: ORIGIN, ...init.headers } });
  return { store, alice, jar, page, login, logout, session, send };
}

async function loggedIn() {
  const s = await setup();
  const body = JSON.stringify({ username: "alice", password: "pw-alice" });
  const response = await s.login(s.send("/login/", { method: "POST", body, headers: { "content-type": "application/json", "x-csrftoken": s.page.token } }));
  expect(response.status).toBe(200);
  s.jar.take(response);
  return { ...s, response, token: ((await response.json()) as { csrfToken: string }).csrfToken };
}

describe("sessionLoginHandler", () => {
  it("logs in, sets Django's cookies, stores only the digest, and rotates the CSRF secret", async () => {
    const { response, jar, page, store, token } = await loggedIn();
    const [sessionLine, csrfLine] = response.headers.getSetCookie();
    expect(sessionLine).toMatch(/^sessionid=[a-z0-9]{32}; expires=\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax$/);
    expect(csrfLine).toMatch(/^csrftoken=[a-zA-Z0-9]{32}; expires=.* GMT; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    expect(csrfLine).not.toMatch(/HttpOnly/);
    expect(jar.cookies.get("csrftoken")).not.toBe(page.setCookie.split(";")[0]?.split("=")[1]);
    expect(token).toMatch(/^[a-zA-Z0-9]{64}$/);
    const key = jar.cookies.get("sessionid") as string;
    expect(await store.findSession(sessionDigest(key))).not.toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("adds Secure on HTTPS", async () => {
    const { store } = await setup();
    const secret = csrfToken(new Request("https://app.test/"));
    const cookie = secret.setCookie.split(";")[0] as string;
    const login = sessionLoginHandler({ store, bruteForce: false });
    const response = await login(new Request("https://app.test/login/", {
      method: "POST",
      headers: { cookie, origin: "https://app.test", "x-csrftoken": secret.token, "content-type": "application/x-www-form-urlencoded" },
      body: "username=alice&password=pw-alice",
    }));
    expect(response.status).toBe(200);
    for (const line of response.headers.getSetCookie()) expect(line).toMatch(/; Secure$/);
  });

  it("refuses a login without the CSRF cookie or token (login CSRF), before reading the password", async () => {
    const { login } = await setup();
    const body = JSON.stringify({ username: "alice", password: "pw-alice" });
    const response = await login(new Request(`${ORIGIN}/login/`, { method: "POST", body, headers: { "content-type": "application/json" } }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "CSRF Failed: CSRF cookie not set." });
  });

  it("answers DRF's errors for bad credentials and 429 after five failures", async () => {
    const { login, send, page } = await setup();
    const attempt = (password: string) =>
      login(send("/login/", { method: "POST", body: JSON.stringify({ username: "alice", password }), headers: { "content-type": "application/json", "x-csrftoken": page.token } }));
    const first = await attempt("wrong");
    expect(first.status).toBe(400);
    expect(await first.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
    for (let i = 0; i < 4; i++) await attempt("wrong");
    const blocked = await attempt("pw-alice");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.getSetCookie()).toEqual([]);
    const missing = await login(send("/login/", { method: "POST", body: "{}", headers: { "content-type": "application/json", "x-csrftoken": page.token } }));
    expect(await missing.json()).toEqual({ username: ["This field is required."], password: ["This field is required."] });
    expect((await login(send("/login/"))).status).toBe(405);
  });

  it("cycles the session key: the session the request came with is deleted", async () => {
    const first = await loggedIn();
    const oldKey = first.jar.cookies.get("sessionid") as string;
    const again = await first.login(first.send("/login/", {
      method: "POST",
      body: JSON.stringify({ username: "alice", password: "pw-alice" }),
      headers: { "content-type": "application/json", "x-csrftoken": first.token },
    }));
    expect(again.status).toBe(200);
    first.jar.take(again);
    expect(first.jar.cookies.get("sessionid")).not.toBe(oldKey);
    expect(await first.store.findSession(sessionDigest(oldKey))).toBeNull();
  });

  it("answers a redirect for HTML forms when redirectTo is set, and refuses an open redirect", async () => {
    const { store, send, page } = await setup();
    const login = sessionLoginHandler({ store, redirectTo: "/app/" });
    const response = await login(send("/login/", { method: "POST", body: `username=alice&password=pw-alice&csrfmiddlewaretoken=${page.token}`, headers: { "content-type": "application/x-www-form-urlencoded" } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app/");
    expect(response.headers.getSetCookie()).toHaveLength(2);
    expect(() => sessionLoginHandler({ store, redirectTo: "//evil.test/" })).toThrow(/redirectTo/);
  });
});

describe("sessionAuth", () => {
  it("authenticates a safe request without CSRF and an unsafe one only with the token", async () => {
    const { session, send, token, alice } = await loggedIn();
    const get = await authenticate(send("/me"), [session]);
    expect(get).toMatchObject({ status: "authenticated", user: alice, scheme: "session", auth: { source: "portcullis", userId: alice.id } });
    const bare = await authenticate(send("/me", { method: "POST" }), [session]);
    expect(bare.status === "failed" && toResponse(bare.error).status).toBe(403);
    expect(bare.status === "failed" && bare.error.detail).toBe("CSRF Failed: CSRF token missing.");
    const ok = await authenticate(send("/me", { method: "POST", headers: { "x-csrftoken": token } }), [session]);
    expect(ok.status).toBe("authenticated");
    const foreign = await authenticate(send("/me", { method: "DELETE", headers: { "x-csrftoken": token, origin: "http://evil.test" } }), [session]);
    expect(foreign.status === "failed" && foreign.error.detail).toBe("CSRF Failed: Origin checking failed - http://evil.test does not match any trusted origins.");
  });

  it("skips (no CSRF check) without a session, with an unknown, expired or inactive one", async () => {
    const { session, store, alice, send } = await loggedIn();
    const unsafe = { method: "POST" };
    expect((await authenticate(new Request(`${ORIGIN}/x`, unsafe), [session])).status).toBe("anonymous");
    const unknown = new Request(`${ORIGIN}/x`, { ...unsafe, headers: { cookie: `sessionid=${"a".repeat(32)}` } });
    expect((await authenticate(unknown, [session])).status).toBe("anonymous");
    const later: Promise<unknown>[] = [];
    const expired = await authenticate(send("/x", unsafe), [session], { now: () => Date.now() + 15 * 86_400_000, waitUntil: (p) => later.push(p) });
    expect(expired.status).toBe("anonymous");
    await Promise.all(later);
    expect(await authenticate(send("/x"), [session])).toMatchObject({ status: "anonymous" });
    const bob = await store.createUser({ username: "bob", passwordHash: "!", isActive: false });
    await store.createSession({ id: "s-bob", digest: sessionDigest("b".repeat(32)), userId: bob.id, createdAt: 0, expiresAt: Date.now() + 1e6 });
    const inactive = new Request(`${ORIGIN}/x`, { ...unsafe, headers: { cookie: `sessionid=${"b".repeat(32)}` } });
    expect((await authenticate(inactive, [session])).status).toBe("anonymous");
    expect(alice.isActive).toBe(true);
  });

  it("the DRF trap: Token first lets a valid token through a failing CSRF check; Session first refuses it", async () => {
    const { session, store, alice, send } = await loggedIn();
    const { key } = await issueToken(store, alice.id);
    const request = () => send("/x", { method: "POST", headers: { authorization: `Token ${key}` } });
    const tokenFirst = await guard({ schemes: [tokenAuth({ store }), session] })(request());
    expect(tokenFirst).toMatchObject({ allowed: true, scheme: "token" });
    const sessionFirst = await guard({ schemes: [session, tokenAuth({ store })] })(request());
    expect(sessionFirst).toMatchObject({ allowed: false, error: { status: 403, detail: "CSRF Failed: CSRF token missing." } });
  });

  it("has no challenge: a policy that lists it first answers 403 to anonymous requests", async () => {
    const { session, store } = await setup();
    const decision = await guard({ schemes: [session, tokenAuth({ store })] })(new Request(`${ORIGIN}/x`));
    expect(decision).toMatchObject({ allowed: false, error: { status: 403, detail: "Authentication credentials were not provided.", headers: {} } });
  });

  it("fails closed when the session store fails", async () => {
    const { store, send } = await loggedIn();
    const broken = sessionAuth({ sessions: { ...store, findSession: async () => { throw new StoreError("down"); } } });
    const error = await authenticate(send("/x"), [broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(errorToResponse(error).status).toBe(503);
  });
});

describe("sessionLogoutHandler", () => {
  it("refuses a logout that fails CSRF, keeping the session; deletes it with the token and clears the cookie", async () => {
    const { logout, send, jar, store, token } = await loggedIn();
    const key = jar.cookies.get("sessionid") as string;
    const refused = await logout(send("/logout/", { method: "POST" }));
    expect(refused.status).toBe(403);
    expect(await store.findSession(sessionDigest(key))).not.toBeNull();
    const done = await logout(send("/logout/", { method: "POST", headers: { "x-csrftoken": token } }));
    expect(done.status).toBe(204);
    expect(done.headers.getSetCookie()).toEqual(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax']);
    expect(await store.findSession(sessionDigest(key))).toBeNull();
    const anonymous = await logout(new Request(`${ORIGIN}/logout/`, { method: "POST" }));
    expect(anonymous.status).toBe(204);
  });
});

describe("sessionLogoutHandler while the account is deactivated", () => {
  it("deletes the session whatever the user's state (Django's flush), after the CSRF check", async () => {
    const { store, send, jar, token } = await loggedIn();
    const key = jar.cookies.get("sessionid") as string;
    // The admin deactivates alice (the row says is_active = false): the store answers what the row holds.
    let active = false;
    const sessions = {
      findSession: async (digest: string) => {
        const found = await store.findSession(digest);
        return found === null ? null : { ...found, user: { ...found.user, isActive: active } };
      },
      deleteSession: (id: string) => store.deleteSession(id),
    };
    const logout = sessionLogoutHandler({ sessions });
    const forged = await logout(send("/logout/", { method: "POST" })); // no CSRF token: refused, session kept
    expect(forged.status).toBe(403);
    expect(await store.findSession(sessionDigest(key))).not.toBeNull();
    const done = await logout(send("/logout/", { method: "POST", headers: { "x-csrftoken": token } }));
    expect(done.status).toBe(204);
    expect(await store.findSession(sessionDigest(key))).toBeNull();
    active = true; // reactivation revives nothing
    expect((await authenticate(send("/me"), [sessionAuth({ sessions })])).status).toBe("anonymous");
  });
});

describe("csrfToken (Django's get_token)", () => {
  it("keeps a well-formed cookie's secret (32 or 64 characters) and replaces a malformed one", () => {
    const first = csrfToken(new Request(`${ORIGIN}/`));
    const secret = first.setCookie.split(";")[0]?.split("=")[1] as string;
    expect(secret).toMatch(/^[a-zA-Z0-9]{32}$/);
    const again = csrfToken(new Request(`${ORIGIN}/`, { headers: { cookie: `csrftoken=${secret}` } }));
    expect(again.setCookie.startsWith(`csrftoken=${secret};`)).toBe(true);
    expect(again.token).not.toBe(first.token);
    const masked = csrfToken(new Request(`${ORIGIN}/`, { headers: { cookie: `csrftoken=${first.token}` } }));
    expect(masked.setCookie.startsWith(`csrftoken=${secret};`)).toBe(true);
    const bad = csrfToken(new Request(`${ORIGIN}/`, { headers: { cookie: "csrftoken=../../etc" } }));
    expect(bad.setCookie).toMatch(/^csrftoken=[a-zA-Z0-9]{32};/);
  });
});
