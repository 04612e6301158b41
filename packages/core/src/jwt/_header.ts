/**
 * simplejwt's `get_raw_token` as a pure function: the `Authorization` value split on runs of ASCII whitespace
 * (Python's `bytes.split()`); a first part not among the header types (compared case-sensitively) is not ours;
 * ours with other than two parts is a bad header (internal).
 * @module
 */

/** `null`: not ours (skip); `false`: ours but not two parts; otherwise the raw token. */
export type RawToken = string | false | null;

const WHITESPACE = /[ \t\n\v\f\r]/;
const WHITESPACE_RUNS = /[ \t\n\v\f\r]+/;

/** The raw token of an `Authorization` value for the given header types. */
export function rawTokenOf(value: string | null, headerTypes: readonly string[]): RawToken {
  if (value === null) return null;
  // Fast path: exactly "<type> <token>".
  for (const type of headerTypes) {
    if (value.length > type.length + 1 && value.charCodeAt(type.length) === 0x20 && value.startsWith(type)) {
      const token = value.slice(type.length + 1);
      if (!WHITESPACE.test(token)) return token;
      break;
    }
  }
  const parts = value.split(WHITESPACE_RUNS).filter((part) => part !== "");
  if (parts.length === 0 || !headerTypes.includes(parts[0] as string)) return null;
  return parts.length === 2 ? (parts[1] as string) : false;
}
