/**
 * `registeredClaimsWindow` is what a cache hit of `jwtAuth` checks instead of `checkRegisteredClaims`: for a
 * payload the full check accepted once, the two must agree at every instant. Compared here second by second around
 * every boundary, with whole and fractional leeways, fractional timestamps, and through `jwtAuth` itself.
 */
import { describe, expect, it } from "vitest";
import { guard } from "../guard.js";
import { checkRegisteredClaims, registeredClaimsWindow } from "./claims.js";
import { jwtAuth } from "./jwt-auth.js";
import { mintAccessToken } from "./mint.js";
import { jwtSettings } from "./settings.js";

const KEY = "claims-window-test-secret-key-of-32-bytes";
const T = 1_900_000_000; // seconds

describe("registeredClaimsWindow", () => {
  const payloads: Record<string, unknown>[] = [
    { exp: T + 300, iat: T },
    { exp: T + 300.75, iat: T + 0.5 },
    { exp: T + 300, iat: T, nbf: T + 60 },
    { exp: T + 300, nbf: T + 59.9 },
    { exp: T + 10 },
    { iat: T }, // no exp: the full check never expires it either
    { exp: T + 300, iat: T + 120 }, // issued "in the future" until the clock reaches it
  ];
  for (const leewayMs of [0, 1000, 1500, 30_000]) {
    it(`agrees with checkRegisteredClaims second by second (leeway ${leewayMs} ms)`, () => {
      const settings = jwtSettings({ signingKey: KEY, leewayMs });
      for (const payload of payloads) {
        const { fromSec, untilSec } = registeredClaimsWindow(payload, settings);
        for (let ms = (T - 100) * 1000; ms <= (T + 400) * 1000; ms += 250) {
          const nowSec = Math.floor(ms / 1000);
          const inWindow = nowSec >= fromSec && nowSec < untilSec;
          expect({ payload, ms, ok: inWindow }).toEqual({ payload, ms, ok: checkRegisteredClaims(payload, settings, ms) === null });
        }
      }
    });
  }

  it("makes a cached token answer as an uncached one before nbf, inside the window and after exp", async () => {
    const settings = jwtSettings({ signingKey: KEY, leewayMs: 1500, accessTokenLifetimeMs: 60_000 });
    const { token } = await mintAccessToken(settings, { id: "7" }, { now: T * 1000, claims: { nbf: T + 20 } });
    const cached = guard({ schemes: [jwtAuth({ jwt: settings, stateless: true })] });
    const uncached = guard({ schemes: [jwtAuth({ jwt: settings, stateless: true, cacheSize: 0 })] });
    const request = () => new Request("http://api.test/", { headers: { Authorization: `Bearer ${token}` } });
    // Cache it inside its window first, then walk the clock over both edges (backwards too).
    expect((await cached(request(), { now: () => (T + 30) * 1000 })).allowed).toBe(true);
    const seen: boolean[] = [];
    for (const sec of [T + 17, T + 18, T + 19, T + 20, T + 40, T + 60, T + 61, T + 62, T + 63, T + 18]) {
      const [a, b] = [await cached(request(), { now: () => sec * 1000 }), await uncached(request(), { now: () => sec * 1000 })];
      expect(a.allowed).toBe(b.allowed);
      seen.push(a.allowed);
    }
    expect(seen).toContain(true);
    expect(seen).toContain(false);
  });
});
