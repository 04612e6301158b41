/**
 * `portcullis migrate` (internal).
 * @module
 */
import { migrate } from "../../migrate.js";
import { withBackend } from "../backend.js";
import type { Command } from "./command.js";

/** Applies the pending migrations, recording them where wrangler does (the config's `migrations_table`). */
export const migrateCommand: Command = async ({ options, io }) => {
  await withBackend(options, io.cwd, async ({ db, target, description }) => {
    const migrationsTable = target.migrationsTable;
    const applied = await migrate(db, migrationsTable === undefined ? {} : { migrationsTable });
    if (applied.length === 0) io.out(`No migrations to apply: the ${description} is up to date.`);
    for (const name of applied) io.out(`Applied ${name} to the ${description}.`);
  });
};
