/**
 * What the CLI reads and writes (internal), as one object so the commands never touch `process` themselves.
 * @module
 */
/// <reference types="node" />
import { promptSecret } from "./password.js";

/** The CLI's view of its process: working directory, streams and the terminal. */
export interface CliIo {
  readonly cwd: string;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Reads standard input to its end, as UTF-8. */
  readStdin(): Promise<string>;
  /** Whether standard input is a terminal (then passwords are prompted for, with echo off). */
  readonly isTerminal: boolean;
  /** Prompts on the terminal and reads one line without echoing it. */
  promptSecret(prompt: string): Promise<string>;
}

/** Reads a stream to its end as UTF-8 text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The `CliIo` of the running process. */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    readStdin: () => readAll(process.stdin),
    isTerminal: process.stdin.isTTY === true,
    promptSecret: (prompt) => promptSecret(prompt, process.stdin, process.stderr),
  };
}
