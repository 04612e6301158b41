import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { compat, compatOf, DEFAULT_COMPAT } from "./index.js";

describe("compat()", () => {
  it("defaults to today's releases: Django 5.2, DRF 3.17, simplejwt 5.5.1", () => {
    expect([DEFAULT_COMPAT.django.text, DEFAULT_COMPAT.drf.text, DEFAULT_COMPAT.simplejwt.text]).toEqual(["5.2", "3.17", "5.5.1"]);
    expect(DEFAULT_COMPAT.hashers.pbkdf2Iterations).toBe(1_000_000);
    expect(DEFAULT_COMPAT.jwt.userIdType).toBe("string");
    expect(DEFAULT_COMPAT.rest.basicWithoutColon).toBe("malformed");
  });

  it.each([
    ["3.2", 260_000, null], ["4.0", 320_000, 1], ["4.1", 390_000, 1], ["4.2", 600_000, 1], ["5.0", 720_000, 1],
    ["5.1", 870_000, 5], ["5.2", 1_000_000, 5], ["6.0", 1_200_000, 5], ["6.1", 1_500_000, 5],
  ] as const)("Django %s writes PBKDF2 at %i and scrypt p=%s", (django, iterations, p) => {
    const { hashers } = compat({ django });
    expect(hashers.pbkdf2Iterations).toBe(iterations);
    expect(hashers.scrypt?.p ?? null).toBe(p);
    expect(hashers.passwordHashers.includes("scrypt")).toBe(p !== null);
  });

  it("reads patch levels where a patch changed behaviour (4.1.8, 4.2.14, 5.0.7); a bare minor is its newest patch", () => {
    expect(compat({ django: "4.2.13" }).hashers.hashesUnusable).toBe(false);
    expect(compat({ django: "4.2.14" }).hashers.hashesUnusable).toBe(true);
    expect(compat({ django: "4.2" }).hashers.hashesUnusable).toBe(true);
    expect(compat({ django: "5.0.6" }).hashers.hashesUnusable).toBe(false);
    expect(compat({ django: "5.0.7" }).hashers.hashesUnusable).toBe(true);
    expect(compat({ django: "4.1" }).hashers.hashesUnusable).toBe(false);
    expect(compat({ django: "4.1.7" }).sessions.sessionHashFallbacks).toBe(false);
    expect(compat({ django: "4.1.8" }).sessions.sessionHashFallbacks).toBe(true);
    expect(compat({ django: "3.2" }).sessions).toMatchObject({ acceptsSha1: true, signingFallbacks: false, isoExpiry: false });
  });

  it("argon2's hash length follows argon2-cffi, and is 32 from Django 6.0", () => {
    expect(compat({ django: "4.2", argon2HashLen: 16 }).hashers.argon2.hashLen).toBe(16);
    expect(compat({ django: "6.0", argon2HashLen: 16 }).hashers.argon2.hashLen).toBe(32);
  });

  it("simplejwt: 5.2 writes numeric ids and copies iat; 5.4 checks the user on refresh; 5.5.1 writes strings", () => {
    expect(compat({ simplejwt: "5.2" }).jwt).toMatchObject({ userIdType: "number", accessCopiesRefreshIat: true, refreshChecksUser: false, blacklistUser: "none" });
    expect(compat({ simplejwt: "5.4" }).jwt).toMatchObject({ userIdType: "number", refreshChecksUser: true, blacklistUser: "claim" });
    expect(compat({ simplejwt: "5.5.0" }).jwt).toMatchObject({ userIdType: "number", separateExpiredMessage: true, outstandsRotated: true });
    expect(compat({ simplejwt: "5.5.1" }).jwt).toMatchObject({ userIdType: "string", accessCopiesRefreshIat: false });
  });

  it.each([
    [{ django: "3.1" }, "django"], [{ django: "7.0" }, "django"], [{ django: "4" }, "django"], [{ drf: "3.13" }, "drf"],
    [{ drf: "3.15.0" }, "drf"], [{ simplejwt: "5.5" }, "simplejwt"], [{ simplejwt: "5.1" }, "simplejwt"],
    [{ argon2HashLen: 24 }, "argon2HashLen"], [{ djang: "4.2" }, "djang"],
  ])("refuses %j with a ConfigError naming %s and the supported releases", (options, option) => {
    const make = () => compat(options as Parameters<typeof compat>[0]);
    expect(make).toThrow(ConfigError);
    try { make(); } catch (error) { expect((error as ConfigError).option).toBe(option); }
  });

  it("names the supported releases in the message", () => {
    expect(() => compat({ django: "2.2" })).toThrow(/3\.2, 4\.0, 4\.1, 4\.2, 5\.0, 5\.1, 5\.2, 6\.0, 6\.1/);
  });

  it("compatOf: undefined is the default; anything not built by compat() is refused", () => {
    expect(compatOf(undefined)).toBe(DEFAULT_COMPAT);
    expect(() => compatOf({ django: "4.2" })).toThrow(ConfigError);
  });
  it("states Django's password reset and validation facts: fallbacks from 4.1, 3.2's legacy tokens, the 4.2 list", () => {
    expect(compat({ django: "3.2" }).accounts).toEqual({ resetTokenFallbacks: false, resetTokenLegacy: true, commonPasswords: "3.2" });
    expect(compat({ django: "4.0" }).accounts).toEqual({ resetTokenFallbacks: false, resetTokenLegacy: false, commonPasswords: "3.2" });
    expect(compat({ django: "4.1" }).accounts).toEqual({ resetTokenFallbacks: true, resetTokenLegacy: false, commonPasswords: "3.2" });
    expect(compat({ django: "4.2" }).accounts.commonPasswords).toBe("4.2");
  });
});
