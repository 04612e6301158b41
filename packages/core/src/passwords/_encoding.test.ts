import { describe, expect, it } from "vitest";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { decodeBase64, decodeHex, encodeBase64, isWellFormed, parsePositiveInt } from "./_encoding.js";

describe("the field decoders", () => {
  it("compare bytes by value and length", () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it("decode only canonical base64", () => {
    expect(decodeBase64("c29tZXNhbHQ=")).toEqual(new TextEncoder().encode("somesalt"));
    expect(decodeBase64("c29tZXNhbHQ", false)).toEqual(new TextEncoder().encode("somesalt"));
    for (const text of ["c29tZXNhbHQ", "c29tZXNhbHR=", "c29t ZXNh", "c29tZXNhbHQ==", "c2-_", "a"]) {
      expect([text, decodeBase64(text)]).toEqual([text, null]);
    }
    expect(decodeBase64("c29tZXNhbHQ=", false)).toBeNull();
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff), false)).toBe("+/8");
  });

  it("decode lowercase hex, positive decimals as %d writes them, and spot lone surrogates", () => {
    expect(decodeHex("00ff")).toEqual(Uint8Array.of(0, 255));
    expect([decodeHex("00FF"), decodeHex("abc"), decodeHex("")]).toEqual([null, null, null]);
    expect(["1", "1000000", "0", "01", "-1", "+1", "1e6", " 1", "1.0", undefined].map(parsePositiveInt)).toEqual([
      1, 1_000_000, null, null, null, null, null, null, null, null,
    ]);
    expect([isWellFormed("lètmein 🔐"), isWellFormed("\uD83D"), isWellFormed("a\uDC10")]).toEqual([true, false, false]);
  });
});
