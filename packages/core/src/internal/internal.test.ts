import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { decodeBase64Strict, encodeBase64 } from "./base64.js";
import { parseBasic } from "./basic-credentials.js";
import { timingSafeEqualBytes, timingSafeEqualString } from "./constant-time.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { NO_CREDENTIALS, TOO_MANY_PARTS, asciiLower, authorizationFor, credentialFor, decodeLatin1, decodeUtf8, latin1Bytes } from "./header.js";
import { randomHex } from "./random.js";
import { sha256Hex } from "./sha256.js";

/** SHA-256 through `@noble/hashes` only: the portable path `sha256Hex` falls back to. */
const sha256HexPortable = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

/**
 * The reference model of DRF's header split: the `Authorization` value split on runs of ASCII whitespace
 * (Python's `bytes.split()`), `null` without a header or when it is blank.
 */
function splitAuthorization(request: Request): string[] | null {
  const parts = (request.headers.get("authorization") ?? "").split(/[\t\n\v\f\r ]+/).filter((part) => part !== "");
  return parts.length === 0 ? null : parts;
}

function withAuthorization(value: string): Request {
  return new Request("https://api.test/", { headers: { Authorization: value } });
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe("splitAuthorization", () => {
  it("answers null without a header", () => {
    expect(splitAuthorization(new Request("https://api.test/"))).toBeNull();
  });

  it("answers null for a blank header (Headers strips spaces and tabs; \\v and \\f are kept but are whitespace)", () => {
    expect(splitAuthorization(withAuthorization(""))).toBeNull();
    expect(splitAuthorization(withAuthorization("   \t "))).toBeNull();
    expect(splitAuthorization(withAuthorization("\v\f\v"))).toBeNull();
  });

  it.each([
    ["space", "Basic abc", ["Basic", "abc"]],
    ["tab", "Basic\tabc", ["Basic", "abc"]],
    ["vertical tab", "Basic\vabc", ["Basic", "abc"]],
    ["form feed", "Basic\fabc", ["Basic", "abc"]],
    ["a run of mixed whitespace", "Basic \t\v\f  abc", ["Basic", "abc"]],
    ["three parts", "Basic a b", ["Basic", "a", "b"]],
    ["leading and trailing \\v (kept by Headers)", "\vBasic abc\f", ["Basic", "abc"]],
    ["a keyword alone", "Basic", ["Basic"]],
  ])("splits on %s", (_, value, parts) => {
    const request = withAuthorization(value);
    expect(splitAuthorization(request)).toEqual(parts);
  });

  it("does not split on non-ASCII whitespace (NBSP, latin-1 0xA0) nor on other control characters", () => {
    expect(splitAuthorization(withAuthorization("Basic\u00a0abc"))).toEqual(["Basic\u00a0abc"]);
    expect(splitAuthorization(withAuthorization("Basic\u001fabc"))).toEqual(["Basic\u001fabc"]);
  });

  it("sees what Headers holds: outer spaces and tabs stripped, CR/LF/NUL refused by Headers itself", () => {
    expect(withAuthorization("  Basic abc \t").headers.get("authorization")).toBe("Basic abc");
    expect(() => withAuthorization("Basic\nabc")).toThrow(TypeError);
    expect(() => withAuthorization("Basic\rabc")).toThrow(TypeError);
    expect(() => withAuthorization("Basic\0abc")).toThrow(TypeError);
  });
});

describe("asciiLower", () => {
  it("lowers ASCII letters only, as Python's bytes.lower()", () => {
    expect(asciiLower("bAsIc")).toBe("basic");
    expect(asciiLower("ÀÉ-Token")).toBe("ÀÉ-token");
  });
});

describe("authorizationFor", () => {
  const values = [
    "Token abc", "token abc", "TOKEN abc", "Token", "Token  abc", "Token\tabc", "Token\vabc", "\vToken abc\f",
    "Token a b", "Tokens abc", "Toke abc", "Token\u00a0abc", "Bearer abc", "Basic dXNlcjpwYXNz", "bAsIc x", "", "\f\v",
    "Token abc\v", "Token \u00e9", "TokenX", "Basic",
  ];

  it.each(values)("agrees with splitAuthorization + asciiLower on %j", (value) => {
    for (const keyword of ["token", "basic", "bearer"]) {
      const parts = splitAuthorization(withAuthorization(value));
      const expected = parts !== null && asciiLower(parts[0] as string) === keyword ? parts : null;
      expect(authorizationFor(withAuthorization(value), keyword)).toEqual(expected);
    }
  });

  it("answers null without a header", () => {
    expect(authorizationFor(new Request("https://api.test/"), "token")).toBeNull();
  });

  it.each(values)("credentialFor answers authorizationFor's second part (or which refusal) on %j", (value) => {
    for (const keyword of ["token", "basic", "bearer"]) {
      const parts = authorizationFor(withAuthorization(value), keyword);
      const expected = parts === null ? null : parts.length === 1 ? NO_CREDENTIALS : parts.length > 2 ? TOO_MANY_PARTS : parts[1];
      expect(credentialFor(withAuthorization(value), keyword)).toBe(expected);
    }
    expect(credentialFor(new Request("https://api.test/"), "token")).toBeNull();
  });
});

describe("decodeBase64Strict", () => {
  const valid = ["", "QQ==", "QUI=", "QUJD", "dXNlcjpwYXNz", "+/+/", "AAECAwQFBgcICQ==", "/w=="];

  it.each(valid)("decodes %j as Node's Buffer does", (input) => {
    const decoded = decodeBase64Strict(input);
    expect(decoded).not.toBeNull();
    expect(Buffer.from(decoded as Uint8Array).equals(Buffer.from(input, "base64"))).toBe(true);
  });

  it("round-trips every byte value and every length 0..64 through encodeBase64, matching Buffer", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let length = 0; length <= 64; length++) {
      const slice = all.subarray(256 - length);
      const encoded = encodeBase64(slice);
      expect(encoded).toBe(Buffer.from(slice).toString("base64"));
      expect(decodeBase64Strict(encoded)).toEqual(new Uint8Array(slice));
    }
    expect(decodeBase64Strict(encodeBase64(all))).toEqual(all);
  });

  it.each([
    ["missing padding (2 chars)", "QQ"],
    ["missing padding (3 chars)", "QUI"],
    ["one pad short", "QQ="],
    ["bad length", "QUJDR"],
    ["too much padding", "Q==="],
    ["only padding", "===="],
    ["padding in the middle", "QQ==QQ=="],
    ["padding before a data char", "QQ=A"],
    ["URL-safe alphabet", "-_-_"],
    ["a space inside", "QU I="],
    ["a non-alphabet char", "QU*D"],
    ["a latin-1 char", "QU\u00e9D"],
    ["a char above 0xff", "QU\u0141D"],
    ["a trailing newline", "QUJD\n"],
  ])("rejects %s (%j)", (_, input) => {
    expect(decodeBase64Strict(input)).toBeNull();
  });
});

describe("UTF-8 with latin-1 fallback", () => {
  it("decodes valid UTF-8 strictly and refuses invalid sequences", () => {
    expect(decodeUtf8(bytes(0x75, 0x3a, 0xc3, 0xa9))).toBe("u:é");
    expect(decodeUtf8(bytes(0xe2, 0x82, 0xac))).toBe("€");
    expect(decodeUtf8(bytes(0xff))).toBeNull();
    expect(decodeUtf8(bytes(0xe9, 0x3a))).toBeNull();
    expect(decodeUtf8(bytes(0xc3))).toBeNull(); // truncated sequence
    expect(decodeUtf8(bytes(0xed, 0xa0, 0x80))).toBeNull(); // surrogate
  });

  it("keeps a leading byte order mark, as Python's bytes.decode('utf-8') does", () => {
    expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe("\ufeffa");
  });

  it("decodes latin-1 one byte per code point, including long inputs", () => {
    expect(decodeLatin1(bytes(0x75, 0xe9, 0xff, 0x00))).toBe("u\u00e9\u00ff\u0000");
    const long = new Uint8Array(20_000).fill(0xe9);
    expect(decodeLatin1(long)).toBe("\u00e9".repeat(20_000));
  });

  it("latin1Bytes is the inverse of decodeLatin1", () => {
    const value = "Token \u00c3\u00a9\u00ff";
    expect(decodeLatin1(latin1Bytes(value))).toBe(value);
    expect(latin1Bytes("\u00c3\u00a9")).toEqual(bytes(0xc3, 0xa9));
  });

  it("parseBasic uses UTF-8 first and latin-1 only when the bytes are not UTF-8", () => {
    const utf8 = Buffer.from("jos\u00e9:p\u00e4ss", "utf8").toString("base64");
    expect(parseBasic(withAuthorization(`Basic ${utf8}`))).toEqual({
      type: "credentials",
      username: "jos\u00e9",
      password: "p\u00e4ss",
    });
    const latin1 = Buffer.from("jos\u00e9:p\u00e4ss", "latin1").toString("base64");
    expect(parseBasic(withAuthorization(`Basic ${latin1}`))).toEqual({
      type: "credentials",
      username: "jos\u00e9",
      password: "p\u00e4ss",
    });
  });
});

describe("constant-time comparison", () => {
  it.each([
    ["", "", true],
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "abcd", false],
    ["abcd", "abc", false],
    ["a", "", false],
    ["a\u0000", "a", false],
    ["\u0100", "\u0000", false],
    ["é", "é", true],
  ])("timingSafeEqualString(%j, %j) is %s", (a, b, equal) => {
    expect(timingSafeEqualString(a, b)).toBe(equal);
  });

  it("timingSafeEqualBytes compares contents and lengths", () => {
    expect(timingSafeEqualBytes(bytes(), bytes())).toBe(true);
    expect(timingSafeEqualBytes(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(timingSafeEqualBytes(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
    expect(timingSafeEqualBytes(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    expect(timingSafeEqualBytes(bytes(0), bytes())).toBe(false);
  });
});

describe("randomHex and sha256Hex", () => {
  it("randomHex answers 2n lowercase hex characters, different every time", () => {
    const a = randomHex(20);
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(randomHex(20)).not.toBe(a);
  });

  it("sha256Hex and its portable path agree with known vectors", () => {
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(sha256Hex("abc")).toBe(abc);
    expect(sha256HexPortable("abc")).toBe(abc);
    expect(sha256Hex("é")).toBe(sha256HexPortable("é"));
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
