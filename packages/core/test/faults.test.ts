/**
 * Fault injection: a store that fails on chosen methods with a `StoreError`, a plain `Error` or a synchronous
 * throw, or that hangs forever. What we observe (and pin down here):
 *
 * - `guard` never answers a decision when a store call it needs fails: a `StoreError` (async or thrown
 *   synchronously) comes out of `guard` as it is, and so does a plain `Error`; `errorToResponse` (what the
 *   adapters call) answers 503 for either. A hanging call leaves `guard` pending for as long as the store hangs.
 *   Wrapped in `timeoutStore`, a hanging or plainly failing store becomes a `StoreError` within the limit.
 * - Calls off the decision path do not decide: a failing password-hash upgrade leaves the login standing, and a
 *   failing purge of an expired token leaves its `Invalid token.` answer. But a hanging upgrade without
 *   `ctx.waitUntil` holds the login until the store answers (it is awaited), and a synchronously throwing
 *   `deleteToken` (a store breaking the "every method is async" contract) turns an expired token's 401 into a
 *   thrown `StoreError`, i.e. 503: both still fail closed.
 * - The endpoints answer 503 `{"detail":"Authentication service unavailable."}` on a `StoreError` and on a
 *   plain `Error`; a hanging store holds them pending unless it is wrapped in `timeoutStore`. A failed token
 *   issue stores nothing (a store that commits and then fails leaves a row whose key nobody was ever shown).
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext, Store } from "@portcullis/core";
import {
  StoreError,
  allowAny,
  anonRateThrottle,
  basicAuth,
  guard,
  hashPassword,
  issueToken,
  listTokens,
  logoutAllHandler,
  logoutHandler,
  obtainTokenHandler,
  scopedRateThrottle,
  timeoutStore,
  tokenAuth,
  userRateThrottle,
} from "@portcullis/core";

type Mode = "store-error" | "error" | "sync-throw" | "hang";
type Fault = Mode | { readonly mode: Mode; readonly when: (...args: unknown[]) => boolean };
type Faults = Partial<Record<keyof Store, Fault>>;

const MODES: readonly Mode[] = ["store-error", "error", "sync-throw", "hang"];
const UNAVAILABLE = JSON.stringify({ detail: "Authentication service unavailable." });
/** How long a hanging call is watched; calls that fail are awaited up to `SETTLE_MS` (a check may do PBKDF2). */
const PENDING_MS = 150;
const SETTLE_MS = 10_000;

/** The store with `faults` injected on the named methods (optionally for some arguments only); `seen` records each. */
function faulty(store: Store, faults: Faults, seen: Injection[] = []): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      const fault = faults[property as keyof Store];
      if (typeof value !== "function" || fault === undefined) return value;
      const { mode, when } = typeof fault === "string" ? { mode: fault, when: () => true } : fault;
      return (...args: unknown[]) => {
        if (!when(...args)) return value.apply(target, args);
        seen.push({ method: String(property), at: performance.now() });
        return inject(mode, String(property));
      };
    },
  });
}

function inject(mode: Mode, method: string): Promise<never> {
  if (mode === "store-error") return Promise.reject(new StoreError(`injected: ${method} failed`));
  if (mode === "error") return Promise.reject(new Error(`injected: ${method} broke`));
  if (mode === "sync-throw") throw new StoreError(`injected: ${method} threw`);
  return new Promise<never>(() => undefined);
}

/** An injected fault: the method and when (`performance.now()`). */
interface Injection {
  readonly method: string;
  readonly at: number;
}

type Settled<T> = { state: "pending" } | { state: "fulfilled"; value: T } | { state: "rejected"; reason: unknown };

/** How a promise stands after `ms`. */
async function settle<T>(promise: Promise<T>, ms = SETTLE_MS): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Settled<T>>((resolve) => (timer = setTimeout(() => resolve({ state: "pending" }), ms)));
  const outcome = promise.then(
    (value): Settled<T> => ({ state: "fulfilled", value }),
    (reason: unknown): Settled<T> => ({ state: "rejected", reason }),
  );
  try {
    return await Promise.race([outcome, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a call stands `PENDING_MS` after it reached an injected fault (or as soon as it settles, if it never does). */
async function settleAfterFault<T>(promise: Promise<T>, seen: readonly Injection[]): Promise<Settled<T>> {
  const started = performance.now();
  while (seen.length === 0 && performance.now() - started < SETTLE_MS) {
    const early = await settle(promise, 10);
    if (early.state !== "pending") return early;
  }
  return settle(promise, PENDING_MS);
}

/** What each mode must produce: never a decision or a response. */
function expectFailedClosed(outcome: Settled<unknown>, mode: Mode): void {
  if (mode === "hang") {
    expect(outcome).toEqual({ state: "pending" });
    return;
  }
  expect(outcome.state).toBe("rejected");
  const reason = outcome.state === "rejected" ? outcome.reason : undefined;
  if (mode === "error") {
    expect(reason).toBeInstanceOf(Error);
    expect(reason).not.toBeInstanceOf(StoreError);
  } else {
    expect(reason).toBeInstanceOf(StoreError);
  }
  expect(String(reason)).toMatch(/injected/);
}

async function setup() {
  const store = memoryStore();
  // 1000 iterations: cheap to verify; a successful login upgrades it (1,000,000 iterations) through setPasswordHash.
  const passwordHash = await hashPassword("s3cret", { iterations: 1000 });
  const alice = await store.createUser({ username: "alice", passwordHash });
  const { key, token } = await issueToken(store, alice.id);
  return { store, alice, key, token, passwordHash };
}

const b64 = (text: string) => btoa(text);
const withAuthorization = (value?: string) =>
  new Request("https://api.test/", value === undefined ? {} : { headers: { Authorization: value } });

interface Scenario {
  readonly name: string;
  /** The faults, for a mode. */
  readonly faults: (mode: Mode) => Faults;
  /** Runs the guard on `store` (faulty; `healthy` is the same store without faults), with alice's token `key`. */
  readonly run: (store: Store, key: string, healthy: Store) => Promise<unknown>;
  /** What the guard answers without a fault. */
  readonly healthy: { allowed: boolean; status?: number };
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "tokenAuth, findToken",
    faults: (mode) => ({ findToken: mode }),
    run: (store, key) => guard({ schemes: [tokenAuth({ store })] })(withAuthorization(`Token ${key}`)),
    healthy: { allowed: true },
  },
  {
    name: "Bearer then Token schemes, findToken",
    faults: (mode) => ({ findToken: mode }),
    run: (store, key) =>
      guard({ schemes: [tokenAuth({ store, keyword: "Bearer" }), tokenAuth({ store })] })(withAuthorization(`Bearer ${key}`)),
    healthy: { allowed: true },
  },
  {
    name: "basicAuth, the brute-force reservation (hit)",
    faults: (mode) => ({ hit: mode }),
    run: (store) => guard({ schemes: [basicAuth({ users: store })] })(withAuthorization(`Basic ${b64("alice:s3cret")}`)),
    healthy: { allowed: true },
  },
  {
    name: "basicAuth, getUserByUsername",
    faults: (mode) => ({ getUserByUsername: mode }),
    run: (store) => guard({ schemes: [basicAuth({ users: store })] })(withAuthorization(`Basic ${b64("alice:s3cret")}`)),
    healthy: { allowed: true },
  },
  {
    name: "basicAuth without brute-force protection, getUserByUsername of an unknown user",
    faults: (mode) => ({ getUserByUsername: mode }),
    run: (store) =>
      guard({ schemes: [basicAuth({ users: store, bruteForce: false })] })(withAuthorization(`Basic ${b64("mallory:x")}`)),
    healthy: { allowed: false, status: 401 },
  },
  {
    name: "basicAuth, releasing the reservation after a good login (releaseHit)",
    faults: (mode) => ({ releaseHit: { mode, when: (key: unknown) => String(key).startsWith("login:ip:") } }),
    run: (store) =>
      guard({ schemes: [basicAuth({ users: store })] })(withAuthorization(`Basic ${b64("alice:s3cret")}`), {
        clientIp: "192.0.2.1", // a known address, so that the per-IP counter (the faulty one) is used
      }),
    healthy: { allowed: true },
  },
  {
    name: "userRateThrottle after token auth, hit",
    faults: (mode) => ({ hit: mode }),
    run: (store, key) =>
      guard({ schemes: [tokenAuth({ store })], throttles: [userRateThrottle("100/min", { store })] })(
        withAuthorization(`Token ${key}`),
      ),
    healthy: { allowed: true },
  },
  {
    name: "anonRateThrottle on an anonymous request under allowAny, hit",
    faults: (mode) => ({ hit: mode }),
    run: (store) =>
      guard({
        schemes: [tokenAuth({ store })],
        permissions: [allowAny],
        throttles: [anonRateThrottle("100/min", { store })],
      })(withAuthorization(), { clientIp: "192.0.2.1" }),
    healthy: { allowed: true },
  },
  {
    name: "scopedRateThrottle counting in its own store (the token store healthy), hit",
    faults: (mode) => ({ hit: mode }),
    run: (store, key, healthy) => {
      const throttles = [scopedRateThrottle("uploads", "100/min", { store })];
      return guard({ schemes: [tokenAuth({ store: healthy })], throttles })(withAuthorization(`Token ${key}`));
    },
    healthy: { allowed: true },
  },
];

describe("guard with a failing or hanging store", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: a healthy store decides", async (_, scenario) => {
    const { store, key } = await setup();
    const decision = (await scenario.run(store, key, store)) as { allowed: boolean; error?: { status: number } };
    expect(decision.allowed).toBe(scenario.healthy.allowed);
    if (scenario.healthy.status !== undefined) expect(decision.error?.status).toBe(scenario.healthy.status);
  });

  const cases = SCENARIOS.flatMap((s) => MODES.map((mode) => [s.name, mode, s] as const));
  it.each(cases)("%s, %s: never a decision (thrown or pending)", async (_, mode, scenario) => {
    const { store, key } = await setup();
    const seen: Injection[] = [];
    const running = scenario.run(faulty(store, scenario.faults(mode), seen), key, store);
    expectFailedClosed(await settleAfterFault(running, seen), mode);
    expect(seen).toHaveLength(1);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    "%s: through timeoutStore, a hang and a plain Error both become a StoreError within the limit",
    async (_, scenario) => {
      for (const mode of ["hang", "error"] as const) {
        const { store, key } = await setup();
        const seen: Injection[] = [];
        const bounded = timeoutStore(faulty(store, scenario.faults(mode), seen), { timeoutMs: 50 });
        const outcome = await settle(scenario.run(bounded, key, store));
        const settledAt = performance.now();
        expect(outcome.state).toBe("rejected");
        const reason = outcome.state === "rejected" ? outcome.reason : undefined;
        expect(reason).toBeInstanceOf(StoreError);
        expect(String(reason)).toMatch(mode === "hang" ? /timed out after 50 ms/ : /failed/);
        // From the failing call to the StoreError: the limit (50 ms) for a hang, at once for an error (plus slack).
        const elapsedMs = settledAt - (seen[0]?.at ?? Number.NaN);
        expect(elapsedMs).toBeLessThan(500);
        if (mode === "hang") expect(elapsedMs).toBeGreaterThanOrEqual(45);
      }
    },
  );
});

describe("store calls off the decision path", () => {
  const login = withAuthorization(`Basic ${b64("alice:s3cret")}`);

  it.each(["store-error", "error", "sync-throw"] as const)(
    "a failing hash upgrade (setPasswordHash, %s) leaves the login standing and the old hash in place",
    async (mode) => {
      const { store, alice, passwordHash } = await setup();
      const decision = await guard({ schemes: [basicAuth({ users: faulty(store, { setPasswordHash: mode }) })] })(login);
      expect(decision).toMatchObject({ allowed: true, user: alice });
      expect((await store.getUserByUsername("alice"))?.passwordHash).toBe(passwordHash);
    },
  );

  it("a hanging hash upgrade holds the login without ctx.waitUntil, and not with it", async () => {
    const { store } = await setup();
    const seen: Injection[] = [];
    const protect = guard({ schemes: [basicAuth({ users: faulty(store, { setPasswordHash: "hang" }, seen) })] });
    expect(await settleAfterFault(protect(login), seen)).toEqual({ state: "pending" });
    expect(seen.map((i) => i.method)).toEqual(["setPasswordHash"]);
    const background: Promise<unknown>[] = [];
    const ctx: AuthContext = { waitUntil: (p) => background.push(p) };
    expect(await settle(protect(login, ctx), 5_000)).toMatchObject({ state: "fulfilled", value: { allowed: true } });
    expect(background).toHaveLength(1);
  });

  it("a hanging hash upgrade through timeoutStore lets the login through once the limit passes", async () => {
    const { store } = await setup();
    const users = timeoutStore(faulty(store, { setPasswordHash: "hang" }), { timeoutMs: 50 });
    expect(await settle(guard({ schemes: [basicAuth({ users })] })(login), 5_000)).toMatchObject({
      state: "fulfilled",
      value: { allowed: true },
    });
  });

  const purgeModes = ["store-error", "error", "hang"] as const;
  it.each(purgeModes)("an expired token whose purge fails (deleteToken, %s) answers `Invalid token.`", async (mode) => {
    const { store, alice } = await setup();
    const { key } = await issueToken(store, alice.id, { now: 0, ttlMs: 1_000 });
    const ctx: AuthContext = { now: () => 5_000, waitUntil: () => undefined };
    const protect = guard({ schemes: [tokenAuth({ store: faulty(store, { deleteToken: mode }) })] });
    const decision = await protect(withAuthorization(`Token ${key}`), ctx);
    expect(decision).toMatchObject({ allowed: false, error: { status: 401, detail: "Invalid token." } });
  });

  it("a synchronously throwing deleteToken (a contract breach) turns the expired token's 401 into a StoreError", async () => {
    const { store, alice } = await setup();
    const { key } = await issueToken(store, alice.id, { now: 0, ttlMs: 1_000 });
    const ctx: AuthContext = { now: () => 5_000, waitUntil: () => undefined };
    const protect = guard({ schemes: [tokenAuth({ store: faulty(store, { deleteToken: "sync-throw" }) })] });
    await expect(protect(withAuthorization(`Token ${key}`), ctx)).rejects.toBeInstanceOf(StoreError);
  });
});

function postLogin(password = "s3cret"): Request {
  return new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "alice", password }),
  });
}

async function expect503(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(await response.text()).toBe(UNAVAILABLE);
}

describe("endpoints with a failing or hanging store", () => {
  const obtainFaults: readonly [string, (mode: Mode) => Faults][] = [
    ["the brute-force reservation (hit)", (mode) => ({ hit: mode })],
    ["getUserByUsername", (mode) => ({ getUserByUsername: mode })],
    ["createToken", (mode) => ({ createToken: mode })],
  ];

  const failing = ["store-error", "error", "sync-throw"] as const;
  it.each(obtainFaults.flatMap(([name, faults]) => failing.map((mode) => [name, mode, faults] as const)))(
    "obtainTokenHandler, %s (%s): 503, and no token stored",
    async (_, mode, faults) => {
      const { store, alice, token } = await setup();
      await expect503(await obtainTokenHandler({ store: faulty(store, faults(mode)) })(postLogin()));
      expect(await listTokens(store, alice.id)).toEqual([token]);
    },
  );

  it.each(obtainFaults)("obtainTokenHandler, %s: a hang stays pending; through timeoutStore, 503", async (_, faults) => {
    const { store, alice, token } = await setup();
    const seen: Injection[] = [];
    const hung = obtainTokenHandler({ store: faulty(store, faults("hang"), seen) })(postLogin());
    expect(await settleAfterFault(hung, seen)).toEqual({ state: "pending" });
    const bounded = timeoutStore(faulty(store, faults("hang")), { timeoutMs: 50 });
    await expect503(await obtainTokenHandler({ store: bounded })(postLogin()));
    expect(await listTokens(store, alice.id)).toEqual([token]);
  });

  it("issueToken on a store whose createToken fails rejects with the StoreError and leaves no token behind", async () => {
    const { store, alice, token } = await setup();
    await expect(issueToken(faulty(store, { createToken: "store-error" }), alice.id)).rejects.toBeInstanceOf(StoreError);
    expect(await listTokens(store, alice.id)).toEqual([token]);
  });

  it("a createToken that stores the token, then fails (a lost acknowledgement): 503, the key never disclosed", async () => {
    const { store, alice } = await setup();
    const lostAck = new Proxy(store, {
      get: (target, property, receiver) =>
        property === "createToken"
          ? async (...args: Parameters<Store["createToken"]>) => {
              await target.createToken(...args);
              throw new StoreError("injected: connection lost after commit");
            }
          : Reflect.get(target, property, receiver),
    });
    await expect503(await obtainTokenHandler({ store: lostAck })(postLogin()));
    // The orphan row is listed (and revocable), but nobody holds its key: it can never authenticate.
    expect(await listTokens(store, alice.id)).toHaveLength(2);
  });

  const logoutCases = [
    ["logoutHandler", "findToken", logoutHandler],
    ["logoutHandler", "deleteToken", logoutHandler],
    ["logoutAllHandler", "findToken", logoutAllHandler],
    ["logoutAllHandler", "deleteUserTokens", logoutAllHandler],
  ] as const;

  it.each(logoutCases)("%s, %s: 503 on any failure, pending on a hang (503 via timeoutStore)", async (_, method, handlerOf) => {
    const { store, alice, key, token } = await setup();
    const headers = { Authorization: `Token ${key}` };
    const request = () => new Request("https://api.test/logout/", { method: "POST", headers });
    const logout = (s: Store) => handlerOf({ store: s })(request());
    await expect503(await logout(faulty(store, { [method]: "store-error" })));
    await expect503(await logout(faulty(store, { [method]: "sync-throw" })));
    await expect503(await logout(faulty(store, { [method]: "error" })));
    expect(await settle(logout(faulty(store, { [method]: "hang" })), PENDING_MS)).toEqual({ state: "pending" });
    await expect503(await logout(timeoutStore(faulty(store, { [method]: "hang" }), { timeoutMs: 50 })));
    expect(await listTokens(store, alice.id)).toEqual([token]);
    expect((await logout(store)).status).toBe(204);
  });
});
