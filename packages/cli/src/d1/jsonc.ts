/**
 * JSON with comments and trailing commas, as `wrangler.jsonc` allows (internal).
 * @module
 */

/** Strings (kept), comments (dropped) and everything else. */
const COMMENTS = /"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
/** Strings (kept) and commas followed only by whitespace and a closing bracket (dropped). */
const TRAILING_COMMAS = /"(?:[^"\\]|\\.)*"|,(?=\s*[}\]])/g;

/** Parses JSONC: `//` and `/* *\/` comments and trailing commas are allowed; throws `SyntaxError` otherwise. */
export function parseJsonc(text: string): unknown {
  const withoutComments = text.replace(COMMENTS, (match) => (match.startsWith('"') ? match : " "));
  return JSON.parse(withoutComments.replace(TRAILING_COMMAS, (match) => (match === "," ? "" : match)));
}
