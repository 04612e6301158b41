/**
 * Text made safe for a terminal (internal): every character that a terminal would act on or that would reorder
 * or hide what is shown (C0 and C1 controls such as ESC and CSI U+009B, bidi overrides and isolates such as
 * U+202E, other invisible format characters, line separators, lone surrogates) is written as a `\uXXXX` escape.
 * Zero-width joiners stay (emoji sequences); everything else printable is left alone.
 * @module
 */

/** What a terminal must never receive raw: controls, format characters but ZWNJ/ZWJ, U+2028/9, lone surrogates. */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\uD800-\uDFFF]|(?![\u200C\u200D])\p{Cf}/gu;

/** `\uXXXX` for every UTF-16 unit of `match` (two for a character outside the BMP, as JSON writes it). */
function escapeUnits(match: string): string {
  let out = "";
  for (let i = 0; i < match.length; i++) out += `\\u${match.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/**
 * One field (a token name, a username) as it may be printed: every unsafe character, newlines and tabs too,
 * escaped.
 * @example
 * escapeForTerminal("laptop\u202Etxt.exe"); // "laptop\\u202etxt.exe"
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, escapeUnits);
}

/**
 * A whole line of output (which may span lines, as help text and indented JSON do): like
 * {@link escapeForTerminal}, but newlines are kept. Inside JSON the escapes are JSON escapes of the same string,
 * so `--json` output stays valid and parses back to the stored value.
 * @example
 * terminalLine('{"name": "a\u009bb"}'); // '{"name": "a\\u009bb"}'
 */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE, (match) => (match === "\n" ? match : escapeUnits(match)));
}
