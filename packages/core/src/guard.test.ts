import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { messages, permissionDenied, throttled } from "./auth-error.js";
import { authenticate } from "./authenticate.js";
import type { AuthContext } from "./context.js";
import { ConfigError, PermissionDenial, StoreError } from "./errors.js";
import type { AuthEvent } from "./events.js";
import type { Decision, Policy } from "./guard.js";
import { guard } from "./guard.js";
import { allowAny, isAuthenticated } from "./permissions/builtin.js";
import type { Permission } from "./permissions/types.js";
import { errorToResponse, toResponse } from "./response.js";
import { basicAuth } from "./schemes/basic.js";
import { tokenAuth, tokenMessages } from "./schemes/token.js";
import type { AnyScheme, Scheme, SchemeResult } from "./schemes/types.js";
import type { Store, TokenRecord, User } from "./store/types.js";
import type { Throttle } from "./throttles/types.js";
import { tokenDigest } from "./tokens/tokens.js";

const alice: User = { id: "u1", username: "alice", isActive: true, isStaff: false };
const KEY = "0123456789abcdef0123456789abcdef01234567";
const record: TokenRecord = { id: "t1", userId: "u1", name: null, createdAt: 0, expiresAt: null };

/** A scheme with a fixed answer that counts its calls. */
function fixed<U = unknown>(result: SchemeResult<U, unknown>, name = "fixed", challenge?: string) {
  const calls = { count: 0 };
  const scheme: Scheme<U, unknown> = {
    name,
    authenticate: async () => {
      calls.count++;
      return result;
    },
    ...(challenge === undefined ? {} : { challenge: () => challenge }),
  };
  return { scheme, calls };
}

const skip = (name?: string, challenge?: string) => fixed({ type: "skip" }, name, challenge);
const succeed = (name?: string) => fixed({ type: "success", user: alice, auth: "auth-value" }, name);
const fail = (detail: string, challenge?: string) => fixed({ type: "failure", detail }, "failing", challenge);

const basic = basicAuth({
  verify: async (username, password) => (username === "alice" && password === "s3cret" ? alice : null),
});
const tokens: Pick<Store, "findToken" | "deleteToken"> = {
  findToken: async (digest) => (digest === tokenDigest(KEY) ? { token: record, user: alice } : null),
  deleteToken: async () => true,
};
const token = tokenAuth({ store: tokens });

function get(authorization?: string): Request {
  return new Request("https://api.test/", authorization === undefined ? {} : { headers: { Authorization: authorization } });
}

async function respond(decision: Decision) {
  if (decision.allowed) throw new Error("expected a denial");
  const response = toResponse(decision.error);
  return {
    status: response.status,
    challenge: response.headers.get("WWW-Authenticate"),
    type: response.headers.get("Content-Type"),
    body: await response.text(),
  };
}

describe("authenticate", () => {
  it("is anonymous when every scheme skips, or when there are none", async () => {
    const anonymous = { status: "anonymous", user: null, auth: null };
    expect(await authenticate(get(), [skip().scheme, skip().scheme])).toEqual(anonymous);
    expect(await authenticate(get(), [])).toEqual(anonymous);
  });

  it("skip tries the next scheme; the first success wins and names its scheme", async () => {
    const [a, b, c] = [skip("a"), succeed("b"), succeed("c")];
    expect(await authenticate(get(), [a.scheme, b.scheme, c.scheme])).toEqual({
      status: "authenticated",
      user: alice,
      auth: "auth-value",
      scheme: "b",
    });
    expect([a.calls.count, b.calls.count, c.calls.count]).toEqual([1, 1, 0]);
  });

  it("a failure stops the chain: a later scheme that would succeed is never called", async () => {
    const [a, b] = [fail("Nope.", "X"), succeed()];
    const result = await authenticate(get(), [a.scheme, b.scheme]);
    expect(result).toEqual({
      status: "failed",
      error: { status: 401, code: "authentication_failed", detail: "Nope.", headers: { "WWW-Authenticate": "X" } },
    });
    expect(b.calls.count).toBe(0);
  });

  it("passes the context to every scheme", async () => {
    const seen: AuthContext[] = [];
    const spy: Scheme = { name: "spy", authenticate: async (_, ctx) => (seen.push(ctx), { type: "skip" }) };
    const ctx: AuthContext = { clientIp: "192.0.2.1", env: { DB: 1 } };
    await authenticate(get(), [spy, spy], ctx);
    expect(seen).toEqual([ctx, ctx]);
  });

  it("uses a failure's ready error as it is", async () => {
    const limited = fixed({ type: "failure", detail: "x", error: throttled(30) });
    const result = await authenticate(get(), [basic, limited.scheme]);
    expect(result).toEqual({ status: "failed", error: throttled(30) });
  });
});

describe("guard: authentication outcomes", () => {
  it("authentication is eager: bad credentials fail even with allowAny", async () => {
    const decision = await guard({ schemes: [basic], permissions: [allowAny] })(get("Basic YWxpY2U6d3Jvbmc="));
    expect(await respond(decision)).toEqual({
      status: 401,
      challenge: 'Basic realm="api"',
      type: "application/json",
      body: JSON.stringify({ detail: "Invalid username/password." }),
    });
  });

  it("the first scheme decides 401: Basic first, Token failing later answers 401 with the Basic challenge", async () => {
    const decision = await guard({ schemes: [basic, token] })(get("Token not-a-key"));
    expect(await respond(decision)).toEqual({
      status: 401,
      challenge: 'Basic realm="api"',
      type: "application/json",
      body: JSON.stringify({ detail: tokenMessages.invalidToken }),
    });
  });

  it("the first scheme decides 403: without a challenge the detail is kept and no WWW-Authenticate is sent", async () => {
    const noChallenge = skip("session");
    const decision = await guard({ schemes: [noChallenge.scheme, token] })(get("Token not-a-key"));
    expect(await respond(decision)).toEqual({
      status: 403,
      challenge: null,
      type: "application/json",
      body: JSON.stringify({ detail: tokenMessages.invalidToken }),
    });
  });

  it("a later scheme's challenge never makes the answer 401", async () => {
    const decision = await guard({ schemes: [fail("Bad session.").scheme, basic] })(get("Basic YWxpY2U6czNjcmV0"));
    expect(await respond(decision)).toMatchObject({ status: 403, challenge: null, body: '{"detail":"Bad session."}' });
  });

  it("anonymous with the default permissions ([isAuthenticated]) answers 401 NotAuthenticated", async () => {
    const decision = await guard({ schemes: [token, basic] })(get());
    expect(await respond(decision)).toEqual({
      status: 401,
      challenge: "Token",
      type: "application/json",
      body: JSON.stringify({ detail: messages.notAuthenticated }),
    });
    expect(!decision.allowed && decision.error.code).toBe("not_authenticated");
  });

  it("anonymous with a first scheme without challenge answers 403 NotAuthenticated", async () => {
    const decision = await guard({ schemes: [skip().scheme, basic] })(get());
    expect(await respond(decision)).toMatchObject({ status: 403, challenge: null, body: `{"detail":"${messages.notAuthenticated}"}` });
  });

  it("an empty scheme list answers 403 PermissionDenied (DRF: no authenticators, no NotAuthenticated)", async () => {
    const decision = await guard({ schemes: [] })(get("Basic YWxpY2U6czNjcmV0"));
    expect(await respond(decision)).toEqual({
      status: 403,
      challenge: null,
      type: "application/json",
      body: JSON.stringify({ detail: messages.permissionDenied }),
    });
  });

  it("allowed decisions: authenticated carries user, auth and scheme; anonymous carries nulls", async () => {
    const protect = guard({ schemes: [token, basic], permissions: [allowAny] });
    expect(await protect(get(`Token ${KEY}`))).toEqual({ allowed: true, user: alice, auth: record, scheme: "token" });
    expect(await protect(get("Basic YWxpY2U6czNjcmV0"))).toEqual({ allowed: true, user: alice, auth: null, scheme: "basic" });
    expect(await protect(get())).toEqual({ allowed: true, user: null, auth: null, scheme: null });
  });
});

describe("guard: permissions", () => {
  const custom: Permission = { hasPermission: () => false, message: "Only on Tuesdays.", code: "not_tuesday" };

  it("a denial on an unauthenticated request answers NotAuthenticated, dropping the permission's message", async () => {
    const decision = await guard({ schemes: [basic], permissions: [custom] })(get());
    expect(await respond(decision)).toMatchObject({
      status: 401,
      challenge: 'Basic realm="api"',
      body: JSON.stringify({ detail: messages.notAuthenticated }),
    });
  });

  it("a denial of an authenticated user answers 403 with the permission's message and code", async () => {
    const decision = await guard({ schemes: [basic], permissions: [custom] })(get("Basic YWxpY2U6czNjcmV0"));
    expect(await respond(decision)).toEqual({
      status: 403,
      challenge: null,
      type: "application/json",
      body: JSON.stringify({ detail: "Only on Tuesdays." }),
    });
    expect(!decision.allowed && decision.error.code).toBe("not_tuesday");
  });

  it("a denial without a message answers DRF's default detail and code", async () => {
    const decision = await guard({ schemes: [basic], permissions: [{ hasPermission: () => false }] })(get("Basic YWxpY2U6czNjcmV0"));
    expect(await respond(decision)).toMatchObject({ status: 403, body: JSON.stringify({ detail: messages.permissionDenied }) });
    expect(!decision.allowed && decision.error.code).toBe("permission_denied");
  });

  it("permissions run in order, may be async, and the first denial decides", async () => {
    const order: string[] = [];
    const p = (name: string, answer: boolean, message?: string): Permission => ({
      hasPermission: async () => (order.push(name), answer),
      ...(message ? { message } : {}),
    });
    const decision = await guard({ schemes: [basic], permissions: [p("a", true), p("b", false, "B."), p("c", false, "C.")] })(
      get("Basic YWxpY2U6czNjcmV0"),
    );
    expect(await respond(decision)).toMatchObject({ body: '{"detail":"B."}' });
    expect(order).toEqual(["a", "b"]);
  });

  it("sees the authentication outcome in its check", async () => {
    const checks: unknown[] = [];
    const spy: Permission = { hasPermission: (check) => (checks.push(check), true) };
    const req = get(`Token ${KEY}`);
    await guard({ schemes: [token], permissions: [spy] })(req);
    await guard({ schemes: [token], permissions: [spy] })(get());
    expect(checks[0]).toEqual({ request: req, user: alice, auth: record, authenticated: true });
    expect(checks[1]).toMatchObject({ user: null, auth: null, authenticated: false });
  });
});

describe("guard: throttles", () => {
  function throttle(answer: { allowed: boolean; waitMs: number }) {
    const calls = { count: 0 };
    const t: Throttle = { allow: async () => (calls.count++, answer) };
    return { throttle: t, calls };
  }

  it("run after permissions, never for a denied request", async () => {
    const t = throttle({ allowed: true, waitMs: 0 });
    await guard({ schemes: [basic], throttles: [t.throttle] })(get());
    await guard({ schemes: [basic], throttles: [t.throttle] })(get("Basic bad"));
    expect(t.calls.count).toBe(0);
  });

  it("all run; the largest wait wins, rounded up; Retry-After is sent", async () => {
    const ts = [throttle({ allowed: false, waitMs: 1_200 }), throttle({ allowed: true, waitMs: 0 }), throttle({ allowed: false, waitMs: 4_001 })];
    const decision = await guard({ schemes: [], permissions: [allowAny], throttles: ts.map((t) => t.throttle) })(get());
    const response = toResponse(!decision.allowed ? decision.error : throttled(0));
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(await response.json()).toEqual({ detail: "Request was throttled. Expected available in 5 seconds." });
    expect(ts.map((t) => t.calls.count)).toEqual([1, 1, 1]);
  });

  it("a zero wait answers `0 seconds`, with Retry-After: 0 (DRF omits it; Portcullis sends it on every 429)", async () => {
    const decision = await guard({ schemes: [], permissions: [allowAny], throttles: [throttle({ allowed: false, waitMs: 0 }).throttle] })(get());
    const response = toResponse(!decision.allowed ? decision.error : throttled(1));
    expect(response.headers.get("Retry-After")).toBe("0");
    expect(await response.json()).toEqual({ detail: "Request was throttled. Expected available in 0 seconds." });
  });
});

describe("guard.decideNow: the same check, answered directly when nothing in it waited", () => {
  /** The token store of these tests, answering directly (as the memory store does). */
  const direct = tokenAuth({
    store: { findToken: (digest) => (digest === tokenDigest(KEY) ? { token: record, user: alice } : null), deleteToken: async () => true },
  });

  it("an in-process store and boolean permissions: a decision, not a promise, equal to the guard's own", async () => {
    const check = guard({ schemes: [direct] });
    const answer = check.decideNow(get(`Token ${KEY}`));
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toEqual({ allowed: true, user: alice, auth: record, scheme: "token" });
    expect(await check(get(`Token ${KEY}`))).toEqual(answer);
  });

  it.each([
    ["an unknown key", `Token ${KEY.slice(1)}x`, 401, tokenMessages.invalidToken],
    ["no credentials", undefined, 401, messages.notAuthenticated],
    ["a malformed header", "Token a b", 401, tokenMessages.spaces],
  ])("a direct denial for %s, with DRF's status and message", async (_name, header, status, detail) => {
    const answer = guard({ schemes: [direct] }).decideNow(get(header));
    expect(answer).not.toBeInstanceOf(Promise);
    if (answer instanceof Promise || answer.allowed) throw new Error("expected a direct denial");
    expect(toResponse(answer.error).status).toBe(status);
    expect(answer.error.detail).toBe(detail);
  });

  it.each([
    ["a store answering a promise", { schemes: [token] }],
    ["a permission answering a promise", { schemes: [direct], permissions: [{ hasPermission: async () => true }] }],
    ["a throttle", { schemes: [direct], throttles: [{ allow: async () => ({ allowed: true, waitMs: 0 }) } satisfies Throttle] }],
  ])("%s: a promise of the same decision", async (_name, policy) => {
    const answer = guard(policy as Policy).decideNow(get(`Token ${KEY}`));
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ allowed: true, user: alice, scheme: "token" });
  });

  it.each([
    ["a scheme that throws synchronously", { schemes: [{ name: "x", authenticate: () => { throw new StoreError("down"); } }] }],
    ["a permission that throws synchronously", { schemes: [direct], permissions: [{ hasPermission: () => { throw new StoreError("down"); } }] }],
  ])("%s: never a throw, a rejected promise, reported once", async (_name, policy) => {
    const events: AuthEvent[] = [];
    const check = guard({ ...(policy as Policy), onEvent: (event) => void events.push(event) });
    let answer: unknown;
    expect(() => (answer = check.decideNow(get(`Token ${KEY}`)))).not.toThrow();
    expect(answer).toBeInstanceOf(Promise);
    const error = await (answer as Promise<unknown>).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(errorToResponse(error).status).toBe(503);
    expect(events).toEqual([{ type: "store.failed", error }]);
  });

  it("a context that is not an object (null from JavaScript): a rejection, never a throw", async () => {
    const check = guard({ schemes: [direct], onEvent: () => undefined });
    let answer: unknown;
    expect(() => (answer = check.decideNow(get(`Token ${KEY}`), null as unknown as AuthContext))).not.toThrow();
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toBeInstanceOf(TypeError);
  });

  it("a permission's PermissionDenial thrown synchronously is its direct answer, not a failure", async () => {
    const denying = { hasPermission: () => { throw new PermissionDenial(permissionDenied("Not today.", "not_today")); } };
    const answer = guard({ schemes: [direct], permissions: [denying] }).decideNow(get(`Token ${KEY}`));
    expect(answer).toBeInstanceOf(Promise);
    const decision = await answer;
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.error.detail).toBe("Not today.");
  });
});

describe("guard: failures of infrastructure and configuration", () => {
  it("a StoreError during a check rejects; errorToResponse answers 503 (fail closed)", async () => {
    const broken = tokenAuth({
      store: { findToken: () => Promise.reject(new StoreError("down")), deleteToken: async () => false },
    });
    const error = await guard({ schemes: [broken], permissions: [allowAny] })(get(`Token ${KEY}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const response = errorToResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(await response.json()).toEqual({ detail: messages.serviceUnavailable });
    // Any exception during a check fails closed too (a custom store or permission that threw).
    expect(errorToResponse(new TypeError("bug")).status).toBe(503);
  });

  describe("every failing request is reported, once", () => {
    /** A token store whose every lookup rejects with `reason`, the same value each time (a cached rejection). */
    const rejecting = (reason: unknown) =>
      tokenAuth({ store: { findToken: () => Promise.reject(reason), deleteToken: async () => false } });
    const nextTick = () => new Promise((resolve) => setTimeout(resolve, 5));
    /** `console.error`, stubbed and counted for each test. */
    let logged: MockInstance<typeof console.error>;
    beforeEach(() => {
      logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    });
    afterEach(() => logged.mockRestore());

    it("a store that rejects every request with one error object: one store.failed per request, none missed", async () => {
      const shared = new StoreError("pool never connected");
      const events: AuthEvent[] = [];
      const check = guard({ schemes: [rejecting(shared)], permissions: [allowAny], onEvent: (event) => void events.push(event) });
      // Three requests in one turn of the event loop, then two more after it: each is its own failure.
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all([1, 2, 3].map(() => check(get(`Token ${KEY}`)).catch((e: unknown) => e)));
        for (const error of results) {
          expect(error).toBe(shared);
          expect(errorToResponse(error).status).toBe(503); // not reported a second time
        }
        await nextTick();
      }
      expect(events).toEqual(Array.from({ length: 6 }, () => ({ type: "store.failed", error: shared })));
      expect(logged).not.toHaveBeenCalled();
    });

    it("without a hook: one console.error per request (each with its own context), none from errorToResponse", async () => {
      const shared = new StoreError("down");
      const check = guard({ schemes: [rejecting(shared)], permissions: [allowAny] });
      for (let i = 0; i < 3; i++) {
        const error = await check(get(`Token ${KEY}`), { clientIp: "203.0.113.7" }).catch((e: unknown) => e);
        expect(errorToResponse(error).status).toBe(503);
      }
      expect(logged).toHaveBeenCalledTimes(3);
    });

    it.each([
      ["a string", "boom"],
      ["undefined", undefined],
      ["a number", 0],
    ])("a rejection with %s: one store.failed, not logged again by errorToResponse", async (_name, reason) => {
      const events: AuthEvent[] = [];
      const check = guard({ schemes: [rejecting(reason)], permissions: [allowAny], onEvent: (event) => void events.push(event) });
      const error = await check(get(`Token ${KEY}`)).then(() => "passed", (e: unknown) => e);
      expect(error).toBe(reason);
      expect(errorToResponse(error).status).toBe(503);
      expect(events).toEqual([{ type: "store.failed", error: reason }]);
      expect(logged).not.toHaveBeenCalled();
    });

    it("errorToResponse alone logs an error nobody reported, and logs it again on a later turn", async () => {
      const error = new TypeError("a bug in a handler");
      expect(errorToResponse(error).status).toBe(503);
      expect(errorToResponse(error).status).toBe(503); // the same failure passed on twice in one turn
      expect(logged).toHaveBeenCalledTimes(1);
      await nextTick();
      expect(errorToResponse(error).status).toBe(503);
      expect(logged).toHaveBeenCalledTimes(2);
      expect(logged.mock.calls[1]?.[1]).toBe(error);
    });
  });

  it.each([
    ["a non-object policy", null, "policy"],
    ["schemes that are not an array", { schemes: basic }, "schemes"],
    ["a scheme without authenticate", { schemes: [{ name: "x" }] }, "schemes"],
    ["a permission without hasPermission", { schemes: [], permissions: [{}] }, "permissions"],
    ["a throttle without allow", { schemes: [], throttles: [{}] }, "throttles"],
  ])("refuses %s with ConfigError when the guard is built", (_, policy, option) => {
    let error: unknown;
    try {
      guard(policy as unknown as Policy<readonly AnyScheme[]>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
  });

  it("keeps its own copy of the permissions and throttles", async () => {
    const permissions: Permission[] = [allowAny];
    const protect = guard({ schemes: [], permissions });
    permissions.push({ hasPermission: () => false });
    expect((await protect(get())).allowed).toBe(true);
    expect(isAuthenticated.hasPermission({ request: get(), user: null, auth: null, authenticated: false })).toBe(false);
  });
});
