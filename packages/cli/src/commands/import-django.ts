/**
 * `portcullis import-django <dumpdata.json> [--user-model app.model]` (internal).
 * @module
 */
/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Store } from "@portcullis/core";
import { withBackend } from "../backend.js";
import { parseDump } from "../django-dump.js";
import { describeError } from "../describe-error.js";
import { CliError } from "../errors.js";
import { planImport, type ImportPlan } from "../import-plan.js";
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

/** Writes the plan; a failure midway says what was written and that a re-run completes the import. */
async function write(store: Store, plan: ImportPlan): Promise<void> {
  let users = 0;
  let tokens = 0;
  try {
    for (const user of plan.users) {
      const { id, username, passwordHash, isActive, isStaff } = user;
      await store.createUser({ id, username, passwordHash, isActive, isStaff });
      users++;
    }
    for (const token of plan.tokens) {
      await store.createToken(token, { now: Date.now() });
      tokens++;
    }
  } catch (error) {
    const reason = describeError(error).split("\n")[0];
    throw new CliError(
      `The import stopped after ${users} users and ${tokens} tokens: ${reason}. ` +
        "Run it again to complete it (what was imported is skipped).",
    );
  }
}

/** Imports Django users and DRF tokens: validated whole first, idempotent, keys stored as digests only. */
export const importDjangoCommand: Command = async ({ args, options, io }) => {
  const path = resolve(io.cwd, args[0] as string);
  const dump = parseDump(readDump(path), stringOption(options, "user-model") ?? "auth.user");
  await withBackend(options, io.cwd, async ({ store }) => {
    const plan = await planImport(store, dump);
    for (const warning of plan.warnings) io.err(warning);
    await write(store, plan);
    io.out(
      `Imported ${plan.users.length} users and ${plan.tokens.length} tokens ` +
        `(${plan.presentUsers} users and ${plan.presentTokens} tokens already present)`,
    );
    if (dump.ignored > 0) io.err(`Ignored ${dump.ignored} records of other models.`);
  });
};
