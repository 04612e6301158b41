/**
 * A store failure through each adapter: a 503, and exactly one report of it: one `console.error` line with the
 * cause when no hook is configured, else exactly one `store.failed` event (and no console output). A store may
 * answer `findToken` directly, so it may also fail by throwing synchronously: the same 503 and the same report.
 */
import { tokenAuth, type AuthEvent, type Policy, type Store } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withAuth as denoAuth } from "../src/deno.js";
import { withAuth as fetchAuth } from "../src/fetch.js";
import { auth, mountTokenEndpoints } from "../src/hono.js";
import { withAuth as workersAuth } from "../src/workers.js";

const causes: Error[] = [];
const fail = () => Promise.reject(causes[causes.push(new Error("connect ECONNREFUSED 127.0.0.1:5432")) - 1]);
const broken: Store = { ...memoryStore(), findToken: fail, getUserByUsername: fail };
const throwing: Store = {
  ...broken,
  findToken: () => {
    throw causes[causes.push(new Error("connect ECONNREFUSED 127.0.0.1:5432")) - 1];
  },
};
const request = () => new Request("https://api.test/api/me", { headers: { authorization: "Token abc" } });
const ok = () => new Response("handler ran");

type Run = (policy: Policy) => Promise<Response>;

const adapters: [string, Run][] = [
  ["hono auth()", (policy) => {
    const app = new Hono();
    app.get("/api/me", auth(policy), ok);
    return Promise.resolve(app.request(request()));
  }],
  ["workers withAuth", (policy) => workersAuth(policy, ok).fetch(request(), {}, { waitUntil: () => undefined })],
  ["deno withAuth", (policy) => denoAuth(policy, ok)(request(), { remoteAddr: { hostname: "127.0.0.1" } } as never)],
  ["fetch withAuth", (policy) => fetchAuth(policy, ok)(request())],
];

afterEach(() => vi.restoreAllMocks());

const cases = adapters.flatMap(([name, run]): [string, string, Run, Store][] => [
  [name, "rejects", run, broken],
  [name, "throws synchronously", run, throwing],
]);

describe.each(cases)("%s with a store that %s", (_name, _how, run, store) => {
  it("answers 503 and logs exactly one console.error line with the cause", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await run({ schemes: [tokenAuth({ store })] });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: "Authentication service unavailable." });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]).toContain(causes.at(-1));
  });

  it("with onEvent: answers 503 and sends exactly one store.failed event, logging nothing", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const events: AuthEvent[] = [];
    const response = await run({ schemes: [tokenAuth({ store })], onEvent: (e) => void events.push(e) });
    expect(response.status).toBe(503);
    expect(errors).not.toHaveBeenCalled();
    expect(events).toEqual([{ type: "store.failed", error: causes.at(-1) }]);
  });
});

describe("mountTokenEndpoints with a failing store", () => {
  const login = () => new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "alice", password: "pw" }),
  });

  it("logs once without a hook, and sends one event with onEvent", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const plain = mountTokenEndpoints(new Hono(), { store: broken });
    expect((await plain.request(login())).status).toBe(503);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]).toContain(causes.at(-1));
    const events: AuthEvent[] = [];
    const hooked = mountTokenEndpoints(new Hono(), { store: broken, onEvent: (e) => void events.push(e) });
    expect((await hooked.request(login())).status).toBe(503);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(events).toEqual([{ type: "store.failed", error: causes.at(-1) }]);
  });
});
