/** HMAC signing keys shorter than the hash output are refused unless explicitly allowed; a missing key fails at once. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { jwtSettings } from "./settings.js";

describe("jwtSettings: the HMAC key length", () => {
  it("refuses a key shorter than the hash output (bytes, not characters) with a ConfigError naming signingKey", () => {
    for (const [algorithm, bytes] of [["HS256", 32], ["HS384", 48], ["HS512", 64]] as const) {
      expect(() => jwtSettings({ algorithm, signingKey: "k".repeat(bytes - 1) }), algorithm).toThrow(ConfigError);
      expect(() => jwtSettings({ algorithm, signingKey: "k".repeat(bytes - 1) }), algorithm).toThrow(/signingKey: an HS\d+ key must be at least/);
      expect(() => jwtSettings({ algorithm, signingKey: new Uint8Array(bytes - 1) }), algorithm).toThrow(ConfigError);
      expect(() => jwtSettings({ algorithm, signingKey: "k".repeat(bytes) }), algorithm).not.toThrow();
      expect(() => jwtSettings({ algorithm, signingKey: "short", allowShortSigningKey: true }), algorithm).not.toThrow();
    }
    expect(() => jwtSettings({ signingKey: "é".repeat(16) })).not.toThrow(); // 16 characters, 32 UTF-8 bytes
    expect(() => jwtSettings({ signingKey: "short" })).not.toThrow(/short/); // the message never holds the key
  });

  it("fails when built, not at the first request, when the key is missing (an unset environment variable)", () => {
    const env: Record<string, string | undefined> = {};
    expect(() => jwtSettings({ signingKey: env.SECRET_KEY })).toThrow(/signingKey/);
    expect(() => jwtSettings({ signingKey: "" })).toThrow(/signingKey/);
    expect(() => jwtSettings({ signingKey: "", allowShortSigningKey: true })).toThrow(/must not be empty/);
    expect(() => jwtSettings({ allowShortSigningKey: "yes" as never, signingKey: "x".repeat(32) })).toThrow(/allowShortSigningKey/);
  });
});
