/**
 * The dj-rest-auth comparison's shared parts (test helper): the user, the steps of each mode, the masking of what
 * differs between runs, and the Portcullis driver that plays steps against `restAuthHandlers` with a cookie jar.
 */
import { compat } from "../../src/index.js";
import type { PasswordResetMessage, RestAuthHandlers, RestAuthMode } from "../../src/accounts/index.js";

export const SECRET = "django-insecure-rest-auth-parity-0123456789abcdefghijklmnopqrstuvwxyz";
export const CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF";
export const USER = { id: "42", username: "alice", password: "Tr0ub4dor&3-horse", email: "alice@example.com", firstName: "Alice", lastName: "Liddell" };
export const releases = compat({ django: "4.2", drf: "3.17", simplejwt: "5.5.1" });

export interface Step {
  readonly method: string;
  readonly path: string;
  readonly body?: Record<string, unknown>;
  readonly cookies?: boolean;
  readonly csrf?: boolean;
  readonly auth?: "token";
}
export interface Answer {
  status: number;
  body: unknown;
  cookies: string[];
  challenge: string | null;
}
export interface DjangoRun {
  answers: Answer[];
  initialPassword: string;
  cookies: Record<string, string>;
  mail: string[][];
  user: { id: string; password: string; email: string; lastLogin: number | null };
}

export const login = (password = USER.password): Step => ({ method: "POST", path: "/auth/login/", body: { username: "alice", password } });
export const common: Step[] = [
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

export const scenarios: Record<RestAuthMode, Step[]> = {
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
export function mask(answer: Answer): Answer {
  const body = JSON.parse(
    JSON.stringify(answer.body)
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, "<jwt>")
      .replace(/"[0-9a-f]{40}"/g, '"<key>"')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, "<date>"),
  ) as unknown;
  const cookies = answer.cookies.map((c) => c.replace(/^([^=]+)=(?!"")[^;]*/, "$1=<value>").replace(/expires=(?!Thu, 01 Jan 1970)[^;]+/, "expires=<date>"));
  return { ...answer, body, cookies };
}

/** Plays `steps` against `auth`: `jar` holds the cookies before (and after) the steps, `mails` the reset e-mails. */
export async function playSteps(auth: RestAuthHandlers, steps: readonly Step[], mails: readonly PasswordResetMessage[], jar = new Map<string, string>()): Promise<Answer[]> {
  const routes: Record<string, typeof auth.login | null> = {
    "/auth/login/": auth.login, "/auth/logout/": auth.logout, "/auth/user/": auth.user, "/auth/password/change/": auth.passwordChange,
    "/auth/password/reset/": auth.passwordReset, "/auth/password/reset/confirm/": auth.passwordResetConfirm, "/auth/token/refresh/": auth.tokenRefresh,
  };
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
