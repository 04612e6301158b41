import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { ConfigError, StoreError, guard, timeoutStore, tokenAuth } from "../index.js";
import type { Store } from "../index.js";

function hanging(store: Store, method: keyof Store): Store {
  return new Proxy(store, {
    get: (target, property, receiver) =>
      property === method ? () => new Promise(() => undefined) : Reflect.get(target, property, receiver),
  });
}

describe("timeoutStore", () => {
  it("turns a hanging call into a StoreError within the limit", async () => {
    const store = timeoutStore(hanging(memoryStore(), "findToken"), { timeoutMs: 50 });
    const started = Date.now();
    await expect(store.findToken("ab".repeat(32))).rejects.toThrow(StoreError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("makes guard fail closed on a hanging store instead of waiting forever", async () => {
    const store = timeoutStore(hanging(memoryStore(), "findToken"), { timeoutMs: 50 });
    const check = guard({ schemes: [tokenAuth({ store })] });
    const request = new Request("https://api.test/", { headers: { authorization: "Token abc" } });
    await expect(check(request)).rejects.toThrow(/findToken timed out after 50 ms/);
  });

  it("wraps other errors in StoreError with the cause, and passes results through", async () => {
    const inner = memoryStore();
    const failing = new Proxy(inner, {
      get: (t, p, r) => (p === "getUserById" ? async () => Promise.reject(new TypeError("socket closed")) : Reflect.get(t, p, r)),
    });
    const store = timeoutStore(failing, { timeoutMs: 1_000 });
    const error = await store.getUserById("1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).cause).toBeInstanceOf(TypeError);
    const user = await store.createUser({ username: "alice", passwordHash: "!" });
    expect(await store.getUserByUsername("alice")).toMatchObject({ user: { id: user.id } });
  });

  it("validates its options", () => {
    expect(() => timeoutStore(memoryStore(), { timeoutMs: 0 })).toThrow(ConfigError);
    expect(() => timeoutStore({} as Store)).toThrow(ConfigError);
    expect(() => timeoutStore(null as unknown as Store)).toThrow(ConfigError);
    const { hit, releaseHit, purgeCounters } = memoryStore();
    expect(() => timeoutStore({ hit, releaseHit, purgeCounters })).not.toThrow();
  });
});
