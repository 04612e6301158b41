/**
 * dj-rest-auth's endpoints on a real store with real Requests, in its three modes, and the ways a request could
 * get past them: a cookie JWT without CSRF, a header that wins over the cookie, a replayed reset link or refresh
 * cookie, a tampered uid, and an e-mail address probed for existence.
 */
import { memoryStore } from "@portcullis/store-memory";
import { beforeEach, describe, expect, it } from "vitest";
import { compat } from "../compat/compat.js";
import { hashPassword, passwordHashers } from "../passwords/index.js";
import { jwtSettings } from "../jwt/settings.js";
import { maskCsrfSecret, newCsrfSecret } from "../sessions/csrf-token.js";
import { passwordResetTokens } from "./reset-token.js";
import { restAuthHandlers, type PasswordResetMessage, type RestAuthOptions } from "./rest-auth.js";

const ORIGIN = "http://api.test";
const SECRET = "rest-auth-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
const PASSWORD = "Tr0ub4dor&3-horse";

type Store = ReturnType<typeof memoryStore>;

async function setup(mode: RestAuthOptions["mode"], extra: Partial<RestAuthOptions> = {}) {
  const store = memoryStore();
  const user = await store.createUser({ id: "42", username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  await store.updateAccount(user.id, { email: "alice@example.com", firstName: "Alice", lastName: "Liddell" });
  const sent: PasswordResetMessage[] = [];
  const jwt = jwtSettings({ signingKey: SECRET, rotateRefreshTokens: true, blacklistAfterRotation: true, checkRevokeToken: true });
  const auth = restAuthHandlers({
    mode, store, jwt, blacklist: store, bruteForce: false,
    cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token" },
    resetTokens: passwordResetTokens({ secretKey: SECRET }),
    sendPasswordReset: (message) => void sent.push(message),
    ...extra,
  });
  return { store, user, auth, sent };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, method = "POST"): Request {
  return new Request(`${ORIGIN}${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** The cookies of a response as a `Cookie` header (deleted ones left out). */
function cookieHeader(response: Response, previous = ""): string {
  const jar = new Map(previous.split("; ").filter(Boolean).map((c) => c.split("=", 2) as [string, string]));
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split("; ");
    const [name, value] = (pair as string).split(/=(.*)/s) as [string, string];
    if (value === '""') jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

describe("JWT mode with cookies", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup("jwt");
  });

  it("login answers dj-rest-auth's body (refresh blank when HttpOnly) and its two cookies", async () => {
    const response = await env.auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["access", "refresh", "user"]);
    expect(body.refresh).toBe("");
    expect(body.user).toEqual({ pk: 42, username: "alice", email: "alice@example.com", first_name: "Alice", last_name: "Liddell" });
    const [access, refresh] = response.headers.getSetCookie();
    expect(access).toMatch(/^my-app-auth=[\w.-]+; expires=[^;]+ GMT; HttpOnly; Max-Age=300; Path=\/; SameSite=Lax$/);
    expect(refresh).toMatch(/^my-refresh-token=[\w.-]+; expires=[^;]+ GMT; HttpOnly; Max-Age=86400; Path=\/; SameSite=Lax$/);
  });

  it("the cookie authenticates safe requests; an unsafe one needs Django's CSRF check; the header wins over the cookie", async () => {
    const login = await env.auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    const cookie = cookieHeader(login);
    expect((await env.auth.user(new Request(`${ORIGIN}/user/`, { headers: { cookie } }))).status).toBe(200);
    const noCsrf = await env.auth.user(post("/user/", { first_name: "Eve" }, { cookie }, "PATCH"));
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toEqual({ detail: "CSRF Failed: CSRF cookie not set." });
    const secret = newCsrfSecret();
    const wrong = await env.auth.user(post("/user/", { first_name: "Eve" }, { cookie: `${cookie}; csrftoken=${secret}`, "x-csrftoken": maskCsrfSecret(newCsrfSecret()) }, "PATCH"));
    expect(await wrong.json()).toEqual({ detail: "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect." });
    const foreign = await env.auth.user(post("/user/", {}, { cookie: `${cookie}; csrftoken=${secret}`, "x-csrftoken": secret, origin: "https://evil.example" }, "PATCH"));
    expect(foreign.status).toBe(403);
    const ok = await env.auth.user(post("/user/", { first_name: "Al" }, { cookie: `${cookie}; csrftoken=${secret}`, "x-csrftoken": maskCsrfSecret(secret) }, "PATCH"));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { first_name: string }).first_name).toBe("Al");
    const badHeader = await env.auth.user(new Request(`${ORIGIN}/user/`, { headers: { cookie, authorization: "Bearer not-a-token" } }));
    expect(badHeader.status).toBe(401);
    expect(badHeader.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    const otherScheme = await env.auth.user(new Request(`${ORIGIN}/user/`, { headers: { cookie, authorization: "Token abc" } }));
    expect(otherScheme.status).toBe(401);
    expect(await otherScheme.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("refresh reads and rotates the refresh cookie; the spent cookie is refused; logout clears the cookies and blacklists", async () => {
    const login = await env.auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    const first = cookieHeader(login);
    const refresh = env.auth.tokenRefresh as NonNullable<typeof env.auth.tokenRefresh>;
    const rotated = await refresh(new Request(`${ORIGIN}/token/refresh/`, { method: "POST", headers: { cookie: first } }));
    expect(rotated.status).toBe(200);
    expect(Object.keys((await rotated.json()) as object)).toEqual(["access", "access_expiration"]);
    expect(rotated.headers.getSetCookie().map((c) => c.split("=")[0])).toEqual(["my-app-auth", "my-refresh-token"]);
    const none = await refresh(new Request(`${ORIGIN}/token/refresh/`, { method: "POST" }));
    expect(await none.json()).toEqual({ detail: "No valid refresh token found.", code: "token_not_valid" });
    const second = cookieHeader(rotated, first);
    const logout = await env.auth.logout(new Request(`${ORIGIN}/logout/`, { method: "POST", headers: { cookie: second.replace(/my-app-auth=[^;]+; /, "") } }));
    expect([logout.status, await logout.clone().json()]).toEqual([200, { detail: "Successfully logged out." }]);
    expect(logout.headers.getSetCookie()).toEqual([
      'my-app-auth=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
      'my-refresh-token=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
    ]);
    const again = await refresh(new Request(`${ORIGIN}/token/refresh/`, { method: "POST", headers: { cookie: first } }));
    expect(again.status).toBe(401);
    const replay = await refresh(new Request(`${ORIGIN}/token/refresh/`, { method: "POST", headers: { cookie: second } }));
    expect(replay.status).toBe(401);
    const noCookie = await env.auth.logout(new Request(`${ORIGIN}/logout/`, { method: "POST" }));
    expect([noCookie.status, await noCookie.json()]).toEqual([401, { detail: "Refresh token was not included in cookie data." }]);
  });
});

describe("password reset and change", () => {
  it("never reveals whether an address exists; the mailed link resets once; sessions and revocable JWTs end", async () => {
    const { auth, sent, store } = await setup("jwt");
    const login = await auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    const { access } = (await login.json()) as { access: string };
    const unknown = await auth.passwordReset(post("/password/reset/", { email: "nobody@example.com" }));
    const known = await auth.passwordReset(post("/password/reset/", { email: "ALICE@example.com" }));
    expect([unknown.status, await unknown.text()]).toEqual([known.status, await known.text()]);
    expect(await auth.passwordReset(post("/password/reset/", { email: "not-an-address" })).then((r) => r.json())).toEqual({ email: ["Enter a valid email address."] });
    await Promise.resolve();
    expect(sent.map((m) => [m.email, m.uid])).toEqual([["alice@example.com", "NDI"]]);
    const { uid, token } = sent[0] as PasswordResetMessage;
    const confirm = (body: Record<string, string>) => auth.passwordResetConfirm(post("/password/reset/confirm/", body));
    expect(await confirm({ uid: "NDM", token, new_password1: "x", new_password2: "x" }).then((r) => r.json())).toEqual({ uid: ["Invalid value"] });
    expect(await confirm({ uid, token: `${token}0`, new_password1: "x", new_password2: "x" }).then((r) => r.json())).toEqual({ token: ["Invalid value"] });
    expect(await confirm({ uid, token, new_password1: "a-new-pass-1", new_password2: "a-new-pass-2" }).then((r) => r.json())).toEqual({ new_password2: ["The two password fields didn’t match."] });
    expect(await confirm({ uid, token, new_password1: "alice", new_password2: "alice" }).then((r) => r.json())).toEqual({
      new_password2: ["The password is too similar to the username.", "This password is too short. It must contain at least 8 characters.", "This password is too common."],
    });
    const done = await confirm({ uid, token, new_password1: "a-brand-new-Pass", new_password2: "a-brand-new-Pass" });
    expect([done.status, await done.json()]).toEqual([200, { detail: "Password has been reset with the new password." }]);
    expect(await confirm({ uid, token, new_password1: "another-new-Pass", new_password2: "another-new-Pass" }).then((r) => r.json())).toEqual({ token: ["Invalid value"] });
    const stale = await auth.user(new Request(`${ORIGIN}/user/`, { headers: { authorization: `Bearer ${access}` } }));
    expect([stale.status, ((await stale.json()) as { code: string }).code]).toEqual([401, "password_changed"]);
    expect((await store.getAccount("42"))?.passwordHash).not.toContain("$1000$");
  });

  it("session mode: login is a 204 with Django's cookies; a password change keeps this session under a new key and ends the others", async () => {
    const { auth, store } = await setup("session");
    const one = await auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    expect(one.status).toBe(204);
    expect(one.headers.getSetCookie().map((c) => c.split("=")[0])).toEqual(["csrftoken", "sessionid"]);
    const other = cookieHeader(await auth.login(post("/login/", { username: "alice", password: PASSWORD })));
    const mine = cookieHeader(one);
    const secret = /csrftoken=(\w+)/.exec(mine)?.[1] as string;
    const refused = await auth.passwordChange(post("/password/change/", { new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }, { cookie: mine }));
    expect(refused.status).toBe(403);
    const changed = await auth.passwordChange(post("/password/change/", { new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }, { cookie: mine, "x-csrftoken": secret }));
    expect([changed.status, await changed.json()]).toEqual([200, { detail: "New password has been saved." }]);
    const renewed = cookieHeader(changed, mine);
    expect((await auth.user(new Request(`${ORIGIN}/user/`, { headers: { cookie: renewed } }))).status).toBe(200);
    expect((await auth.user(new Request(`${ORIGIN}/user/`, { headers: { cookie: other } }))).status).toBe(403);
    expect((await store.getAccount("42"))?.lastLogin).not.toBeNull();
  });

  it("token mode: login answers a key; logout needs the token and deletes it", async () => {
    const { auth } = await setup("token");
    const login = await auth.login(post("/login/", { email: "Alice@Example.com", password: PASSWORD }));
    const { key } = (await login.json()) as { key: string };
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    const anonymous = await auth.logout(post("/logout/", {}));
    expect([anonymous.status, await anonymous.json()]).toEqual([400, { detail: "You should be logged in to logout. Check whether the token is passed." }]);
    expect((await auth.logout(post("/logout/", {}, { authorization: `Token ${key}` }))).status).toBe(200);
    expect((await auth.user(new Request(`${ORIGIN}/user/`, { headers: { authorization: `Token ${key}` } }))).status).toBe(401);
    const bad = await auth.login(post("/login/", { username: "alice", password: "wrong" }));
    expect([bad.status, await bad.json()]).toEqual([400, { non_field_errors: ["Unable to log in with provided credentials."] }]);
    expect(await auth.login(post("/login/", {})).then((r) => r.json())).toEqual({ password: ["This field is required."] });
    expect((await auth.login(new Request(`${ORIGIN}/login/`))).status).toBe(405);
  });

  it("logins and password changes hash as the stated Django does (PASSWORD_HASHERS), never rewriting a current row", async () => {
    const hashers = passwordHashers({ compat: compat({ django: "3.2" }) });
    const { auth, store, user } = await setup("token", { passwordHashers: hashers });
    const current = await hashers.hash(PASSWORD);
    await store.setPasswordHash(user.id, current);
    const login = await auth.login(post("/login/", { username: "alice", password: PASSWORD }));
    const { key } = (await login.json()) as { key: string };
    expect((await store.getAccount(user.id))?.passwordHash).toBe(current); // Django 3.2's 260,000: no rehash
    const change = await auth.passwordChange(post("/password/change/", { new_password1: "An0ther-long-passphrase", new_password2: "An0ther-long-passphrase" }, { authorization: `Token ${key}` }));
    expect(change.status).toBe(200);
    expect((await store.getAccount(user.id))?.passwordHash).toMatch(/^pbkdf2_sha256\$260000\$/);
    expect(() => restAuthHandlers({ mode: "token", store, resetTokens: passwordResetTokens({ secretKey: SECRET }), sendPasswordReset: () => undefined, passwordHashers: hashers, compat: compat({ django: "4.2" }) })).toThrow(/passwordHashers/);
  });
});

export type { Store };
