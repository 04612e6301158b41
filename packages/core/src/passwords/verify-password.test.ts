import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyDummyHash, verifyPassword } from "./index.js";

const INVALID = { valid: false, needsRehash: false };
const H32 = "FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y="; // the hash of "letmein" at 10000 iterations, salt "seasalt"
const GOOD = `pbkdf2_sha256$10000$seasalt$${H32}`;
const H64 = "A".repeat(86) + "==";
const SALT = "c29tZXNhbHQ"; // "somesalt", unpadded
const HEX32 = "0d107d09f5bbe40cade3de5c71e9e9b7";

/** Rows over a work-factor cap: answered without their own work. */
const HUGE = [
  `pbkdf2_sha256$1000000000000$seasalt$${H32}`,
  `pbkdf2_sha256$10000001$seasalt$${H32}`,
  `pbkdf2_sha256$99999999999999999999999$seasalt$${H32}`,
  `scrypt$1048576$seasalt$8$1$${H64}`,
  `scrypt$1073741824$seasalt$8$1$${H64}`,
  `scrypt$16384$seasalt$8$17$${H64}`,
  `scrypt$16384$seasalt$33$1$${H64}`,
  `argon2$argon2id$v=19$m=1048576,t=2,p=1$${SALT}$${"A".repeat(43)}`,
  `argon2$argon2id$v=19$m=4294967295,t=4294967295,p=1$${SALT}$${"A".repeat(43)}`,
  `argon2$argon2id$v=19$m=102400,t=9,p=8$${SALT}$${"A".repeat(43)}`,
  `argon2$argon2id$v=19$m=65536,t=17,p=1$${SALT}$${"A".repeat(43)}`,
  `argon2$argon2id$v=19$m=65536,t=1,p=65$${SALT}$${"A".repeat(43)}`,
  `bcrypt$$2b$17$${"a".repeat(53)}`,
  `bcrypt_sha256$$2b$31$${"a".repeat(53)}`,
];

/** Malformed, unusable, unknown and missing hashes. */
const MALFORMED: unknown[] = [
  null, undefined, "", "!", "!abc", `!${GOOD}`, 42, {}, "unknown$1$a$b", `pbkdf2_sha512$10000$seasalt$${H32}`,
  "__proto__", "constructor$1$2$3", "toString", "pbkdf2_sha256", "pbkdf2_sha256$10000$seasalt", `${GOOD}$extra`,
  `pbkdf2_sha256$abc$seasalt$${H32}`, `pbkdf2_sha256$-10000$seasalt$${H32}`, `pbkdf2_sha256$0$seasalt$${H32}`,
  `pbkdf2_sha256$010000$seasalt$${H32}`, `pbkdf2_sha256$1e4$seasalt$${H32}`, `pbkdf2_sha256$ 10000$seasalt$${H32}`,
  `pbkdf2_sha256$10000$$${H32}`, "pbkdf2_sha256$10000$seasalt$not base64!", `${GOOD.slice(0, -1)}`,
  `pbkdf2_sha256$10000$seasalt$${H32.slice(0, 24)}`, `${GOOD.slice(0, -2)}Z=`, `pbkdf2_sha1$10000$seasalt$${H32}`,
  `scrypt$16385$seasalt$8$1$${H64}`, `scrypt$1$seasalt$8$1$${H64}`, `scrypt$16384$seasalt$0$1$${H64}`,
  `scrypt$16384$seasalt$8$${H64}`, `scrypt$16384$seasalt$8$1$${H32}`, `scrypt$16384$$8$1$${H64}`,
  `argon2$argon2id$v=19$m=8,t=1,p=2$${SALT}$${H32.slice(0, -1)}`, `argon2$argon2x$v=19$m=8,t=1,p=1$${SALT}$AAAAAA`,
  `argon2$argon2id$v=20$m=8,t=1,p=1$${SALT}$AAAAAA`, `argon2$argon2id$v=19$t=1,m=8,p=1$${SALT}$AAAAAA`,
  `argon2$argon2id$v=19$m=8,t=1,p=1$${SALT}=$AAAAAA`, `argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdA$AAAAAA`,
  `argon2$argon2id$v=19$m=8,t=1,p=1$${SALT}$AAA`, `argon2$argon2id$v=19$m=8,t=1,p=1$${SALT}$!!!!`,
  `argon2$argon2id$v=19$m=8,t=1,p=1$${SALT}$AAAAAA$x`, "argon2", `bcrypt$$2b$03$${"a".repeat(53)}`,
  `bcrypt$$2x$05$${"a".repeat(53)}`, "bcrypt$$2b$05$short", `bcrypt$2b$05$${"a".repeat(53)}`, "md5$$abc",
  `md5$seasalt$${HEX32.toUpperCase()}`, `md5$seasalt$${"z".repeat(32)}`, "md5$seasalt", `md5$$$${HEX32}`,
  `sha1$seasalt$${"a".repeat(39)}`, HEX32.toUpperCase(), `sha1$$${"A".repeat(40)}`, `sha1$$${"a".repeat(41)}`,
  `pbkdf2_sha256$10000$${"s".repeat(4096)}$${H32}`,
];

function spyOnDeriveBits() {
  return vi.spyOn(globalThis.crypto.subtle, "deriveBits");
}

/** Records the derivations asked for without doing them: these tests are about which work is asked for. */
function stubDeriveBits() {
  return spyOnDeriveBits().mockResolvedValue(new ArrayBuffer(32));
}

function iterationsOf(spy: ReturnType<typeof spyOnDeriveBits>): number[] {
  return spy.mock.calls.map(([algorithm]) => (algorithm as Pbkdf2Params).iterations);
}

describe("verifyPassword", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answers invalid for malformed, unusable, unknown and missing hashes after one default derivation", async () => {
    const spy = stubDeriveBits();
    const checks = await Promise.all(MALFORMED.map((encoded) => verifyPassword("letmein", encoded as string)));
    checks.forEach((check, index) => expect([MALFORMED[index], check]).toEqual([MALFORMED[index], INVALID]));
    expect(iterationsOf(spy)).toEqual(MALFORMED.map(() => 1_000_000));
  });

  it("answers rows over a work-factor cap fast, invalid, after one default derivation", async () => {
    const spy = stubDeriveBits();
    for (const encoded of HUGE) {
      const started = performance.now();
      expect([encoded, await verifyPassword("letmein", encoded)]).toEqual([encoded, INVALID]);
      expect(performance.now() - started).toBeLessThan(100);
    }
    expect(iterationsOf(spy)).toEqual(HUGE.map(() => 1_000_000));
  });

  it("answers invalid for a password that is not a well-formed string", async () => {
    expect(await verifyPassword(null as unknown as string, GOOD)).toEqual(INVALID);
    expect(await verifyPassword("letmein\uD800", GOOD)).toEqual(INVALID);
    expect(await verifyPassword("letmein", GOOD)).toEqual({ valid: true, needsRehash: true });
  });

  it("spends the default work on a wrong password for cheap rows, as Django's harden_runtime does", async () => {
    const spy = spyOnDeriveBits();
    expect(await verifyPassword("wrong", GOOD)).toEqual(INVALID);
    expect(await verifyPassword("wrong", HEX32)).toEqual(INVALID);
    expect(await verifyPassword("letmein", HEX32)).toEqual({ valid: true, needsRehash: true });
    expect(iterationsOf(spy)).toEqual([10_000, 990_000, 1_000_000]); // a right password spends no padding
  });

  it.each([
    ["scrypt (Django's default N, r, p)", "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="],
    ["argon2 (small costs)", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg"],
    ["bcrypt_sha256 (cost 5)", "bcrypt_sha256$$2a$05$6Ebl76fkDTdVHktqdiRm/uCniXaPcn/GF/MvsaUwYie9EfbKt4hv."],
  ])("runs one default derivation after a failed %s check, never two", async (_, encoded) => {
    const spy = spyOnDeriveBits();
    expect(await verifyPassword("wrong", encoded)).toEqual(INVALID);
    expect(iterationsOf(spy)).toEqual([1_000_000]);
    // A malformed row of the family: invalid after the same single default derivation.
    expect(await verifyPassword("wrong", `${encoded.slice(0, -4)}$!!!`)).toEqual(INVALID);
    expect(iterationsOf(spy)).toEqual([1_000_000, 1_000_000]);
  });

  it.each([
    ["pbkdf2_sha256$1500000$LongPwSalt12345678901a$OKVjcjr6+hVftAILdFgu65sYr5mCDUcmXSGk2jbAWEM=", true],
    ["pbkdf2_sha256$870000$kR5tY7uI9oP1aS3dF5gH7j$RPIXcVeLcvjoN/pUp0joSV3k11wCEzKDUUA4vE26DYo=", true],
    ["pbkdf2_sha256$1000000$seasalt2$egbhFghgsJVDo5Tpg/k9ZnfbySKQ1UQnBYXhR97a7sk=", true],
    ["pbkdf2_sha1$260000$Pk9Lm3Nb7Vc5Xz1Qw8Er6T$Dn398psxdF9tSCj+H09mjKCk+RE=", true],
    ["md5$Md5UnicodeSalt0000000x$f562e830cf6a33b9423017e88442b43d", true],
  ])("asks for a rehash of %s: %s", async (encoded, needsRehash) => {
    const password = encoded.includes("LongPwSalt") ? LONG_PASSWORD : encoded.includes("kR5t") ? "hunter2" : "lètmein";
    expect(await verifyPassword(password, encoded)).toEqual({ valid: true, needsRehash });
  });
});

const LONG_PASSWORD =
  "Long password > 64 bytes so HMAC pre-hashes the key: " + "0123456789abcdef".repeat(8);

describe("verifyDummyHash", () => {
  it("spends one default PBKDF2 derivation and answers invalid", async () => {
    const spy = spyOnDeriveBits();
    expect(await verifyDummyHash("anything")).toEqual(INVALID);
    expect(iterationsOf(spy)).toEqual([1_000_000]);
    spy.mockRestore();
  });
});
