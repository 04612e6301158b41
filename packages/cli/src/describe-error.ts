/**
 * Turning an error into the CLI's one message (internal). Store errors carry D1's own message (their
 * `cause`), which names tables and constraints, never values.
 * @module
 */
import { ConfigError, ConflictError, StoreError } from "@portcullis/core";
import { CliError } from "./errors.js";

/** The first line of an error's message. */
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] as string;

/** A message for any error the commands may throw; `hint` for a database without the Portcullis tables. */
export function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof ConflictError) return error.message;
  if (error instanceof ConfigError) return `Invalid ${error.message}`;
  if (error instanceof StoreError) {
    const cause = error.cause === undefined ? "" : firstLine(error.cause);
    const hint = /no such table: (?:main\.)?portcullis_/.test(cause)
      ? "\nThe database has no Portcullis tables yet: run 'portcullis migrate' (or 'wrangler d1 migrations apply')."
      : "";
    return `${error.message}${cause ? `: ${cause}` : ""}${hint}`;
  }
  return `Unexpected error: ${firstLine(error)}`;
}

/** The exit code of an error: the `CliError`'s own, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}
