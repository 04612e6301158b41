// Regenerates src/migrations.ts from migrations/*.sql, so that runtimes without a filesystem (Workers) can run
// `migrate(client)`. Run after adding or changing a migration: `node scripts/generate-migrations.mjs`.
// src/migrations.test.ts fails while the two disagree. The first line of each file names its mode:
// `-- portcullis-mode: both | native | django`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const names = readdirSync(new URL("migrations/", root))
  .filter((name) => name.endsWith(".sql"))
  .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));

/** A template literal holding `text` exactly. */
const literal = (text) => "`" + text.replace(/[\\`]/g, "\\$&").replace(/\$\{/g, "\\${") + "`";

const entries = names.map((name) => {
  const sql = readFileSync(new URL(`migrations/${name}`, root), "utf8");
  const mode = /^-- portcullis-mode: (both|native|django)\n/.exec(sql)?.[1];
  if (mode === undefined) throw new Error(`${name}: the first line must be "-- portcullis-mode: both|native|django"`);
  return `  {\n    name: ${JSON.stringify(name)},\n    mode: ${JSON.stringify(mode)},\n    sql: ${literal(sql)},\n  },`;
});

const source = `/**
 * The SQL migrations of \`@portcullis/store-postgres\` as text, for \`migrate(client)\` on runtimes without a
 * filesystem. GENERATED from \`migrations/*.sql\` by \`node scripts/generate-migrations.mjs\`: do not edit by hand.
 * @module
 */

/**
 * One migration: its file name (recorded in \`portcullis_migrations\`), the mode it belongs to (\`both\`,
 * \`native\`: Portcullis's own users and tokens, \`django\`: Django mode) and its SQL.
 * @example
 * \`\`\`ts
 * const counters: Migration = { name: "0001_counters.sql", mode: "both", sql: "CREATE TABLE ..." };
 * \`\`\`
 */
export interface Migration {
  readonly name: string;
  readonly mode: "both" | "native" | "django";
  readonly sql: string;
}

/**
 * Every migration of \`migrations/\`, in order.
 * @example
 * \`\`\`ts
 * import { migrations } from "@portcullis/store-postgres";
 *
 * console.log(migrations.map((migration) => migration.name)); // ["0001_counters.sql", ...]
 * \`\`\`
 */
export const migrations: readonly Migration[] = [
${entries.join("\n")}
];
`;

writeFileSync(new URL("src/migrations.ts", root), source);
console.warn(`src/migrations.ts: ${names.length} migration(s)`);
