/**
 * Conformance tests of the rate throttles running on a counter store (internal): the limits a policy states hold
 * on the store, whatever else shares its keys.
 * @module
 */
import { describe, expect, it } from "vitest";
import { allowAny, anonRateThrottle, guard, userRateThrottle, type CounterStore, type Scheme } from "@portcullis/core";
import { T0, uniqueName, type StoreAccessor } from "./_fixtures.js";

/** Authenticates every request as the user of `X-User`. */
const headerUser: Scheme<{ id: string }, null> = {
  name: "header",
  async authenticate(request) {
    const id = request.headers.get("x-user");
    return id === null ? { type: "skip" } : { type: "success", user: { id }, auth: null };
  },
};

/** Registers the throttle tests on the counter store of `store`. */
export function throttleTests(store: StoreAccessor<CounterStore>): void {
  describe("counters: throttles", () => {
    it("two throttles sharing a scope with different rates (2/sec, 3/day) each keep their limit", async () => {
      const scope = uniqueName("api");
      const throttles = [userRateThrottle("2/sec", { store: store(), scope }), userRateThrottle("3/day", { store: store(), scope })];
      const check = guard({ schemes: [headerUser], permissions: [allowAny], throttles });
      const at = async (seconds: number) =>
        (await check(new Request("https://api.test/", { headers: { "X-User": "u1" } }), { now: () => T0 + seconds * 1000 })).allowed;
      expect([await at(0), await at(10), await at(20)]).toEqual([true, true, true]);
      expect([await at(30), await at(40)]).toEqual([false, false]);
      expect(await at(86_400)).toBe(true);
    });

    it("anonymous clients of one IPv6 /64 share a count; requests with no address are not counted", async () => {
      const scope = uniqueName("anon");
      const check = guard({ schemes: [], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: store(), scope })] });
      const from = async (clientIp?: string) => (await check(new Request("https://api.test/"), { clientIp, now: () => T0 })).allowed;
      expect(await from("2001:db8:1234:5678::1")).toBe(true);
      expect(await from("2001:db8:1234:5678::2")).toBe(false);
      expect([await from(), await from(), await from("unknown")]).toEqual([true, true, true]);
    });
  });
}
