import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { normalizeUsername } from "./username.js";

describe("normalizeUsername (Django's normalize_username, then UnicodeUsernameValidator)", () => {
  it.each([
    ["ｊｏｈｎ", "john"], // fullwidth letters
    ["ﬁona", "fiona"], // the fi ligature
    ["Ⅸ", "IX"], // a Roman numeral
    ["e\u0301mile", "émile"], // a combining accent composes
    ["john", "john"],
    ["Zoë.o'", null],
  ])("%j becomes %j", (input, expected) => {
    if (expected === null) {
      expect(() => normalizeUsername(input)).toThrow(CliError);
      return;
    }
    expect(normalizeUsername(input)).toBe(expected);
  });

  it("validates after normalizing: a name that is only valid once normalized is accepted, as in Django", () => {
    expect(normalizeUsername("ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ")).toBe("alice@example.com");
    expect(() => normalizeUsername("ｊｏｈｎ ｄｏｅ")).toThrow(/letters, digits/); // the ideographic space becomes a space
  });
});
