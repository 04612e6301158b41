/**
 * `portcullis migrate` (internal).
 * @module
 */
import { withBackend } from "../backend.js";
import type { Command } from "./command.js";

/** Applies the pending migrations (on D1, recorded where wrangler records them: the config's `migrations_table`). */
export const migrateCommand: Command = async ({ options, io }) => {
  await withBackend(options, io.cwd, async ({ migrate, description }) => {
    const applied = await migrate();
    if (applied.length === 0) io.out(`No migrations to apply: the ${description} is up to date.`);
    for (const name of applied) io.out(`Applied ${name} to the ${description}.`);
  });
};
