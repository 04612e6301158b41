/**
 * `portcullis import-django <dumpdata.json> [--user-model app.model]` (internal): core's `importDjango` on the
 * selected store.
 * @module
 */
/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DumpError, ImportInterruptedError, importDjango } from "@portcullis/core/django";
import { withBackend } from "../backend.js";
import { describeError } from "../describe-error.js";
import { CliError } from "../errors.js";
import { stringOption, type Command } from "./command.js";

/** Reads the dump file (its content is never echoed: it holds keys and hashes). */
function readDump(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliError(`Cannot read ${path}${typeof code === "string" ? ` (${code})` : ""}.`);
  }
}

/** Imports Django users and DRF tokens: validated whole first, idempotent, keys stored as digests only. */
export const importDjangoCommand: Command = async ({ args, options, io }) => {
  const text = readDump(resolve(io.cwd, args[0] as string));
  const userModel = stringOption(options, "user-model") ?? "auth.user";
  await withBackend(options, io.cwd, async ({ store }) => {
    try {
      const result = await importDjango(store, text, { userModel });
      for (const warning of result.warnings) io.err(warning);
      io.out(
        `Imported ${result.users} users and ${result.tokens} tokens ` +
          `(${result.presentUsers} users and ${result.presentTokens} tokens already present)`,
      );
      if (result.grants > 0) io.out(`Granted ${result.grants} permissions and group memberships`);
      if (result.ignored > 0) io.err(`Ignored ${result.ignored} records of other models.`);
    } catch (error) {
      if (error instanceof DumpError) throw new CliError(error.message);
      if (error instanceof ImportInterruptedError) {
        const reason = describeError(error.cause).split("\n")[0];
        throw new CliError(
          `The import stopped after ${error.users} users and ${error.tokens} tokens: ${reason}. ` +
            "Run it again to complete it (what was imported is skipped).",
        );
      }
      throw error;
    }
  });
};
