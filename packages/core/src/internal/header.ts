/**
 * Parsing of the `Authorization` header, DRF-style: the value is taken as latin-1 bytes (what a `Headers`
 * object holds) and split on runs of ASCII whitespace, as Python's `bytes.split()` does.
 * @module
 */

/** Python's `bytes.split()` separators: space, \t, \n, \v, \f, \r (0x09-0x0d and 0x20). */
function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** `value` split on runs of ASCII whitespace, without empty parts; `null` when nothing is left. */
function splitAsciiWhitespace(value: string, from: number): string[] | null {
  const parts: string[] = [];
  let start = -1;
  for (let i = from; i < value.length; i++) {
    if (!isAsciiWhitespace(value.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      parts.push(value.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) parts.push(value.slice(start));
  return parts.length === 0 ? null : parts;
}

/** The ASCII whitespace other than the space (0x09-0x0d). */
const CONTROL_WHITESPACE = /[\t\n\v\f\r]/;

/** Where `lowerKeyword` starts as the first part of `value` (ASCII case-insensitively), or -1. */
function keywordAt(value: string, lowerKeyword: string): number {
  let at = 0;
  while (at < value.length && isAsciiWhitespace(value.charCodeAt(at))) at++;
  const end = at + lowerKeyword.length;
  if (end > value.length || (end < value.length && !isAsciiWhitespace(value.charCodeAt(end)))) return -1;
  for (let i = 0; i < lowerKeyword.length; i++) {
    const code = value.charCodeAt(at + i);
    if ((code >= 0x41 && code <= 0x5a ? code | 0x20 : code) !== lowerKeyword.charCodeAt(i)) return -1;
  }
  return at;
}

/**
 * The parts of an `Authorization` value whose first part is `lowerKeyword` (compared ASCII case-insensitively,
 * as `asciiLower(part) === lowerKeyword`), or `null`: no header, a blank one, or another scheme's. Another
 * scheme's header is refused after comparing its keyword in place, and the usual `<keyword> <credentials>` is
 * split with native string searches instead of a scan (this runs on every request).
 */
export function authorizationFor(request: Request, lowerKeyword: string): string[] | null {
  const value = request.headers.get("authorization");
  if (value === null) return null;
  const at = keywordAt(value, lowerKeyword);
  if (at < 0) return null;
  const end = at + lowerKeyword.length;
  const isSimple =
    value.charCodeAt(end) === 0x20 &&
    end + 1 < value.length &&
    value.indexOf(" ", end + 1) < 0 &&
    !CONTROL_WHITESPACE.test(value);
  return isSimple ? [value.slice(at, end), value.slice(end + 1)] : splitAsciiWhitespace(value, at);
}

/** `credentialFor`'s answer for `<keyword>` alone (DRF: "No credentials provided"). */
export const NO_CREDENTIALS = 1;
/** `credentialFor`'s answer for `<keyword> <a> <b>...` (DRF: "should not contain spaces"). */
export const TOO_MANY_PARTS = 3;

/**
 * The one credential after `lowerKeyword` in the `Authorization` value: what `authorizationFor` answers as
 * `[keyword, credential]`, without building that array or cutting the keyword (the token hot path). `null` when the
 * header is missing or another scheme's, `NO_CREDENTIALS` / `TOO_MANY_PARTS` for one part / more than two parts.
 */
export function credentialFor(request: Request, lowerKeyword: string): string | null | typeof NO_CREDENTIALS | typeof TOO_MANY_PARTS {
  const value = request.headers.get("authorization");
  if (value === null) return null;
  const at = keywordAt(value, lowerKeyword);
  if (at < 0) return null;
  const end = at + lowerKeyword.length;
  if (value.charCodeAt(end) === 0x20 && end + 1 < value.length && value.indexOf(" ", end + 1) < 0 && !CONTROL_WHITESPACE.test(value)) {
    return value.slice(end + 1);
  }
  const parts = splitAsciiWhitespace(value, at) as string[]; // the keyword matched: at least one part
  if (parts.length === 1) return NO_CREDENTIALS;
  return parts.length > 2 ? TOO_MANY_PARTS : (parts[1] as string);
}

/** ASCII-only lower-casing, as Python's `bytes.lower()` (never touches bytes above 0x7f). */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The latin-1 bytes of a header value (every code unit of a `Headers` value is at most 0xff). */
export function latin1Bytes(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) & 0xff;
  return bytes;
}

// ignoreBOM keeps a leading U+FEFF, as Python's bytes.decode("utf-8") does (the default would strip it).
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes strict UTF-8, or answers `null` when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes latin-1 (every byte is one code point). */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}
