/**
 * Portcullis against the real djangorestframework-simplejwt 5.2 (Django 3.2, DRF 3.14, PyJWT 2.6): tokens simplejwt
 * minted are accepted and refused exactly as simplejwt's `JWTAuthentication` does (status, body, challenge), and
 * tokens Portcullis mints pass simplejwt's `AccessToken(raw)`, `JWTAuthentication` and its refresh/blacklist views.
 */
import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { guard, toResponse } from "@portcullis/core";
import type { AnyScheme } from "@portcullis/core";
import { jwtAuth, jwtSettings, mintSlidingToken, mintTokenPair } from "@portcullis/core/jwt";
import type { JwtSettings } from "@portcullis/core/jwt";
import { memoryStore } from "@portcullis/store-memory";
import type { DjangoStack } from "../_stacks.js";
import { stackCompat } from "../_compat.js";
import { runSimplejwt, simplejwtStacks } from "./_simplejwt.js";

const SECRET = "django-insecure-portcullis-interop-secret-key-0123456789";
const USERS = [
  { id: 42, username: "alice", password: "pw" },
  { id: 7, username: "bob", is_active: false },
];

interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

async function portcullisStore() {
  const store = memoryStore();
  await store.createUser({ id: "42", username: "alice", passwordHash: "!" });
  await store.createUser({ id: "7", username: "bob", passwordHash: "!", isActive: false });
  return store;
}

/** What a Portcullis route protected by `schemes` (default permission isAuthenticated) answers. */
async function portcullisAnswer(schemes: readonly AnyScheme[], authorization: string | null): Promise<HttpResult> {
  const headers = authorization === null ? undefined : { Authorization: authorization };
  const decision = await guard({ schemes })(new Request("http://api.test/auth", { headers }));
  if (decision.allowed) {
    const user = decision.user as { id: string; username: string };
    return { status: 200, headers: {}, body: { id: user.id, username: user.username } };
  }
  const response = toResponse(decision.error);
  const challenge = response.headers.get("www-authenticate");
  return { status: response.status, headers: challenge === null ? {} : { "www-authenticate": challenge }, body: await response.json() };
}

/** Tokens of every kind simplejwt mints, then simplejwt's own answer to each as an access token. */
const MINTS: readonly [string, Record<string, unknown>][] = [
  ["access, integer user_id (5.2)", { kind: "access", user: 42 }],
  ["access, string user_id (>= 5.5)", { kind: "access", user: 42, user_id_as_string: true }],
  ["access from a refresh token", { kind: "refresh_access", user: 42 }],
  ["refresh token presented as access", { kind: "refresh", user: 42 }],
  ["blacklisted refresh token", { kind: "refresh", user: 42, blacklist: true }],
  ["sliding token (not an accepted class)", { kind: "sliding", user: 42 }],
  ["expired access", { kind: "access", user: 42, exp_offset: -301 }],
  ["access without jti", { kind: "access", user: 42, drop: ["jti"] }],
  ["access without exp", { kind: "access", user: 42, drop: ["exp"] }],
  ["access without token_type", { kind: "access", user: 42, drop: ["token_type"] }],
  ["access without user_id", { kind: "access", user: 42, drop: ["user_id"] }],
  ["access of an unknown user", { kind: "access", user: 42, set: { user_id: 999 } }],
  ["access of an inactive user", { kind: "access", user: 7 }],
  ["access with a future nbf", { kind: "access", user: 42, set: { nbf: 4_000_000_000 } }],
  ["access with a non-numeric iat", { kind: "access", user: 42, set: { iat: "yesterday" } }],
  ["access issued in the future (iat)", { kind: "access", user: 42, set: { iat: 4_000_000_000 } }],
];
const HEADERS: readonly string[] = ["Bearer", "Bearer a b", "bearer {{0}}", "Token {{0}}", "Bearer {{0}}x", "Bearer not.a.jwt", "JWT {{0}}"];

function interopRun(stack: DjangoStack, algorithm: string, settings: Record<string, unknown>) {
  const actions: Record<string, unknown>[] = MINTS.map(([, mint]) => ({ do: "mint", ...mint }));
  for (let i = 0; i < MINTS.length; i++) actions.push({ do: "request", view: "auth", authorization: `Bearer {{${i}}}` });
  for (let i = 0; i < MINTS.length; i++) actions.push({ do: "request", view: "auth_stateless", authorization: `Bearer {{${i}}}` });
  for (const header of HEADERS) actions.push({ do: "request", view: "auth", authorization: header });
  actions.push({ do: "request", view: "auth", authorization: null });
  const results = runSimplejwt({ secret_key: SECRET, settings: { ALGORITHM: algorithm, ...settings }, users: USERS, actions }, stack);
  const tokens = results.slice(0, MINTS.length).map((result) => result.token as string);
  const n = MINTS.length;
  return {
    tokens,
    store: results.slice(n, 2 * n) as unknown as HttpResult[],
    stateless: results.slice(2 * n, 3 * n) as unknown as HttpResult[],
    headers: results.slice(3 * n) as unknown as HttpResult[],
  };
}

const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

const CONFIGS = [
  { algorithm: "HS256", python: {}, portcullis: { signingKey: SECRET } },
  {
    algorithm: "RS256",
    python: { SIGNING_KEY: rsa.privateKey, VERIFYING_KEY: rsa.publicKey },
    portcullis: { signingKey: rsa.privateKey, verifyingKey: rsa.publicKey },
  },
] as const;

const STACKS = simplejwtStacks("the simplejwt interop").map((stack) => [stack.name, stack] as const);

describe.each(STACKS)("%s stack", (_name, stack) => {
describe.each(CONFIGS)("simplejwt-minted tokens, $algorithm", ({ algorithm, python, portcullis }) => {
  let run: ReturnType<typeof interopRun>;
  let jwt: JwtSettings;
  let schemes: { store: AnyScheme[]; stateless: AnyScheme[] };
  beforeAll(async () => {
    run = interopRun(stack, algorithm, python);
    jwt = jwtSettings({ algorithm, ...portcullis, compat: stackCompat(stack) });
    const store = await portcullisStore();
    schemes = { store: [jwtAuth({ jwt, users: store })], stateless: [jwtAuth({ jwt, stateless: true })] };
  }, 120_000);

  it.each(MINTS.map(([label], index) => [label, index] as const))("%s: same answer as JWTAuthentication", async (_label, index) => {
    const token = run.tokens[index] as string;
    expect(await portcullisAnswer(schemes.store, `Bearer ${token}`)).toEqual(run.store[index]);
  });

  it.each(MINTS.map(([label], index) => [label, index] as const))("%s: same answer as JWTStatelessUserAuthentication", async (_label, index) => {
    const token = run.tokens[index] as string;
    expect(await portcullisAnswer(schemes.stateless, `Bearer ${token}`)).toEqual(run.stateless[index]);
  });

  it("answers malformed and foreign headers as simplejwt does", async () => {
    const cases = [...HEADERS.map((header) => header.replace("{{0}}", run.tokens[0] as string)), null];
    for (const [index, header] of cases.entries()) {
      expect({ header, answer: await portcullisAnswer(schemes.store, header) }).toEqual({ header, answer: run.headers[index] });
    }
  });
});

describe.each(CONFIGS)("Portcullis-minted tokens checked by simplejwt, $algorithm", ({ algorithm, python, portcullis }) => {
  it("passes AccessToken(raw), JWTAuthentication and the refresh, verify and blacklist views", async () => {
    const jwt = jwtSettings({ algorithm, ...portcullis });
    const asNumber = jwtSettings({ algorithm, ...portcullis, userIdType: "number" });
    const stated = jwtSettings({ algorithm, ...portcullis, compat: stackCompat(stack) });
    const own = await mintTokenPair(stated, { id: "42" });
    expect(own.access.payload.user_id).toBe(stackCompat(stack).jwt.userIdType === "number" ? 42 : "42");
    const pair = await mintTokenPair(jwt, { id: "42" }, { claims: { username: "alice" } });
    const numeric = await mintTokenPair(asNumber, { id: "42" });
    const sliding = await mintSlidingToken(jwt, { id: "42" });
    expect(Object.keys(pair.access.payload)).toEqual(["token_type", "exp", "iat", "jti", "user_id", "username"]);
    expect(pair.access.payload.exp).toBe((pair.access.payload.iat as number) + 300);
    expect(pair.access.payload.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(numeric.access.payload.user_id).toBe(42);
    const header = JSON.parse(Buffer.from(pair.access.token.split(".")[0] as string, "base64url").toString());
    expect(header).toEqual({ alg: algorithm, typ: "JWT" });

    const actions = [
      { do: "mint", kind: "access", user: 42, set: {} }, // 0: unused (keeps indexes simple)
      { do: "access_token", token: pair.access.token },
      { do: "access_token", token: pair.refresh.token },
      { do: "request", view: "auth", authorization: `Bearer ${pair.access.token}` },
      { do: "request", view: "auth", authorization: `Bearer ${numeric.access.token}` },
      { do: "request", view: "refresh", body: { refresh: pair.refresh.token } },
      { do: "request", view: "verify", body: { token: sliding.token } },
      { do: "request", view: "refresh_sliding", body: { token: sliding.token } },
      { do: "request", view: "blacklist", body: { refresh: pair.refresh.token } },
      { do: "request", view: "refresh", body: { refresh: pair.refresh.token } },
    ];
    const settings = { ALGORITHM: algorithm, ...python, AUTH_TOKEN_CLASSES: ["rest_framework_simplejwt.tokens.AccessToken"] };
    const out = runSimplejwt({ secret_key: SECRET, settings, users: USERS, actions }, stack);
    expect(out[1]).toMatchObject({ ok: true, payload: { user_id: "42", username: "alice", token_type: "access" } });
    expect(out[2]).toEqual({ ok: false, error: "Token has wrong type" });
    expect(out[3]).toMatchObject({ status: 200, body: { id: "42", username: "alice" } });
    expect(out[4]).toMatchObject({ status: 200, body: { id: "42" } });
    expect(out[5]).toMatchObject({ status: 200 });
    expect(Object.keys((out[5] as unknown as HttpResult).body as object)).toEqual(["access"]);
    expect(out[6]).toMatchObject({ status: 200, body: {} });
    expect(out[7]).toMatchObject({ status: 200 });
    expect(out[8]).toMatchObject({ status: 200, body: {} });
    expect(out[9]).toMatchObject({ status: 401, body: { detail: "Token is blacklisted", code: "token_not_valid" } });
  }, 120_000);
});
});
