import { describe, expect, it } from "vitest";
import { escapeForTerminal, terminalLine } from "./terminal-text.js";

describe("escapeForTerminal", () => {
  it.each([
    ["C1 CSI (U+009B)", "a\u009b2Jb", "a\\u009b2Jb"],
    ["ESC", "\u001b[31mred", "\\u001b[31mred"],
    ["DEL", "a\u007fb", "a\\u007fb"],
    ["RLO (U+202E)", "laptop\u202Etxt.exe", "laptop\\u202etxt.exe"],
    ["LRI/PDI isolates", "a\u2066b\u2069", "a\\u2066b\\u2069"],
    ["LRM (U+200E)", "a\u200Eb", "a\\u200eb"],
    ["zero-width space", "a\u200Bb", "a\\u200bb"],
    ["line and paragraph separators", "a\u2028b\u2029", "a\\u2028b\\u2029"],
    ["newline, carriage return and tab", "a\nb\rc\td", "a\\u000ab\\u000dc\\u0009d"],
    ["a lone surrogate", "a\uD800b", "a\\ud800b"],
    ["a tag character outside the BMP", "a\u{E0041}b", "a\\udb40\\udc41b"],
  ])("escapes %s", (_, input, expected) => {
    expect(escapeForTerminal(input)).toBe(expected);
  });

  it("leaves printable text alone: accents, CJK, emoji, ZWJ sequences, backslashes", () => {
    for (const text of ["Zoë's iPad", "手机", "😀", "👩‍💻 dev", "C:\\path", "plain ascii ~!@#"]) {
      expect(escapeForTerminal(text)).toBe(text);
    }
  });
});

describe("terminalLine", () => {
  it("keeps newlines and escapes the rest; JSON stays valid and parses back to the original", () => {
    const value = [{ name: "x\u009b\u202E\u2028y\u{E0041}" }];
    const line = terminalLine(JSON.stringify(value, null, 2));
    expect(line).toContain("\n");
    expect(line).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029]|[\uD800-\uDFFF]/u);
    expect(JSON.parse(line)).toEqual(value);
  });
});
