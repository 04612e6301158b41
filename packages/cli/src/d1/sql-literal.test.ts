import { describe, expect, it } from "vitest";
import { inlineParams, sqlLiteral } from "./sql-literal.js";

describe("sqlLiteral", () => {
  it.each([
    [null, "NULL"],
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [-7, "-7"],
    [1.5, "1.5"],
    [1_700_000_000_000, "1700000000000"],
    ["", "''"],
    ["alice", "'alice'"],
    ["o'brien", "'o''brien'"],
    ["''", "''''''"],
    ["a;b -- c /* d */", "'a;b -- c /* d */'"],
    ['say "hi" \\ ?1 :name', `'say "hi" \\ ?1 :name'`],
    ["zoë 🚪 日本", "'zoë 🚪 日本'"],
    ["line\nbreak\ttab", "'line\nbreak\ttab'"],
  ])("quotes %j as %s", (value, literal) => {
    expect(sqlLiteral(value)).toBe(literal);
  });

  it.each([
    ["a string with NUL", "a\0b", /NUL/],
    ["a lone high surrogate", "a\uD800b", /lone surrogate/],
    ["a lone low surrogate", "\uDC00", /lone surrogate/],
    ["NaN", NaN, /not finite/],
    ["Infinity", Infinity, /not finite/],
    ["a boolean", true, /type boolean/],
    ["a bigint", 1n, /type bigint/],
    ["undefined", undefined, /type undefined/],
    ["a blob", new Uint8Array([1]), /type object/],
    ["an object", { toString: () => "1" }, /type object/],
  ])("refuses %s, without quoting it", (_, value, message) => {
    expect(() => sqlLiteral(value)).toThrow(message);
    try {
      sqlLiteral(value);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      if (typeof value === "string") expect((error as Error).message).not.toContain(value);
    }
  });
});

describe("inlineParams", () => {
  it("replaces numbered parameters, reused and out of order", () => {
    expect(inlineParams("SELECT ?2, ?1, ?2", ["a", 1])).toBe("SELECT 1, 'a', 1");
  });

  it("numbers bare ? as SQLite does (one more than the highest so far)", () => {
    expect(inlineParams("VALUES (?, ?3, ?)", [1, 2, 3, 4])).toBe("VALUES (1, 3, 4)");
  });

  it("leaves question marks in strings, identifiers and comments alone", () => {
    const sql = `SELECT '?1', "a?", [b?], \`c?\` -- ?2\n, ?1 /* ?1 */`;
    expect(inlineParams(sql, ["x"])).toBe(`SELECT '?1', "a?", [b?], \`c?\` -- ?2\n, 'x' /* ?1 */`);
  });

  it("cannot be escaped from by a bound value", () => {
    const sql = inlineParams("SELECT * FROM t WHERE name = ?1 AND id = ?2", ["x' OR '1'='1", "?1"]);
    expect(sql).toBe("SELECT * FROM t WHERE name = 'x'' OR ''1''=''1' AND id = '?1'");
  });

  it("refuses missing values and named parameters", () => {
    expect(() => inlineParams("SELECT ?1, ?2", ["a"])).toThrow("The statement uses ?2 but 1 value(s) were bound.");
    expect(() => inlineParams("SELECT ?", [])).toThrow(RangeError);
    expect(() => inlineParams("SELECT :name", ["a"])).toThrow("Named parameters (:name) are not supported.");
    expect(() => inlineParams("SELECT ?1", [undefined])).toThrow(TypeError);
  });
});
