/**
 * Splits a migration file into statements for `D1Database.batch` (internal).
 * @module
 */

/** Comments, quoted strings or identifiers, semicolons, and runs of anything else. */
const TOKENS = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|;|[^-/'"`[;]+|[\s\S]/g;

/**
 * The statements of a SQL script, without comments or empty statements. Semicolons inside strings and
 * quoted identifiers are kept; compound statements (`CREATE TRIGGER ... BEGIN ...; END`) are not supported.
 */
export function splitSql(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (const [token] of script.matchAll(TOKENS)) {
    if (token.startsWith("--") || token.startsWith("/*")) continue;
    if (token === ";") {
      statements.push(current);
      current = "";
    } else {
      current += token;
    }
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter((statement) => statement.length > 0);
}
