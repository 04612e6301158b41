/**
 * SQL literals for `wrangler d1 execute --command`, which takes no bound parameters (internal). Values are
 * inlined as literals, and only the kinds D1 statements of Portcullis bind: strings, finite numbers and null.
 * @module
 */

/** A lone UTF-16 surrogate: such a string cannot be passed as a (UTF-8) process argument unchanged. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The SQL literal of a value: `NULL`, a number, or a string in single quotes with `'` doubled. Refuses
 * anything else (booleans, bigints, blobs, `undefined`, NaN and infinities) and strings that cannot travel as
 * a process argument (NUL, lone surrogates), with a `TypeError` that never quotes the value.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("Cannot inline a number that is not finite into SQL.");
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "string") {
    if (value.includes("\0")) throw new TypeError("Cannot inline a string containing NUL into SQL.");
    if (LONE_SURROGATE.test(value)) throw new TypeError("Cannot inline a string with a lone surrogate into SQL.");
    return `'${value.replaceAll("'", "''")}'`;
  }
  throw new TypeError(`Cannot inline a value of type ${value === undefined ? "undefined" : typeof value} into SQL.`);
}

/** Comments, quoted strings and identifiers (kept as they are), parameters, and runs of anything else. */
const TOKENS = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\?[0-9]*|[:@$][A-Za-z_][\w]*|[^-/'"`[?:@$]+|[\s\S]/g;

/**
 * Replaces the parameters of a statement (`?NNN` and `?`, numbered as SQLite numbers them) by the literals of
 * `values`. Named parameters (`:name`, `@name`, `$name`) and parameters without a value are refused.
 */
export function inlineParams(sql: string, values: readonly unknown[]): string {
  let highest = 0;
  let out = "";
  for (const [token] of sql.matchAll(TOKENS)) {
    if (/^[:@$][A-Za-z_]/.test(token)) throw new TypeError(`Named parameters (${token}) are not supported.`);
    if (!token.startsWith("?")) {
      out += token;
      continue;
    }
    const index = token.length > 1 ? Number(token.slice(1)) : highest + 1;
    highest = Math.max(highest, index);
    if (index < 1 || index > values.length) {
      throw new RangeError(`The statement uses ?${index} but ${values.length} value(s) were bound.`);
    }
    out += sqlLiteral(values[index - 1]);
  }
  return out;
}
