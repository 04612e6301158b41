import { describe, expect, it } from "vitest";
import { validateCredentials } from "./fields.js";

const ok = (username: string, password: string) => ({ ok: true, username, password });
const errors = (errors: Record<string, string[]>) => ({ ok: false, errors });
const REQUIRED = "This field is required.";
const BLANK = "This field may not be blank.";
const TOO_LONG = "Ensure this field has no more than 150 characters.";
const NUL = "Null characters are not allowed.";

describe("validateCredentials (DRF's AuthTokenSerializer fields)", () => {
  it.each([
    ["a plain pair", { username: "alice", password: "pw" }, ok("alice", "pw")],
    ["a trimmed username and an untrimmed password", { username: " alice\t", password: " pw " }, ok("alice", " pw ")],
    ["a password of spaces (not blank: it is not trimmed)", { username: "alice", password: "   " }, ok("alice", "   ")],
    ["numbers, as their text", { username: 42, password: 1.5 }, ok("42", "1.5")],
    ["zero and a negative number", { username: 0, password: -7 }, ok("0", "-7")],
    ["extra fields, ignored", { username: "alice", password: "pw", token: "x", remember: true }, ok("alice", "pw")],
    ["150 characters", { username: "a".repeat(150), password: "pw" }, ok("a".repeat(150), "pw")],
    ["150 characters once trimmed", { username: ` ${"a".repeat(150)} `, password: "pw" }, ok("a".repeat(150), "pw")],
    ["150 astral characters (code points, as Python's len)", { username: "😀".repeat(150), password: "pw" }, ok("😀".repeat(150), "pw")],
    ["Python's whitespace trimmed (U+001C, U+0085, U+3000)", { username: "\x1c\x85alice\u3000", password: "pw" }, ok("alice", "pw")],
    ["a BOM kept (Python's strip keeps U+FEFF)", { username: "\uFEFFalice", password: "pw" }, ok("\uFEFFalice", "pw")],
    ["a password longer than 150 characters", { username: "alice", password: "p".repeat(500) }, ok("alice", "p".repeat(500))],
  ])("accepts %s", (_name, data, expected) => {
    expect(validateCredentials(data)).toEqual(expected);
  });

  it.each([
    ["missing fields", {}, { username: [REQUIRED], password: [REQUIRED] }],
    ["a blank username of Python whitespace only", { username: "\x1c\x1f\x85", password: "pw" }, { username: [BLANK] }],
    ["a blank password", { username: "alice", password: "" }, { password: [BLANK] }],
    ["a username too long with a NUL (every validator answers)", { username: `${"a".repeat(150)}\0`, password: "pw" }, { username: [TOO_LONG, NUL] }],
    ["a NUL alone (not blank)", { username: "\0", password: "\0" }, { username: [NUL], password: [NUL] }],
    ["a lone surrogate", { username: "al\uD800ice", password: "\uDFFF" }, {
      username: ["Surrogate characters are not allowed: U+D800."],
      password: ["Surrogate characters are not allowed: U+DFFF."],
    }],
    ["a File from a multipart upload", { username: new File(["alice"], "a.txt"), password: "pw" }, { username: ["Not a valid string."] }],
  ])("refuses %s", (_name, data, expected) => {
    expect(validateCredentials(data)).toEqual(errors(expected));
  });

  it.each([
    [[], "list"],
    [["alice", "pw"], "list"],
    ["alice", "str"],
    [7, "int"],
    [7.5, "float"],
    [true, "bool"],
  ])("answers a non-object body %j with DRF's dictionary error", (data, type) => {
    expect(validateCredentials(data)).toEqual(errors({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`] }));
  });

  it("answers a null body as DRF's Serializer.errors does: No data provided", () => {
    expect(validateCredentials(null)).toEqual(errors({ non_field_errors: ["No data provided"] }));
  });

  it("trims a long run of spaces in linear time", () => {
    const started = performance.now();
    expect(validateCredentials({ username: `a${" ".repeat(60_000)}b`, password: "pw" })).toEqual(errors({ username: [TOO_LONG] }));
    expect(validateCredentials({ username: `${" ".repeat(60_000)}a${" ".repeat(60_000)}`, password: "pw" })).toEqual(ok("a", "pw"));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
