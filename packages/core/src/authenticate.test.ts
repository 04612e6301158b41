/**
 * `authenticate()` and `guard()` with schemes and stores that answer directly, with a promise, or with another
 * thenable: the same outcomes, the same failures (a synchronous throw is a rejection, reported once), and no
 * promise inside the check when nothing waits.
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it, vi } from "vitest";
import { authenticate, authenticateNow } from "./authenticate.js";
import { PermissionDenial, StoreError } from "./errors.js";
import type { AuthEvent } from "./events.js";
import { guard } from "./guard.js";
import { isThenable } from "./internal/awaitable.js";
import { allowAny } from "./permissions/builtin.js";
import { errorToResponse } from "./response.js";
import { jwtAuth } from "./jwt/jwt-auth.js";
import { jwtSettings } from "./jwt/settings.js";
import { basicAuth } from "./schemes/basic.js";
import { tokenAuth } from "./schemes/token.js";
import { userRateThrottle } from "./throttles/throttles.js";
import { sessionAuth } from "./sessions/session-auth.js";
import type { AnyScheme, SchemeResult } from "./schemes/types.js";
import type { Awaitable, TokenRecord, TokenStore, User } from "./store/types.js";
import type { Throttle } from "./throttles/types.js";
import { issueToken, tokenDigest } from "./tokens/tokens.js";

const T0 = 1_700_000_000_000;
const alice: User = { id: "u1", username: "alice", isActive: true, isStaff: false };
const bob: User = { id: "u2", username: "bob", isActive: false, isStaff: false };
const live: TokenRecord = { id: "t1", userId: "u1", name: null, createdAt: T0, expiresAt: null };
const expired: TokenRecord = { id: "t2", userId: "u1", name: null, createdAt: T0, expiresAt: T0 - 1 };
const inactive: TokenRecord = { id: "t3", userId: "u2", name: null, createdAt: T0, expiresAt: null };
const KEYS = { live: "a".repeat(40), expired: "b".repeat(40), inactive: "c".repeat(40) };
const rows = new Map([
  [tokenDigest(KEYS.live), { token: live, user: alice }],
  [tokenDigest(KEYS.expired), { token: expired, user: alice }],
  [tokenDigest(KEYS.inactive), { token: inactive, user: bob }],
]);

type Mode = "direct" | "promise" | "thenable";
/** A value as a store or scheme may answer it: directly, as a promise, or as a thenable that is no `Promise`. */
function as<T>(mode: Mode, value: T): Awaitable<T> {
  if (mode === "direct") return value;
  if (mode === "promise") return Promise.resolve(value);
  const thenable = { then: (ok: (v: T) => unknown, ko: (e: unknown) => unknown) => Promise.resolve(value).then(ok, ko) };
  return thenable as unknown as Promise<T>;
}

const tableIn = (mode: Mode): Pick<TokenStore, "findToken" | "deleteToken"> => ({
  findToken: (digest) => as(mode, rows.get(digest) ?? null),
  deleteToken: async () => true,
});

const send = (authorization?: string) =>
  new Request("https://api.test/", authorization === undefined ? {} : { headers: { Authorization: authorization } });

const HEADERS = [undefined, "Basic YTpi", "Token", "Token a b", "Token \u00ff\u00fe", `Token ${"f".repeat(40)}`, `Token ${KEYS.live}`, `Token ${KEYS.expired}`, `Token ${KEYS.inactive}`];

describe("authenticate(): a store that answers directly, with a promise or with a thenable", () => {
  const ctx = { now: () => T0 };
  const reference = tokenAuth({ store: tableIn("promise") });

  it.each(["direct", "thenable"] as const)("tokenAuth on a %s store answers every header as on a promise store", async (mode) => {
    const scheme = tokenAuth({ store: tableIn(mode) });
    for (const header of HEADERS) {
      expect(await scheme.authenticate(send(header), ctx)).toEqual(await reference.authenticate(send(header), ctx));
      expect(await authenticate(send(header), [scheme], ctx)).toEqual(await authenticate(send(header), [reference], ctx));
    }
  });

  it("answers without a promise inside the check on the memory store; authenticate() still answers a promise", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "alice", passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const scheme = tokenAuth({ store });
    const answer = scheme.authenticate(send(`Token ${key}`), {});
    expect(isThenable(answer)).toBe(false);
    expect(answer).toMatchObject({ type: "success", user: { id: user.id } });
    expect(isThenable(authenticateNow(send(`Token ${key}`), [scheme], {}))).toBe(false);
    const promised = authenticate(send(`Token ${key}`), [scheme]);
    expect(promised).toBeInstanceOf(Promise);
    expect(await promised).toMatchObject({ status: "authenticated", scheme: "token" });
  });

  it("basicAuth, jwtAuth and sessionAuth skip a token request without a promise, so a mixed policy has none either", async () => {
    const store = memoryStore();
    const user = await store.createUser({ username: "alice", passwordHash: "!" });
    const { key } = await issueToken(store, user.id);
    const jwt = jwtSettings({ signingKey: "k".repeat(50) });
    const others = [basicAuth({ users: store }), jwtAuth({ jwt, users: store }), sessionAuth({ sessions: store })];
    for (const other of others) expect(isThenable(other.authenticate(send(`Token ${key}`), {}))).toBe(false);
    const answer = authenticateNow(send(`Token ${key}`), [...others, tokenAuth({ store })], {});
    expect(isThenable(answer)).toBe(false);
    expect(answer).toMatchObject({ status: "authenticated", scheme: "token" });
    // Their own credentials still go through their (asynchronous) checks.
    expect(isThenable(others[0]!.authenticate(send("Basic YWxpY2U6cHc="), {}))).toBe(true);
    expect(isThenable(others[1]!.authenticate(send("Bearer a.b.c"), {}))).toBe(true);
  });
});

/** Every way a token store can fail: each must reject the check (never authenticate) and answer 503. */
const failures: [string, () => Awaitable<never>][] = [
  ["throws a StoreError synchronously", () => { throw new StoreError("down"); }],
  ["rejects with a StoreError", () => Promise.reject(new StoreError("down"))],
  ["throws a TypeError synchronously", () => { throw new TypeError("bug"); }],
  ["answers undefined (a broken store)", () => undefined as never],
];

describe.each(failures)("a token store that %s", (_name, findToken) => {
  const scheme = tokenAuth({ store: { findToken, deleteToken: async () => false } });

  it("authenticate() answers a promise that rejects with the failure (never a synchronous throw, never a pass)", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined); // errorToResponse reports it
    const promised = authenticate(send(`Token ${KEYS.live}`), [scheme]);
    expect(promised).toBeInstanceOf(Promise);
    const error = await promised.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(errorToResponse(error).status).toBe(503);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });

  it("guard() rejects with it and reports it exactly once", async () => {
    const events: AuthEvent[] = [];
    const protect = guard({ schemes: [scheme], permissions: [allowAny], onEvent: (e) => void events.push(e) });
    const error = await protect(send(`Token ${KEYS.live}`)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(events).toEqual([{ type: "store.failed", error }]);
    expect(errorToResponse(error).status).toBe(503);
  });
});

/** A scheme answering `result` in `mode`, counting its calls; `"throw"`/`"reject"` fail with a StoreError. */
function scheme(result: SchemeResult<User, string> | "throw" | "reject", mode: Mode, calls: string[], name: string): AnyScheme {
  return {
    name,
    authenticate: () => {
      calls.push(name);
      if (result === "throw") throw new StoreError(`${name} down`);
      if (result === "reject") return Promise.reject(new StoreError(`${name} down`));
      return as(mode, result);
    },
    challenge: () => "Token",
  };
}

const SKIP = { type: "skip" } as const;
const OK = { type: "success", user: alice, auth: "ok" } as const;
const NO = { type: "failure", detail: "Invalid token." } as const;
const chains: [string, (SchemeResult<User, string> | "throw" | "reject")[]][] = [
  ["skip, skip, success", [SKIP, SKIP, OK]],
  ["skip, failure, success", [SKIP, NO, OK]],
  ["success, failure", [OK, NO]],
  ["skip, skip", [SKIP, SKIP]],
  ["skip, throw, success", [SKIP, "throw", OK]],
  ["skip, reject, success", [SKIP, "reject", OK]],
  ["throw", ["throw"]],
];
const MODES: Mode[] = ["direct", "promise", "thenable"];
/** Every assignment of a mode to each scheme of a chain. */
const assignments = (length: number): Mode[][] =>
  length === 0 ? [[]] : assignments(length - 1).flatMap((rest) => MODES.map((mode) => [mode, ...rest]));

describe.each(chains)("a chain %s", (_name, results) => {
  async function run(modes: Mode[], via: "authenticate" | "guard") {
    const calls: string[] = [];
    const events: AuthEvent[] = [];
    const schemes = results.map((result, i) => scheme(result, modes[i] ?? "promise", calls, `s${i}`));
    const ctx = { onEvent: (e: AuthEvent) => void events.push(e) };
    const settled = via === "authenticate"
      ? authenticate(send("Token x"), schemes, ctx)
      : guard({ schemes, permissions: [allowAny] })(send("Token x"), ctx);
    const outcome = await settled.then((value) => ({ value }), (error: unknown) => ({ error: String(error) }));
    return { outcome, calls, events: events.map((e) => e.type) };
  }

  it.each(["authenticate", "guard"] as const)("%s: every mix of direct, promised and thenable answers ends as all-promised", async (via) => {
    const expected = await run(results.map(() => "promise"), via);
    for (const modes of assignments(results.length)) expect(await run(modes, via)).toEqual(expected);
  });
});

/**
 * What follows authentication in `guard()`: permissions (synchronous or not, throwing, rejecting or denying) and
 * throttles (allowing, refusing or failing), after a store that answered directly, with a promise or a thenable.
 * Each answer is written out: the guard runs these steps as plain functions and `then` callbacks now, and a
 * failure must still be a rejection reported exactly once, a denial still the permission's own.
 */
describe("guard(): permissions and throttles after a direct, promised or thenable authentication", () => {
  const denial = { status: 403, code: "nope", detail: "No." } as const;
  type Step = () => boolean | Promise<boolean>;
  const permissionCases: [string, Step, { allowed: boolean; code?: string } | { rejects: string }][] = [
    ["answers true", () => true, { allowed: true }],
    ["answers false", () => false, { allowed: false, code: "permission_denied" }],
    ["resolves true", async () => true, { allowed: true }],
    ["resolves false", async () => false, { allowed: false, code: "permission_denied" }],
    ["throws a StoreError", () => { throw new StoreError("perms down"); }, { rejects: "perms down" }],
    ["rejects with a StoreError", () => Promise.reject(new StoreError("perms down")), { rejects: "perms down" }],
    ["throws a PermissionDenial", () => { throw new PermissionDenial(denial as never); }, { allowed: false, code: "nope" }],
    ["rejects with a PermissionDenial", () => Promise.reject(new PermissionDenial(denial as never)), { allowed: false, code: "nope" }],
  ];

  async function run(mode: Mode, step: Step, throttle?: Throttle) {
    const events: AuthEvent[] = [];
    const calls: string[] = [];
    const second = { hasPermission: () => (calls.push("second"), true) };
    const protect = guard({
      schemes: [tokenAuth({ store: tableIn(mode) })],
      permissions: [{ hasPermission: () => (calls.push("first"), step()) }, second],
      throttles: throttle ? [throttle] : [],
      onEvent: (e) => void events.push(e),
    });
    const settled = protect(send(`Token ${KEYS.live}`), { now: () => T0 });
    expect(settled).toBeInstanceOf(Promise);
    const outcome = await settled.then(
      (d) => (d.allowed ? { allowed: true, user: d.user?.username } : { allowed: false, code: d.error.code }),
      (e: unknown) => ({ rejects: (e as Error).message }),
    );
    return { outcome, events: events.map((e) => (e.type === "store.failed" ? `store.failed: ${(e.error as Error).message}` : e.type)), calls };
  }

  for (const mode of MODES) {
    it.each(permissionCases)(`${mode} store, a permission that %s`, async (_name, step, expected) => {
      const { outcome, events, calls } = await run(mode, step);
      expect(outcome).toMatchObject(expected);
      if ("rejects" in expected) expect(events).toEqual([`store.failed: ${expected.rejects}`]);
      else expect(events).toEqual([]);
      // The second permission runs only when the first allowed.
      expect(calls).toEqual("allowed" in expected && expected.allowed ? ["first", "second"] : ["first"]);
    });

    it(`${mode} store: a throttle that refuses answers 429 with its wait; one whose store fails rejects, reported once`, async () => {
      const refusing: Throttle = { scope: "user", allow: async () => ({ allowed: false, waitMs: 2_000 }) };
      const refused = await guard({ schemes: [tokenAuth({ store: tableIn(mode) })], throttles: [refusing] })(send(`Token ${KEYS.live}`), { now: () => T0 });
      expect(refused).toMatchObject({ allowed: false, error: { status: 429 } });
      for (const step of [() => true, async () => true] as Step[]) {
        const failing: Throttle = { allow: () => Promise.reject(new StoreError("counters down")) };
        const { outcome, events } = await run(mode, step, failing);
        expect(outcome).toEqual({ rejects: "counters down" });
        expect(events).toEqual(["store.failed: counters down"]);
      }
      const allowing: Throttle = { rateLimitName: "u", allow: async () => ({ allowed: true, waitMs: 0, rateLimit: { policy: '"u";q=5;w=60', state: '"u";r=4;t=0' } }) };
      const allowed = await guard({ schemes: [tokenAuth({ store: tableIn(mode) })], throttles: [allowing] })(send(`Token ${KEYS.live}`), { now: () => T0 });
      expect(allowed).toMatchObject({ allowed: true, user: { username: "alice" }, headers: { "RateLimit-Policy": '"u";q=5;w=60', RateLimit: '"u";r=4;t=0' } });
    });
  }
});

describe("guard(): several throttles, run in order as one chain of then callbacks", () => {
  const policyOf = (throttles: Throttle[], events: AuthEvent[]) =>
    guard({ schemes: [tokenAuth({ store: tableIn("promise") })], throttles, onEvent: (e) => void events.push(e) });
  const refusing = (waitMs: number, calls: string[], name: string): Throttle => ({ scope: name, allow: async () => (calls.push(name), { allowed: false, waitMs }) });

  it("every throttle runs even after one refuses; the largest wait is the Retry-After; one event each", async () => {
    const calls: string[] = [];
    const events: AuthEvent[] = [];
    const allowing: Throttle = { scope: "c", allow: async () => (calls.push("c"), { allowed: true, waitMs: 0 }) };
    const decision = await policyOf([refusing(2_000, calls, "a"), refusing(5_000, calls, "b"), allowing], events)(send(`Token ${KEYS.live}`));
    expect(calls).toEqual(["a", "b", "c"]);
    expect(decision).toMatchObject({ allowed: false, error: { status: 429, headers: { "Retry-After": "5" } } });
    expect(events.map((e) => (e.type === "throttled" ? `${e.scope}:${e.waitMs}` : e.type))).toEqual(["a:2000", "b:5000"]);
  });

  it.each([
    ["throws synchronously", (): Promise<never> => { throw new StoreError("counters down"); }],
    ["rejects", () => Promise.reject(new StoreError("counters down"))],
  ])("a later throttle that %s: rejects, reported once, after the earlier ones ran", async (_name, allow) => {
    const calls: string[] = [];
    const events: AuthEvent[] = [];
    const error = await policyOf([refusing(1_000, calls, "a"), { allow }], events)(send(`Token ${KEYS.live}`)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(calls).toEqual(["a"]);
    expect(events.map((e) => e.type)).toEqual(["throttled", "store.failed"]);
  });

  it("a rate throttle whose counter store throws synchronously: the same rejection, reported once", async () => {
    const events: AuthEvent[] = [];
    const store = { hit: (): never => { throw new StoreError("counters down"); } };
    const error = await policyOf([userRateThrottle("5/min", { store })], events)(send(`Token ${KEYS.live}`)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(events.map((e) => e.type)).toEqual(["store.failed"]);
  });
});

describe("guard(): a null context (from JavaScript) with a policy hook", () => {
  it("is a rejection, never a synchronous throw (as before the guard was plain functions)", async () => {
    const protect = guard({ schemes: [tokenAuth({ store: tableIn("direct") })], onEvent: () => undefined });
    let answer: unknown;
    expect(() => (answer = protect(send(`Token ${KEYS.live}`), null as never))).not.toThrow();
    await expect(answer as Promise<unknown>).rejects.toBeInstanceOf(TypeError);
  });
});
