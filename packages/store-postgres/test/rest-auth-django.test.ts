/**
 * dj-rest-auth 7.1.1 (modern stack: Django 4.2, DRF 3.17, simplejwt 5.5.1) and Portcullis's `restAuthHandlers` on
 * ONE real PostgreSQL database, Portcullis in Django mode (`postgresStore(sql, { django: true })` on `auth_user`,
 * `authtoken_token`, `django_session` and simplejwt's blacklist tables). In each mode the same requests go to both
 * halves, starting from the same `auth_user` row, and must match in status, body, `Set-Cookie` attributes and
 * challenge. Then the halves share state: a login on one is seen by the other, `last_login` written by either
 * reads the same on both, and a reset link mailed by either resets the password on the other.
 */
import { fileURLToPath } from "node:url";
import { passwordHashers } from "@portcullis/core";
import { encodeUid, passwordResetTokens, restAuthHandlers, type PasswordResetMessage, type RestAuthMode } from "@portcullis/core/accounts";
import { jwtSettings } from "@portcullis/core/jwt";
import { djangoSessions } from "@portcullis/core/sessions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { djangoStacks, runPython } from "../../core/test/_stacks.js";
import { CSRF_SECRET, SECRET, USER, mask, playSteps, releases, scenarios, type DjangoRun, type Step } from "../../core/test/accounts/_rest-auth-steps.js";
import { migrate, postgresStore, toSqlClient, type PostgresDjangoStore } from "../src/index.js";
import { CAN_RUN_DJANGO, announceDjango } from "./_django.js";
import { createDatabase, postgresJsClient, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("dj-rest-auth on a shared PostgreSQL database (Django mode)");
const SCRIPT = fileURLToPath(new URL("../../core/test/accounts/django_rest_auth.py", import.meta.url));
const modern = CAN_RUN_DJANGO ? djangoStacks(["rest_framework_simplejwt", "psycopg2"], "dj-rest-auth on PostgreSQL").filter((s) => s.name === "modern") : [];
if (modern.length === 0 && process.env.CI === "true") throw new Error("CI=true: dj-rest-auth on PostgreSQL needs the modern Django stack and a PostgreSQL server");

let database: TestDatabase | undefined;
let client: TestClient | undefined;
let store: PostgresDjangoStore;

beforeAll(async () => {
  if (modern.length === 0) return;
  database = await createDatabase("portcullis_ra");
  client = postgresJsClient(database.url);
  store = postgresStore(client.client, { django: true });
  // Django's tables first (the script migrates: auth, sessions, authtoken, token_blacklist), then Portcullis's.
  django("token", [], { fresh: true });
  await migrate(client.client, { django: true });
}, 240_000);

afterAll(async () => {
  await client?.close();
  await database?.drop();
});

function django(mode: RestAuthMode, steps: readonly Step[], extra: { fresh?: boolean; cookies?: Record<string, string>; useTz?: boolean; timeZone?: string } = {}): DjangoRun {
  const input = { mode, secret: SECRET, csrfSecret: CSRF_SECRET, user: USER, steps, databaseUrl: database!.url, ...extra };
  return runPython<DjangoRun>(modern[0]!, SCRIPT, input, { timeoutMs: 180_000 });
}

/** The Portcullis half of one mode on the shared database, and the reset e-mails it sent. */
function portcullis(mode: RestAuthMode, resetTokens = passwordResetTokens({ secretKey: SECRET, compat: releases })) {
  const mails: PasswordResetMessage[] = [];
  const jwt = jwtSettings({ signingKey: SECRET, rotateRefreshTokens: true, blacklistAfterRotation: true, compat: releases });
  const auth = restAuthHandlers({
    // dj-rest-auth has no rate limits (tested on their own): counts would carry over between tests in one database.
    mode, store, jwt, blacklist: store, bruteForce: false, rateLimits: false, returnExpiration: true, compat: releases,
    passwordHashers: passwordHashers({ compat: releases, hashers: ["pbkdf2_sha256"] }),
    djangoSessions: mode === "session" ? djangoSessions({ secretKey: SECRET, backend: store, users: store, compat: releases }) : undefined,
    cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token", secure: false },
    resetTokens,
    sendPasswordReset: (message) => void mails.push(message),
  });
  return { auth, mails };
}

/** Puts the user row back as Django created it (the hash Django made), with no token, session or login. */
async function resetUser(passwordHash: string): Promise<void> {
  const db = toSqlClient(client!.client);
  await db.query(
    "UPDATE auth_user SET password = $2, username = $3, email = $4, first_name = $5, last_name = $6, last_login = NULL WHERE id = $1::bigint",
    [USER.id, passwordHash, USER.username, USER.email, USER.firstName, USER.lastName],
  );
  await db.script("DELETE FROM authtoken_token; DELETE FROM portcullis_django_tokens; DELETE FROM django_session");
}

const label = (step: Step) => `${step.method} ${step.path} ${JSON.stringify(step.body ?? {})}`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://testserver${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe.skipIf(modern.length === 0)("dj-rest-auth and Portcullis on one PostgreSQL database (Django mode)", () => {
  for (const mode of ["token", "session", "jwt"] as const) {
    it(`the ${mode} mode answers every request as dj-rest-auth does, from the same auth_user row`, async () => {
      const steps = scenarios[mode];
      const theirs = django(mode, steps);
      await resetUser(theirs.initialPassword);
      const { auth, mails } = portcullis(mode);
      const ours = await playSteps(auth, steps, mails);
      expect(ours.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) }))).toEqual(
        theirs.answers.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) })),
      );
    }, 240_000);
  }

  it("token mode: a DRF token Django issued authenticates on Portcullis; neither half writes last_login (no login())", async () => {
    const theirs = django("token", [{ method: "POST", path: "/auth/login/", body: { username: USER.username, password: USER.password } }]);
    const key = (theirs.answers[0]!.body as { key: string }).key;
    const { auth } = portcullis("token");
    const me = await auth.user(new Request("http://testserver/auth/user/", { headers: { authorization: `Token ${key}` } }));
    expect([me.status, await me.json()]).toEqual([200, { pk: 42, username: "alice", email: USER.email, first_name: "Alice", last_name: "Liddell" }]);
    expect((await auth.login(post("/auth/login/", { username: USER.username, password: USER.password }))).status).toBe(200);
    expect([theirs.user.lastLogin, (await store.getAccount(USER.id))?.lastLogin]).toEqual([null, null]);
  }, 240_000);

  it("session mode: last_login written by either half (Django's login()) reads as the same instant on both", async () => {
    const theirs = django("session", [{ method: "POST", path: "/auth/login/", body: { username: USER.username, password: USER.password } }]);
    expect(theirs.user.lastLogin).toBeTypeOf("number");
    expect((await store.getAccount(USER.id))?.lastLogin).toBe(theirs.user.lastLogin);
    const at = Date.UTC(2026, 5, 1, 12, 30, 45, 123);
    const { auth } = portcullis("session");
    expect((await auth.login(post("/auth/login/", { username: USER.username, password: USER.password }), { now: () => at })).status).toBe(204);
    expect(django("session", [], { fresh: false }).user.lastLogin).toBe(at);
  }, 240_000);

  it("session mode: a session started on either half is one on the other (one django_session row), and logout on either ends it", async () => {
    const theirs = django("session", [{ method: "POST", path: "/auth/login/", body: { username: USER.username, password: USER.password } }]);
    const sessionid = theirs.cookies.sessionid!;
    const { auth } = portcullis("session");
    const me = (cookie: string) => auth.user(new Request("http://testserver/auth/user/", { headers: { cookie: `sessionid=${cookie}` } }));
    expect((await me(sessionid)).status).toBe(200);
    const login = await auth.login(post("/auth/login/", { username: USER.username, password: USER.password }));
    const ours = /sessionid=([a-z0-9]+)/.exec(login.headers.getSetCookie().join("\n"))![1]!;
    const seen = django("session", [{ method: "GET", path: "/auth/user/" }, { method: "POST", path: "/auth/logout/", csrf: true }], { fresh: false, cookies: { sessionid: ours } });
    expect(seen.answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect((await me(ours)).status).toBe(403);
    // And the reverse: Portcullis logs out the session Django started; Django no longer knows it.
    const csrf = { cookie: `sessionid=${sessionid}; csrftoken=${CSRF_SECRET}`, "x-csrftoken": CSRF_SECRET };
    expect((await auth.logout(post("/auth/logout/", {}, csrf))).status).toBe(200);
    expect(django("session", [{ method: "GET", path: "/auth/user/" }], { fresh: false, cookies: { sessionid } }).answers[0]!.status).toBe(403);
  }, 240_000);

  it("USE_TZ = False (TIME_ZONE America/Chicago): last_login reads as the same instant on both halves, and reset links still cross", async () => {
    const zone = { useTz: false, timeZone: "America/Chicago" } as const;
    const theirs = django("session", [
      { method: "POST", path: "/auth/login/", body: { username: USER.username, password: USER.password } },
      // Logged in by session, so DRF's SessionAuthentication wants the CSRF header.
      { method: "POST", path: "/auth/password/reset/", body: { email: USER.email }, csrf: true },
    ], zone);
    expect(theirs.answers.map((answer) => answer.status)).toEqual([204, 200]);
    expect(theirs.user.lastLogin).toBeTypeOf("number");
    expect((await store.getAccount(USER.id))?.lastLogin).toBe(theirs.user.lastLogin);
    const { auth } = portcullis("session", passwordResetTokens({ secretKey: SECRET, compat: releases, ...zone }));
    const [uid, token] = theirs.mail[0] as [string, string];
    const confirm = await auth.passwordResetConfirm(post("/auth/password/reset/confirm/", { uid, token, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }));
    expect(confirm.status).toBe(200);
    const at = Date.UTC(2026, 0, 15, 3, 4, 5, 678);
    expect((await auth.login(post("/auth/login/", { username: USER.username, password: "n3w-Passw0rd!" }), { now: () => at })).status).toBe(204);
    expect(django("session", [], { fresh: false, ...zone }).user.lastLogin).toBe(at);
  }, 240_000);

  it("JWT mode: cookies minted by either half authenticate on the other; a refresh token blacklisted by either is refused by both", async () => {
    const theirs = django("jwt", [{ method: "POST", path: "/auth/login/", body: { username: USER.username, password: USER.password } }]);
    const { auth } = portcullis("jwt");
    const jar = (values: Record<string, string>) => ({ cookie: Object.entries(values).map(([k, v]) => `${k}=${v}`).join("; ") });
    const me = await auth.user(new Request("http://testserver/auth/user/", { headers: jar({ "my-app-auth": theirs.cookies["my-app-auth"]! }) }));
    expect(me.status).toBe(200);
    // Portcullis logs out with Django's refresh cookie: simplejwt's own blacklist row; Django then refuses it.
    const refresh = theirs.cookies["my-refresh-token"]!;
    expect((await auth.logout(post("/auth/logout/", {}, jar({ "my-refresh-token": refresh })))).status).toBe(200);
    const refused = django("jwt", [{ method: "POST", path: "/auth/token/refresh/" }], { fresh: false, cookies: { "my-refresh-token": refresh } });
    expect(refused.answers[0]).toMatchObject({ status: 401, body: { detail: "Token is blacklisted", code: "token_not_valid" } });
    // The reverse: Portcullis logs in; Django accepts its access cookie, rotates its refresh cookie (blacklisting
    // the old one), and Portcullis then refuses the old one.
    const login = await auth.login(post("/auth/login/", { username: USER.username, password: USER.password }));
    const cookies = Object.fromEntries(login.headers.getSetCookie().map((line) => /^([^=]+)=([^;]*)/.exec(line)!.slice(1, 3) as [string, string]));
    const used = django("jwt", [{ method: "GET", path: "/auth/user/" }, { method: "POST", path: "/auth/token/refresh/" }], { fresh: false, cookies });
    expect(used.answers.map((answer) => answer.status)).toEqual([200, 200]);
    const again = await auth.tokenRefresh!(post("/auth/token/refresh/", {}, jar({ "my-refresh-token": cookies["my-refresh-token"]! })));
    expect([again.status, await again.json()]).toEqual([401, { detail: "Token is blacklisted", code: "token_not_valid" }]);
  }, 240_000);

  it("a reset link Django mailed resets the password on Portcullis, and a link Portcullis mailed resets it on Django", async () => {
    const theirs = django("token", [{ method: "POST", path: "/auth/password/reset/", body: { email: USER.email } }]);
    const [uid, token] = theirs.mail[0] as [string, string];
    expect(uid).toBe(encodeUid(USER.id));
    const { auth, mails } = portcullis("token");
    const confirm = (t: string, password: string) => auth.passwordResetConfirm(post("/auth/password/reset/confirm/", { uid, token: t, new_password1: password, new_password2: password }));
    expect((await confirm(token, "n3w-Passw0rd!")).status).toBe(200);
    // The token is bound to the old hash: used once, it is spent on both halves.
    expect((await confirm(token, "n3w-Passw0rd!2")).status).toBe(400);
    const spent = django("token", [{ method: "POST", path: "/auth/password/reset/confirm/", body: { uid, token, new_password1: "n3w-Passw0rd!3", new_password2: "n3w-Passw0rd!3" } }], { fresh: false });
    expect(spent.answers[0]).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
    // Django's authenticate() takes the password Portcullis wrote.
    const logged = django("token", [{ method: "POST", path: "/auth/login/", body: { username: USER.username, password: "n3w-Passw0rd!" } }], { fresh: false });
    expect(logged.answers[0]!.status).toBe(200);
    // The reverse: Portcullis mails a link (after Django's login changed last_login); Django's confirm view takes it.
    expect((await auth.passwordReset(post("/auth/password/reset/", { email: USER.email.toUpperCase() }))).status).toBe(200);
    await Promise.resolve();
    const mail = mails.at(-1)!;
    const reverse = django("token", [{ method: "POST", path: "/auth/password/reset/confirm/", body: { uid: mail.uid, token: mail.token, new_password1: "an0ther-Passw0rd", new_password2: "an0ther-Passw0rd" } }], { fresh: false });
    expect(reverse.answers[0]).toMatchObject({ status: 200, body: { detail: "Password has been reset with the new password." } });
    expect((await auth.login(post("/auth/login/", { username: USER.username, password: "an0ther-Passw0rd" }))).status).toBe(200);
  }, 240_000);

  it("reset confirm on auth_user: a uid that is not base64, not a pk, out of range or holds a NUL byte is the uid error, never a 503", async () => {
    const { auth } = portcullis("token");
    for (const uid of ["%%%", encodeUid("abc"), encodeUid("42\0"), encodeUid("99999999999999999999999"), encodeUid("999999999999999999"), encodeUid("-1"), encodeUid("042"), "NDI\0"]) {
      const response = await auth.passwordResetConfirm(post("/auth/password/reset/confirm/", { uid, token: "x-y", new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }));
      expect([uid, response.status, Object.keys((await response.json()) as object)]).toEqual([uid, 400, ["uid"]]);
    }
    // E-mail lookups with LIKE wildcards match nothing (Django's email__iexact is an equality).
    const { auth: reset, mails } = portcullis("token");
    for (const email of ["%@example.com", "alic_@example.com", "ALICE@EXAMPLE.COM\0"]) {
      expect((await reset.passwordReset(post("/auth/password/reset/", { email }))).status).toBeLessThan(500);
    }
    await Promise.resolve();
    expect(mails).toEqual([]);
  }, 60_000);
});
