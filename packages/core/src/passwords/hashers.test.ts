import { describe, expect, it } from "vitest";
import { compat } from "../compat/index.js";
import { ConfigError } from "../errors.js";
import { DEFAULT_PASSWORD_HASHERS, hashPassword, passwordHashers, passwordHashersOf, verifyPassword } from "./index.js";

const django32 = compat({ django: "3.2", argon2HashLen: 16 });
const django42 = compat({ django: "4.2" });
const cheap = {
  pbkdf2_sha256: { iterations: 1_000 },
  argon2: { memoryCost: 64, timeCost: 1, parallelism: 1 },
  bcrypt_sha256: { rounds: 4 },
  bcrypt: { rounds: 4 },
  scrypt: { n: 1_024, r: 8, p: 1 },
} as const;

describe("passwordHashers()", () => {
  it("defaults to the release's PASSWORD_HASHERS and parameters", async () => {
    expect(passwordHashers({ compat: django32 }).algorithms).toEqual(["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256"]);
    expect(passwordHashers({ compat: django42 }).algorithms).toContain("scrypt");
    expect(await passwordHashers({ compat: django32 }).hash("pw")).toMatch(/^pbkdf2_sha256\$260000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    ["argon2", /^argon2\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{22}$/],
    ["bcrypt_sha256", /^bcrypt_sha256\$\$2b\$04\$[./A-Za-z0-9]{53}$/],
    ["bcrypt", /^bcrypt\$\$2b\$04\$[./A-Za-z0-9]{53}$/],
    ["scrypt", /^scrypt\$1024\$[A-Za-z0-9]{22}\$8\$1\$[A-Za-z0-9+/]{86}==$/],
    ["pbkdf2_sha1", /^pbkdf2_sha1\$260000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{27}=$/],
  ] as const)("writes %s as Django does, and reads it back as current", async (algorithm, shape) => {
    const releases = algorithm === "scrypt" ? django42 : django32;
    const hashers = passwordHashers({ compat: releases, hashers: [algorithm, "pbkdf2_sha256"], overrides: cheap });
    const encoded = await hashers.hash("pässword");
    expect(encoded).toMatch(shape);
    expect(await hashers.verify("pässword", encoded)).toEqual({ valid: true, needsRehash: false });
    expect(await hashers.verify("password", encoded)).toEqual({ valid: false, needsRehash: false });
    // The same row under a list that prefers something else: valid, and rewritten (hasher_changed).
    const other = passwordHashers({ compat: releases, hashers: ["pbkdf2_sha256", algorithm], overrides: cheap });
    expect(await other.verify("pässword", encoded)).toEqual({ valid: true, needsRehash: true });
  });

  it("argon2's hash length is the release's: a 32-byte row is rewritten where 16 is current, and back", async () => {
    const sixteen = passwordHashers({ compat: django32, hashers: ["argon2"], overrides: { argon2: cheap.argon2 } });
    const thirtyTwo = passwordHashers({ compat: compat({ django: "6.0" }), hashers: ["argon2"], overrides: { argon2: cheap.argon2 } });
    const short = await sixteen.hash("pw");
    const long = await thirtyTwo.hash("pw");
    expect(await thirtyTwo.verify("pw", short)).toEqual({ valid: true, needsRehash: true });
    expect(await sixteen.verify("pw", long)).toEqual({ valid: true, needsRehash: true });
  });

  it("rows of an algorithm not listed are invalid, even with the right password", async () => {
    const md5Row = "md5$seasalt$f5531bef9f3687d0ccf0f617f0e25573"; // "letmein"
    expect(await DEFAULT_PASSWORD_HASHERS.verify("letmein", md5Row)).toEqual({ valid: true, needsRehash: true });
    const listed = passwordHashers({ compat: django32, hashers: ["pbkdf2_sha256"], overrides: cheap });
    expect(await listed.verify("letmein", md5Row)).toEqual({ valid: false, needsRehash: false });
    const withMd5 = passwordHashers({ compat: django32, hashers: ["pbkdf2_sha256", "md5"], overrides: cheap });
    expect(await withMd5.verify("letmein", md5Row)).toEqual({ valid: true, needsRehash: true });
  });

  it.each([
    [{ hashers: [] }, "hashers"],
    [{ hashers: ["pbkdf2_sha512"] }, "hashers"],
    [{ hashers: ["pbkdf2_sha256", "pbkdf2_sha256"] }, "hashers"],
    [{ hashers: ["md5"] }, "hashers"],
    [{ hashers: ["__proto__"] }, "hashers"],
    [{ compat: django32, hashers: ["scrypt"] }, "hashers"],
    [{ compat: compat({ django: "5.1" }), hashers: ["pbkdf2_sha256", "sha1"] }, "hashers"],
    [{ overrides: { md5: {} } }, "overrides"],
    [{ overrides: { pbkdf2_sha256: { iterations: 0 } } }, "overrides.pbkdf2_sha256.iterations"],
    [{ overrides: { argon2: { memoryCost: 1_048_576 } } }, "overrides.argon2.memoryCost"],
    [{ overrides: { bcrypt_sha256: { rounds: 31 } } }, "overrides.bcrypt_sha256.rounds"],
    [{ compat: django42, overrides: { scrypt: { n: 1_000 } } }, "overrides.scrypt.n"],
    [{ compat: { django: "4.2" } }, "compat"],
  ])("refuses %j with a ConfigError naming %s", (options, option) => {
    const make = () => passwordHashers(options as Parameters<typeof passwordHashers>[0]);
    expect(make).toThrow(ConfigError);
    try { make(); } catch (error) { expect((error as ConfigError).option).toBe(option); }
  });

  it("is one value: options refuse look-alikes, hashPassword and verifyPassword take it", async () => {
    expect(() => passwordHashersOf({ hash: async () => "x" })).toThrow(ConfigError);
    const hashers = passwordHashers({ compat: django32, overrides: cheap });
    const encoded = await hashPassword("pw", { passwordHashers: hashers });
    expect(encoded.startsWith("pbkdf2_sha256$1000$")).toBe(true);
    expect(await verifyPassword("pw", encoded, hashers)).toEqual({ valid: true, needsRehash: false });
    expect(await verifyPassword("pw", encoded)).toEqual({ valid: true, needsRehash: true });
    await expect(hashPassword("pw", { passwordHashers: hashers, iterations: 5 })).rejects.toThrow(ConfigError);
  });
});
