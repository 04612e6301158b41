import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "./index.js";

interface Vector {
  readonly algorithm: string;
  readonly password: string;
  readonly encoded: string;
}

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL("../../test/vectors/django-password-hashes.json", import.meta.url), "utf8"),
);

describe.concurrent("Django's own hashes (test/vectors/django-password-hashes.json)", () => {
  it("holds every algorithm Portcullis reads", () => {
    const algorithms = new Set(vectors.map((vector) => vector.algorithm));
    expect([...algorithms].sort()).toEqual([
      "argon2", "bcrypt", "bcrypt_sha256", "md5", "pbkdf2_sha1", "pbkdf2_sha256", "scrypt", "sha1", "unsalted_md5",
      "unsalted_sha1",
    ]);
  });

  it.each(vectors)("$algorithm $encoded verifies with its password", async ({ algorithm, password, encoded }) => {
    const check = await verifyPassword(password, encoded);
    expect(check.valid).toBe(true);
    expect(check.needsRehash).toBe(algorithm !== "pbkdf2_sha256" || !isCurrentDefault(encoded));
  });

  it.each(vectors)("$algorithm $encoded fails with another password", async ({ password, encoded }) => {
    expect(await verifyPassword(`${password}x`, encoded)).toEqual({ valid: false, needsRehash: false });
  });
});

/** `pbkdf2_sha256` at or above 1,000,000 iterations with a salt of 22 characters or more. */
function isCurrentDefault(encoded: string): boolean {
  const [, iterations, salt] = encoded.split("$");
  return Number(iterations) === 1_000_000 && (salt ?? "").length >= 22;
}
