import { describe, expect, it } from "vitest";
import type { PromptState } from "./password.js";
import { EMPTY_PROMPT, typedKey } from "./password.js";

/** Feeds keystrokes to the prompt as the terminal sends them: the password read, or how it ended. */
function type(...chunks: string[]): string | "aborted" {
  let state: PromptState = EMPTY_PROMPT;
  for (const char of chunks.join("")) {
    const next = typedKey(state, char);
    if ("end" in next) return next.end === "abort" ? "aborted" : state.value;
    state = next;
  }
  return "unfinished";
}

const ESC = "\u001b";

describe("the password prompt swallows whole escape sequences", () => {
  it.each([
    ["arrow keys (CSI)", `pass${ESC}[D${ESC}[Cword\r`],
    ["Home/End and F5 with parameters", `pass${ESC}[1~${ESC}[4~${ESC}[15~word\r`],
    ["modified arrows (ESC [ 1 ; 5 D)", `pass${ESC}[1;5Dword\r`],
    ["application-mode arrows and F1 (SS3)", `pass${ESC}OD${ESC}OPword\r`],
    ["Alt+key (ESC x)", `pass${ESC}xword\r`],
    ["the 8-bit CSI", "pass\u009b2Dword\r"],
    ["bracketed paste markers", `${ESC}[200~password${ESC}[201~\r`],
  ])("%s", (_, keys) => {
    expect(type(keys)).toBe("password");
  });

  it("handles a sequence split across chunks", () => {
    expect(type("pass", ESC, "[", "D", "word\r")).toBe("password");
  });

  it("a lone Esc key does not swallow Enter, Ctrl-C or the next control", () => {
    expect(type(`password${ESC}\r`)).toBe("password");
    expect(type(`password${ESC}\u0003`)).toBe("aborted");
  });

  it("keeps backspace, Unicode and the other controls as before", () => {
    expect(type("passx\u007fword\r")).toBe("password");
    expect(type("pässwörd\u0001\r")).toBe("pässwörd");
    expect(type("\u0004")).toBe("aborted");
    expect(type("[D[C\r")).toBe("[D[C"); // brackets typed on their own are part of the password
  });
});
