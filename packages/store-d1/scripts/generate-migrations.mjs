// Regenerates src/migrations.ts from migrations/*.sql, so that Workers (which have no filesystem) can run
// `migrate(db)`. Run after adding or changing a migration: `node scripts/generate-migrations.mjs`.
// src/migrations.test.ts fails while the two disagree.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const names = readdirSync(new URL("migrations/", root))
  .filter((name) => name.endsWith(".sql"))
  .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));

/** A template literal holding `text` exactly. */
const literal = (text) => "`" + text.replace(/[\\`]/g, "\\$&").replace(/\$\{/g, "\\${") + "`";

const entries = names.map((name) => {
  const sql = readFileSync(new URL(`migrations/${name}`, root), "utf8");
  return `  {\n    name: ${JSON.stringify(name)},\n    sql: ${literal(sql)},\n  },`;
});

const source = `/**
 * The SQL migrations of \`@portcullis/store-d1\` as text, for \`migrate(db)\` on runtimes without a filesystem.
 * GENERATED from \`migrations/*.sql\` by \`node scripts/generate-migrations.mjs\`: do not edit by hand.
 * @module
 */

/**
 * One migration: its file name (the name wrangler records in \`d1_migrations\`) and its SQL.
 * @example
 * \`\`\`ts
 * const initial: Migration = { name: "0001_initial.sql", sql: "CREATE TABLE ..." };
 * \`\`\`
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/**
 * Every migration of \`migrations/\`, in the order wrangler applies them.
 * @example
 * \`\`\`ts
 * import { migrations } from "@portcullis/store-d1";
 *
 * console.log(migrations.map((migration) => migration.name)); // ["0001_initial.sql", ...]
 * \`\`\`
 */
export const migrations: readonly Migration[] = [
${entries.join("\n")}
];
`;

writeFileSync(new URL("src/migrations.ts", root), source);
console.warn(`src/migrations.ts: ${names.length} migration(s)`);
