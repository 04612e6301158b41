/**
 * `portcullis django-indexes` (internal): prints the indexes Portcullis suggests for a Django database served in
 * Django mode (`djangoIndexes` of `@portcullis/store-postgres`), as SQL and as a Django migration operation. It
 * never connects to a database: Django's tables change only through the Django project's own migrations.
 * @module
 */
import type * as StorePostgres from "@portcullis/store-postgres";
import { CliError, usageError } from "../errors.js";
import type { Command } from "./command.js";

async function loadIndexes(): Promise<StorePostgres.DjangoIndex[]> {
  try {
    return [...(await import("@portcullis/store-postgres")).djangoIndexes];
  } catch {
    throw new CliError("django-indexes needs @portcullis/store-postgres: npm install @portcullis/store-postgres");
  }
}

/** A Python string literal of `text` (double-quoted, backslashes and quotes escaped). */
function python(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Prints each index: a comment saying why, the SQL, then the same as `migrations.RunSQL(...)`. */
export const djangoIndexesCommand: Command = async ({ options, io }) => {
  if (options["database-url"] !== undefined || options.django !== undefined) {
    throw usageError("django-indexes prints SQL and never connects: add it to a migration of your Django project.");
  }
  const indexes = await loadIndexes();
  io.out("-- Indexes Portcullis suggests for a Django database (never applied by Portcullis: add them to a migration");
  io.out("-- of your Django project, so that Django knows about them).");
  for (const index of indexes) {
    io.out("");
    io.out(`-- ${index.name}: ${index.why}`);
    io.out(`${index.sql};`);
  }
  io.out("");
  io.out("# As operations of a Django migration:");
  for (const index of indexes) io.out(`migrations.RunSQL(${python(index.sql)}, ${python(index.reverseSql)}),`);
};
