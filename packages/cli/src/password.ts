/**
 * Reading a password (internal): from a terminal prompt with echo off, or from standard input
 * (`--password-stdin`). Never from an argument: arguments end up in shell history and the process list.
 * @module
 */
/// <reference types="node" />
import type { ReadStream } from "node:tty";
import { CliError } from "./errors.js";

/** Handles one typed character; answers "done", "abort" or the new value. */
function typed(value: string, char: string): string | { end: "done" | "abort" } {
  if (char === "\r" || char === "\n") return { end: "done" };
  if (char === "\u0003" || (char === "\u0004" && value === "")) return { end: "abort" };
  if (char === "\u007f" || char === "\b") return Array.from(value).slice(0, -1).join("");
  if (char < " ") return value; // other control characters (arrows, escape sequences) are ignored
  return value + char;
}

/**
 * Prompts on `output` (stderr) and reads one line from a terminal in raw mode, echoing nothing.
 * Ctrl-C or Ctrl-D on an empty line aborts (exit code 130).
 */
export function promptSecret(prompt: string, input: ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let value = "";
    const finish = (aborted: boolean) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (aborted) reject(new CliError("Aborted.", 130));
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        const next = typed(value, char);
        if (typeof next !== "string") return finish(next.end === "abort");
        value = next;
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
