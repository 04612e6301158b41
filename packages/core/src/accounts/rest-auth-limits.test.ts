/**
 * The rate limits of dj-rest-auth's endpoints, attacked with real Requests on a real (memory) store: a reset flood
 * for one address (same answers, at most the limit of e-mails, nothing learned about whether it exists), a reset
 * confirm brute force, login and refresh floods from one address, and the reset link's bounds (a uid that is not
 * base64 or not a pk, NUL bytes, a token reused after the password changed).
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { hashPassword } from "../passwords/index.js";
import { jwtSettings } from "../jwt/settings.js";
import type { Store } from "../store/types.js";
import { encodeUid, passwordResetTokens } from "./reset-token.js";
import { restAuthHandlers, type PasswordResetMessage, type RestAuthOptions } from "./rest-auth.js";

const SECRET = "rest-auth-limits-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
const PASSWORD = "Tr0ub4dor&3-horse";

async function setup(extra: Partial<RestAuthOptions> = {}) {
  const store = memoryStore();
  await store.createUser({ id: "42", username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  await store.updateAccount("42", { email: "alice@example.com" });
  const sent: PasswordResetMessage[] = [];
  const auth = restAuthHandlers({
    mode: "jwt", store, jwt: jwtSettings({ signingKey: SECRET }), blacklist: store, bruteForce: false,
    cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token" },
    resetTokens: passwordResetTokens({ secretKey: SECRET }),
    sendPasswordReset: (message) => void sent.push(message),
    ...extra,
  });
  return { store, auth, sent };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://api.test${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const from = (clientIp: string) => ({ clientIp });

describe("rate limits of the dj-rest-auth endpoints", () => {
  it("a reset flood for one address: every answer the same 200, three e-mails an hour, and an unknown address answers alike", async () => {
    const { auth, sent } = await setup();
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      for (const email of ["ALICE@example.com", "nobody@example.com"]) {
        const response = await auth.passwordReset(post("/password/reset/", { email }), from(`198.51.100.${i}`));
        answers.push(`${response.status} ${await response.text()} ${response.headers.get("retry-after")}`);
      }
    }
    await Promise.resolve();
    expect(new Set(answers)).toEqual(new Set(['200 {"detail":"Password reset e-mail has been sent."} null']));
    expect(sent.map((m) => m.email)).toEqual(["alice@example.com", "alice@example.com", "alice@example.com"]);
  });

  it("resets from one IP: the 21st in an hour is a 429 with Retry-After, whatever the address", async () => {
    const { auth } = await setup();
    for (let i = 0; i < 20; i++) expect((await auth.passwordReset(post("/password/reset/", { email: `x${i}@example.com` }), from("203.0.113.9"))).status).toBe(200);
    const refused = await auth.passwordReset(post("/password/reset/", { email: "alice@example.com" }), from("203.0.113.9"));
    expect([refused.status, Number(refused.headers.get("retry-after")) > 3000]).toEqual([429, true]);
    expect((await auth.passwordReset(post("/password/reset/", { email: "alice@example.com" }), from("203.0.113.10"))).status).toBe(200);
  });

  it("a reset confirm brute force: after 20 guesses from one IP even the right token is refused there (429)", async () => {
    const { auth, sent } = await setup();
    await auth.passwordReset(post("/password/reset/", { email: "alice@example.com" }));
    await Promise.resolve();
    const { uid, token } = sent[0] as PasswordResetMessage;
    const confirm = (t: string, ip: string) =>
      auth.passwordResetConfirm(post("/password/reset/confirm/", { uid, token: t, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }), from(ip));
    for (let i = 0; i < 20; i++) expect((await confirm(`${token.split("-")[0]}-${String(i).padStart(20, "0")}`, "192.0.2.1")).status).toBe(400);
    const refused = await confirm(token, "192.0.2.1");
    expect([refused.status, refused.headers.has("retry-after")]).toEqual([429, true]);
    expect((await confirm(token, "192.0.2.2")).status).toBe(200);
  });

  it("login and refresh floods from one IP get 429s; the rates are options, and false turns them off", async () => {
    const { auth } = await setup({ rateLimits: { login: "3/min", refresh: "2/min" } });
    const login = () => auth.login(post("/login/", { username: "alice", password: PASSWORD }), from("192.0.2.7"));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refresh = () => auth.tokenRefresh!(post("/token/refresh/", { refresh: "x" }), from("192.0.2.7"));
    expect([(await refresh()).status, (await refresh()).status, (await refresh()).status]).toEqual([401, 401, 429]);
    const open = await setup({ rateLimits: false });
    for (let i = 0; i < 40; i++) expect((await open.auth.login(post("/login/", { username: "alice", password: "wrong" }), from("192.0.2.7"))).status).toBe(400);
  });

  it("needs somewhere to count unless turned off", async () => {
    const { store } = await setup();
    const { hit: _hit, ...noCounters } = store;
    const options = { mode: "token", bruteForce: false, store: noCounters as unknown as Store & typeof store, resetTokens: passwordResetTokens({ secretKey: SECRET }), sendPasswordReset: () => undefined } as const;
    expect(() => restAuthHandlers(options)).toThrow(/rateLimits: need a counter store/);
    expect(() => restAuthHandlers(options)).toThrow(ConfigError);
    expect(() => restAuthHandlers({ ...options, rateLimits: { counters: store } })).not.toThrow();
    expect(() => restAuthHandlers({ ...options, rateLimits: false })).not.toThrow();
  });
});

describe("the reset link's bounds", () => {
  it("a uid that is not base64, not a pk, or holds a NUL byte is the uid error; a token spent by a password change is refused", async () => {
    const { auth, sent, store } = await setup({ rateLimits: false });
    await auth.passwordReset(post("/password/reset/", { email: "alice@example.com" }));
    await Promise.resolve();
    const { uid, token } = sent[0] as PasswordResetMessage;
    const confirm = (body: Record<string, string>) =>
      auth.passwordResetConfirm(post("/password/reset/confirm/", { token, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!", ...body }));
    for (const bad of ["%%%", "NDI=x", "", encodeUid("abc"), encodeUid("42\0"), encodeUid("99999999999999999999999"), "NDI\0"]) {
      const response = await confirm({ uid: bad });
      expect([bad, response.status]).toEqual([bad, 400]);
      expect(Object.keys((await response.json()) as object)).toEqual(["uid"]);
    }
    // The password changes another way (a password change): the link Django's generator made is spent.
    await store.setPasswordHash("42", await hashPassword("an0ther-Passw0rd", { iterations: 1000 }));
    const spent = await confirm({ uid });
    expect([spent.status, await spent.json()]).toEqual([400, { token: ["Invalid value"] }]);
  });
});
