import { describe, expect, it } from "vitest";
import { sha256Hex } from "../internal/sha256.js";
import { deepFreeze, verifiedCache } from "./_verified-cache.js";

const NOW = 1_800_000_000_000;
const payload = (exp: unknown) => ({ token_type: "access", exp, jti: "j", user_id: 1, aud: ["a"], nested: { x: [1] } });

describe("verifiedCache", () => {
  it("remembers a verified payload by the token's digest until exp + leeway", () => {
    const cache = verifiedCache(10);
    const exp = NOW / 1000 + 60;
    cache.set("tok.en.sig", payload(exp), 5_000, NOW);
    expect(cache.get("tok.en.sig", NOW)).toMatchObject({ exp });
    expect(cache.get("tok.en.sig", NOW + 60_000 + 5_000)).toMatchObject({ exp }); // within the leeway (claims decide)
    expect(cache.get("tok.en.sig", NOW + 60_000 + 5_000 + 1_000)).toBeUndefined();
    expect(cache.get("tok.en.sig", NOW)).toBeUndefined(); // an expired entry is dropped, not revived
    expect(cache.get("tok.en.sig2", NOW)).toBeUndefined();
  });

  it("never keeps the raw token: the key is the digest", () => {
    const cache = verifiedCache(10);
    const held = cache.set("secret.token.value", payload(NOW / 1000 + 60), 0, NOW);
    expect(JSON.stringify(held)).not.toContain("secret.token.value");
    expect(sha256Hex("secret.token.value")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("holds at most `size` tokens, dropping the oldest first", () => {
    const cache = verifiedCache(2);
    const exp = NOW / 1000 + 60;
    for (const raw of ["a", "b", "c"]) cache.set(raw, payload(exp), 0, NOW);
    expect(cache.get("a", NOW)).toBeUndefined();
    expect(cache.get("b", NOW)).toBeDefined();
    expect(cache.get("c", NOW)).toBeDefined();
  });

  it("does not remember tokens without a numeric exp, already expired ones, or anything at size 0", () => {
    const cache = verifiedCache(10);
    cache.set("no-exp", { jti: "j" }, 0, NOW);
    cache.set("string-exp", payload(String(NOW / 1000 + 60)), 0, NOW);
    cache.set("expired", payload(NOW / 1000 - 10), 0, NOW);
    for (const raw of ["no-exp", "string-exp", "expired"]) expect(cache.get(raw, NOW)).toBeUndefined();
    const off = verifiedCache(0);
    off.set("t", payload(NOW / 1000 + 60), 0, NOW);
    expect(off.get("t", NOW)).toBeUndefined();
  });

  it("deep-freezes what it hands out, so no caller can change a cached payload", () => {
    const cache = verifiedCache(10);
    const held = cache.set("t", payload(NOW / 1000 + 60), 0, NOW) as ReturnType<typeof payload>;
    expect(Object.isFrozen(held) && Object.isFrozen(held.aud) && Object.isFrozen(held.nested.x)).toBe(true);
    expect(() => (held.aud as string[]).push("evil")).toThrow(TypeError);
    expect(deepFreeze(null)).toBeNull();
  });
});
