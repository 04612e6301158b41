import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { hashPassword, verifyPassword } from "./index.js";

const FORMAT = /^pbkdf2_sha256\$(\d+)\$([a-zA-Z0-9]{22})\$([A-Za-z0-9+/]{43}=)$/;

describe.concurrent("hashPassword", () => {
  it("writes Django 5.2's default: pbkdf2_sha256, 1,000,000 iterations, a 22-character salt", async () => {
    const encoded = await hashPassword("lètmein");
    expect(encoded).toMatch(FORMAT);
    expect(FORMAT.exec(encoded)?.[1]).toBe("1000000");
    expect(await verifyPassword("lètmein", encoded)).toEqual({ valid: true, needsRehash: false });
    expect(await verifyPassword("letmein", encoded)).toEqual({ valid: false, needsRehash: false });
  });

  it("round-trips the empty password and one longer than a SHA-256 block", async () => {
    for (const password of ["", "p".repeat(100), "🔐 ünïcödé"]) {
      const encoded = await hashPassword(password, { iterations: 1000 });
      expect((await verifyPassword(password, encoded)).valid).toBe(true);
    }
  });

  it("draws a fresh salt from Django's alphabet every time", async () => {
    const salts = await Promise.all(
      Array.from({ length: 20 }, async () => FORMAT.exec(await hashPassword("same", { iterations: 1 }))?.[2]),
    );
    expect(new Set(salts).size).toBe(20);
  });

  it("takes iterations, and asks for a rehash below the default", async () => {
    const encoded = await hashPassword("secret", { iterations: 1000 });
    expect(encoded).toMatch(/^pbkdf2_sha256\$1000\$/);
    expect(await verifyPassword("secret", encoded)).toEqual({ valid: true, needsRehash: true });
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, 10_000_001, "1000"])("refuses iterations %s", async (iterations) => {
    const options = { iterations } as unknown as { iterations: number };
    await expect(hashPassword("secret", options)).rejects.toThrow(ConfigError);
    await expect(hashPassword("secret", options)).rejects.toMatchObject({ option: "iterations" });
  });

  it("refuses a password that is not a well-formed string", async () => {
    await expect(hashPassword(null as unknown as string)).rejects.toThrow(TypeError);
    await expect(hashPassword("\uD800")).rejects.toThrow(TypeError);
  });
});
