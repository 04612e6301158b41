/**
 * Reading a password (internal): from a terminal prompt with echo off, or from standard input
 * (`--password-stdin`). Never from an argument: arguments end up in shell history and the process list.
 * @module
 */
/// <reference types="node" />
import type { ReadStream } from "node:tty";
import { CliError } from "./errors.js";

/**
 * What has been typed so far, and where we are inside an escape sequence: `esc` after ESC, `csi` inside
 * `ESC [ ... final` (or the 8-bit CSI U+009B), `ss3` after `ESC O` (one more character).
 */
export interface PromptState {
  readonly value: string;
  readonly escape: "none" | "esc" | "csi" | "ss3";
}

export const EMPTY_PROMPT: PromptState = Object.freeze({ value: "", escape: "none" });

/** The rest of an escape sequence: swallowed whole (arrow keys are `ESC [ D`, F1 is `ESC O P`, Alt+x is `ESC x`). */
function inEscape(state: PromptState, char: string): PromptState {
  const { value } = state;
  if (state.escape === "esc") {
    if (char === "[") return { value, escape: "csi" };
    if (char === "O") return { value, escape: "ss3" };
    return { value, escape: "none" }; // Alt+key: ESC and the key
  }
  if (state.escape === "ss3") return { value, escape: "none" };
  // CSI: parameter and intermediate bytes (0x20-0x3F) continue it; a final byte (0x40-0x7E) ends it.
  const code = char.charCodeAt(0);
  if (code >= 0x40 && code <= 0x7e) return { value, escape: "none" };
  if (code >= 0x20 && code <= 0x3f) return state;
  return { value, escape: "none" }; // a malformed sequence ends at anything else, which is dropped too
}

/** Handles one typed character; answers "done", "abort" or the new state. */
export function typedKey(state: PromptState, char: string): PromptState | { end: "done" | "abort" } {
  // Enter, Ctrl-C and other controls inside an unfinished sequence (a lone Esc key press) still count.
  if (state.escape !== "none" && char >= " ") return inEscape(state, char);
  const { value } = state;
  if (char === "\u001b") return { value, escape: "esc" };
  if (char === "\u009b") return { value, escape: "csi" };
  if (char === "\r" || char === "\n") return { end: "done" };
  if (char === "\u0003" || (char === "\u0004" && value === "")) return { end: "abort" };
  if (char === "\u007f" || char === "\b") return { value: Array.from(value).slice(0, -1).join(""), escape: "none" };
  if (char < " " || (char >= "\u0080" && char <= "\u009f")) return state; // other control characters are ignored
  return { value: value + char, escape: "none" };
}

/**
 * Prompts on `output` (stderr) and reads one line from a terminal in raw mode, echoing nothing.
 * Ctrl-C or Ctrl-D on an empty line aborts (exit code 130).
 */
export function promptSecret(prompt: string, input: ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let state = EMPTY_PROMPT;
    const finish = (aborted: boolean) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (aborted) reject(new CliError("Aborted.", 130));
      else resolve(state.value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        const next = typedKey(state, char);
        if ("end" in next) return finish(next.end === "abort");
        state = next;
      }
    };
    input.setRawMode(true);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.resume();
  });
}

/** The password piped to `--password-stdin`: all of standard input less one trailing newline. */
export function passwordFromStdin(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/** Refuses a blank password (as Django's `createsuperuser` does). */
export function checkPassword(password: string): string {
  if (password === "") throw new CliError("Blank passwords aren't allowed.");
  return password;
}
