/**
 * What every command receives, and the lookups they share (internal).
 * @module
 */
import type { Store, User } from "@portcullis/core";
import type { Options } from "../args.js";
import { CliError } from "../errors.js";
import type { CliIo } from "../io.js";

/** The input of a command: its positional arguments, the options and the process's IO. */
export interface CommandInput {
  readonly args: readonly string[];
  readonly options: Options;
  readonly io: CliIo;
}

/** A command: prints its result on `io.out`, throws `CliError` (or a store error) on failure. */
export type Command = (input: CommandInput) => Promise<void>;

/** A string option, or `undefined` when absent. */
export function stringOption(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The user named `username`, or a `CliError` worded as DRF's `drf_create_token` words it:
 * `Cannot <action>: user <username> does not exist`.
 */
export async function requireUser(store: Store, username: string, action: string): Promise<User> {
  const found = await store.getUserByUsername(username);
  if (found === null) throw new CliError(`Cannot ${action}: user ${username} does not exist`);
  return found.user;
}
