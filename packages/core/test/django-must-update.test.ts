/**
 * `needsRehash` for PBKDF2 rows against Django's own `must_update`, run for real: Django 5.2's hasher (1,000,000
 * iterations) updates a row whose count differs in either direction, or whose salt is too short.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isPbkdf2Current } from "../src/passwords/pbkdf2.js";
import { hasDjango, runDrfScript } from "./_django.js";

const vectors = JSON.parse(readFileSync(new URL("./vectors/django-password-hashes.json", import.meta.url), "utf8")) as {
  encoded: string;
}[];

const HASH = "egbhFghgsJVDo5Tpg/k9ZnfbySKQ1UQnBYXhR97a7sk=";
const SALT = "Xq7pLm2ZrT9vBn4KcW8sYd";
const synthesized = [999_999, 1_000_000, 1_000_001, 1_200_000, 2_000_000, 600_000].map(
  (iterations) => `pbkdf2_sha256$${iterations}$${SALT}$${HASH}`,
);
const rows = [...vectors.map((v) => v.encoded).filter((e) => e.startsWith("pbkdf2_sha256$")), ...synthesized];

describe.skipIf(!hasDjango)("needsRehash against Django's must_update (PBKDF2, Django 5.2's count)", () => {
  it("agrees on every pbkdf2_sha256 row: a count above the default is updated too", () => {
    const django = runDrfScript<boolean[]>("must_update.py", rows);
    const ours = rows.map((row) => !isPbkdf2Current(row));
    expect(ours.map((needsRehash, i) => [rows[i], needsRehash])).toEqual(django.map((mustUpdate, i) => [rows[i], mustUpdate]));
    expect(django[rows.indexOf(`pbkdf2_sha256$1200000$${SALT}$${HASH}`)]).toBe(true);
  });
});
