import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { parseTtl } from "./ttl.js";

describe("parseTtl: the Date range", () => {
  const now = Date.UTC(2026, 0, 1);

  it("refuses a lifetime whose expiry is past the end of JavaScript's Date range with a usage error (exit 2)", () => {
    for (const text of ["100000000d", "2400000000h", "8640000000000s"]) {
      let error: unknown;
      try {
        parseTtl(text, now);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode, text).toBe(2);
      expect((error as Error).message, text).toMatch(/past the end of JavaScript's Date range/);
    }
  });

  it("accepts the longest lifetime that still fits", () => {
    const days = Math.floor((8.64e15 - now) / 86_400_000);
    expect(parseTtl(`${days}d`, now)).toBe(days * 86_400_000);
    expect(() => parseTtl(`${days + 1}d`, now)).toThrow(/Date range/);
  });
});
