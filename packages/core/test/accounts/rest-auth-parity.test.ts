/**
 * dj-rest-auth 7.1.1 (Django 4.2, DRF 3.17, simplejwt 5.5.1: the modern stack) against Portcullis's
 * `restAuthHandlers`: the same requests, in each of the three modes, to both halves, each with its own cookie jar;
 * status, body, `Set-Cookie` attributes and challenge must match once tokens, keys and dates are masked. Then a
 * reset link Django mailed resets the password on Portcullis, and a link Portcullis made checks on Django.
 */
import { fileURLToPath } from "node:url";
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { compat, hashPassword } from "../../src/index.js";
import { jwtSettings } from "../../src/jwt/index.js";
import { encodeUid, passwordResetTokens, restAuthHandlers, type PasswordResetMessage, type RestAuthMode } from "../../src/accounts/index.js";
import { djangoStacks, runPython } from "../_stacks.js";

const SCRIPT = fileURLToPath(new URL("./django_rest_auth.py", import.meta.url));
const SECRET = "django-insecure-rest-auth-parity-0123456789abcdefghijklmnopqrstuvwxyz";
const CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF";
const USER = { id: "42", username: "alice", password: "Tr0ub4dor&3-horse", email: "alice@example.com", firstName: "Alice", lastName: "Liddell" };
const releases = compat({ django: "4.2", drf: "3.17", simplejwt: "5.5.1" });

interface Step {
  readonly method: string;
  readonly path: string;
  readonly body?: Record<string, unknown>;
  readonly cookies?: boolean;
  readonly csrf?: boolean;
  readonly auth?: "token";
}
interface Answer {
  status: number;
  body: unknown;
  cookies: string[];
  challenge: string | null;
}
interface DjangoRun {
  answers: Answer[];
  mail: string[][];
  user: { id: string; password: string; email: string; lastLogin: number | null };
}

const login = (password = USER.password): Step => ({ method: "POST", path: "/auth/login/", body: { username: "alice", password } });
const common: Step[] = [
  login("wrong"),
  { method: "POST", path: "/auth/login/", body: {} },
  { method: "POST", path: "/auth/login/", body: { email: "not-an-address", password: "x" } },
  { method: "GET", path: "/auth/login/" },
  { method: "GET", path: "/auth/user/" },
  { method: "POST", path: "/auth/password/reset/", body: { email: "nobody@example.com" } },
  { method: "POST", path: "/auth/password/reset/", body: { email: "bad" } },
  { method: "POST", path: "/auth/password/reset/", body: { email: "ALICE@example.com" } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid", token: "bad-token", new_password1: "x", new_password2: "x" } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "MTAw", token: "$token", new_password1: "x", new_password2: "x" } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid", token: "$token", new_password1: "a-new-pass-1", new_password2: "a-new-pass-2" } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid", token: "$token", new_password1: "alice123", new_password2: "alice123" } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid", token: "$token", new_password1: USER.password, new_password2: USER.password } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid", token: "$token", new_password1: USER.password, new_password2: USER.password } },
  { method: "POST", path: "/auth/password/reset/confirm/", body: { uid: "$uid" } },
];

const scenarios: Record<RestAuthMode, Step[]> = {
  token: [
    ...common,
    login(),
    { method: "GET", path: "/auth/user/", auth: "token" },
    { method: "PUT", path: "/auth/user/", auth: "token", body: { first_name: "Al" } },
    { method: "PATCH", path: "/auth/user/", auth: "token", body: { first_name: "Al", username: "bad name!" } },
    { method: "PATCH", path: "/auth/user/", auth: "token", body: { first_name: "Al", email: "ignored@example.com" } },
    { method: "DELETE", path: "/auth/user/", auth: "token" },
    { method: "POST", path: "/auth/password/change/", auth: "token", body: { new_password1: "12345678901", new_password2: "12345678901" } },
    { method: "POST", path: "/auth/logout/" },
    { method: "GET", path: "/auth/logout/", auth: "token" },
    { method: "POST", path: "/auth/logout/", auth: "token" },
    { method: "GET", path: "/auth/user/", auth: "token" },
  ],
  session: [
    ...common,
    login(),
    { method: "GET", path: "/auth/user/" },
    { method: "PATCH", path: "/auth/user/", body: { last_name: "L." } },
    { method: "PATCH", path: "/auth/user/", body: { last_name: "L." }, csrf: true },
    { method: "POST", path: "/auth/password/change/", body: { new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }, csrf: true },
    { method: "GET", path: "/auth/user/" },
    { method: "POST", path: "/auth/logout/" },
    { method: "POST", path: "/auth/logout/", csrf: true },
    { method: "GET", path: "/auth/user/" },
  ],
  jwt: [
    ...common,
    login(),
    { method: "GET", path: "/auth/user/" },
    { method: "PATCH", path: "/auth/user/", body: { first_name: "Al" } },
    { method: "PATCH", path: "/auth/user/", body: { first_name: "Al" }, csrf: true },
    { method: "POST", path: "/auth/password/change/", body: { new_password1: "password", new_password2: "password" }, csrf: true },
    { method: "POST", path: "/auth/token/refresh/" },
    { method: "POST", path: "/auth/token/refresh/", cookies: false },
    { method: "POST", path: "/auth/token/refresh/", body: { refresh: "" } },
    { method: "POST", path: "/auth/token/refresh/", body: { refresh: "garbage" } },
    { method: "GET", path: "/auth/user/" },
    { method: "POST", path: "/auth/logout/" },
    { method: "POST", path: "/auth/logout/" },
    { method: "GET", path: "/auth/user/" },
  ],
};

/** Masks what differs between runs: tokens, keys, dates, cookie values. */
function mask(answer: Answer): Answer {
  const body = JSON.parse(
    JSON.stringify(answer.body)
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, "<jwt>")
      .replace(/"[0-9a-f]{40}"/g, '"<key>"')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, "<date>"),
  ) as unknown;
  const cookies = answer.cookies.map((c) => c.replace(/^([^=]+)=(?!"")[^;]*/, "$1=<value>").replace(/expires=(?!Thu, 01 Jan 1970)[^;]+/, "expires=<date>"));
  return { ...answer, body, cookies };
}

async function portcullis(mode: RestAuthMode, steps: readonly Step[]): Promise<Answer[]> {
  const store = memoryStore();
  const passwordHash = await hashPassword(USER.password, { iterations: 1000 });
  await store.createUser({ id: USER.id, username: USER.username, passwordHash });
  await store.updateAccount(USER.id, { email: USER.email, firstName: USER.firstName, lastName: USER.lastName });
  const mails: PasswordResetMessage[] = [];
  const jwt = jwtSettings({ signingKey: SECRET, rotateRefreshTokens: true, blacklistAfterRotation: true });
  const auth = restAuthHandlers({
    mode, store, jwt, blacklist: store, bruteForce: false, returnExpiration: true, compat: releases,
    cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token", secure: false },
    resetTokens: passwordResetTokens({ secretKey: SECRET, compat: releases }),
    sendPasswordReset: (message) => void mails.push(message),
  });
  const routes: Record<string, typeof auth.login | null> = {
    "/auth/login/": auth.login, "/auth/logout/": auth.logout, "/auth/user/": auth.user, "/auth/password/change/": auth.passwordChange,
    "/auth/password/reset/": auth.passwordReset, "/auth/password/reset/confirm/": auth.passwordResetConfirm, "/auth/token/refresh/": auth.tokenRefresh,
  };
  const jar = new Map<string, string>();
  let key = "missing";
  const answers: Answer[] = [];
  for (const step of steps) {
    let body = JSON.stringify(step.body ?? {});
    const last = mails.at(-1);
    if (last) body = body.replace("$uid", last.uid).replace("$token", last.token);
    const headers = new Headers({ "content-type": "application/json" });
    if (step.csrf) {
      if (!jar.has("csrftoken")) jar.set("csrftoken", CSRF_SECRET);
      headers.set("x-csrftoken", jar.get("csrftoken") as string);
    }
    if (step.cookies !== false && jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    if (step.auth === "token") headers.set("authorization", `Token ${key}`);
    const request = new Request(`http://testserver${step.path}`, { method: step.method, headers, body: step.method === "GET" ? null : body });
    const response = await (routes[step.path] as NonNullable<typeof auth.login>)(request);
    await Promise.resolve();
    const text = await response.text();
    const parsed = text === "" ? null : (JSON.parse(text) as unknown);
    if (parsed !== null && typeof parsed === "object" && "key" in parsed) key = (parsed as { key: string }).key;
    const cookies = response.headers.getSetCookie();
    if (step.cookies !== false) {
      for (const line of cookies) {
        const [, name, value] = /^([^=]+)=([^;]*)/.exec(line) as RegExpExecArray;
        if (value === '""') jar.delete(name as string);
        else jar.set(name as string, value as string);
      }
    }
    answers.push({ status: response.status, body: parsed, cookies, challenge: response.headers.get("www-authenticate") });
  }
  return answers;
}

// dj-rest-auth is only on the modern stack (Debian has no package): probe the stacks without it, keep the modern
// one, and let a missing dj-rest-auth fail the script loudly rather than skip.
const modern = djangoStacks(["rest_framework_simplejwt"], "the dj-rest-auth comparison").filter((s) => s.name === "modern");
if (modern.length === 0 && process.env.CI === "true") throw new Error("CI=true: the dj-rest-auth comparison needs the modern Django stack");

for (const stack of modern) {
  describe(`dj-rest-auth ${stack.versions.django} / DRF ${stack.versions.drf} / simplejwt ${stack.versions.simplejwt} (${stack.name} stack)`, () => {
    for (const mode of ["token", "session", "jwt"] as const) {
      it(`the ${mode} mode answers every request as dj-rest-auth does`, async () => {
        const steps = scenarios[mode];
        const django = runPython<DjangoRun>(stack, SCRIPT, { mode, secret: SECRET, csrfSecret: CSRF_SECRET, user: USER, steps }, { timeoutMs: 180_000 });
        const ours = await portcullis(mode, steps);
        const label = (step: Step) => `${step.method} ${step.path} ${JSON.stringify(step.body ?? {})}`;
        expect(ours.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) }))).toEqual(
          django.answers.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) })),
        );
      }, 240_000);
    }

    it("a reset link Django mailed resets the password on Portcullis, and a link Portcullis made checks on Django", async () => {
      const steps: Step[] = [{ method: "POST", path: "/auth/password/reset/", body: { email: USER.email } }];
      const django = runPython<DjangoRun>(stack, SCRIPT, { mode: "token", secret: SECRET, user: USER, steps }, { timeoutMs: 180_000 });
      const [uid, token] = django.mail[0] as [string, string];
      expect(uid).toBe(encodeUid(USER.id));
      const store = memoryStore();
      await store.createUser({ id: django.user.id, username: USER.username, passwordHash: django.user.password });
      await store.updateAccount(USER.id, { email: django.user.email });
      if (django.user.lastLogin !== null) await store.setLastLogin(USER.id, django.user.lastLogin);
      const tokens = passwordResetTokens({ secretKey: SECRET, compat: releases });
      const auth = restAuthHandlers({ mode: "token", store, resetTokens: tokens, sendPasswordReset: () => undefined, compat: releases });
      const confirm = (t: string) => auth.passwordResetConfirm(new Request("http://testserver/auth/password/reset/confirm/", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ uid, token: t, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }),
      }));
      expect((await confirm(token)).status).toBe(200);
      expect((await confirm(token)).status).toBe(400);
      // The reverse: Portcullis makes the link for the same user row; Django's own confirm view accepts it.
      const ourToken = tokens.make({ id: USER.id, passwordHash: django.user.password, lastLogin: django.user.lastLogin, email: django.user.email });
      const reverse = runPython<DjangoRun>(stack, SCRIPT, {
        mode: "token", secret: SECRET, user: { ...USER, passwordHash: django.user.password },
        steps: [{ method: "POST", path: "/auth/password/reset/confirm/", body: { uid, token: ourToken, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" } }],
      }, { timeoutMs: 180_000 });
      expect(reverse.answers[0]).toMatchObject({ status: 200, body: { detail: "Password has been reset with the new password." } });
    }, 240_000);
  });
}
