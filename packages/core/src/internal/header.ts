/**
 * Parsing of the `Authorization` header, DRF-style: the value is taken as latin-1 bytes (what a `Headers`
 * object holds) and split on runs of ASCII whitespace, as Python's `bytes.split()` does.
 * @module
 */

// Python's bytes.split() separators: space, \t, \n, \v, \f, \r.
const ASCII_WHITESPACE = /[ \t\n\v\f\r]+/;

/** The parts of an `Authorization` value, or `null` when there is no header or it is blank. */
export function splitAuthorization(request: Request): string[] | null {
  const value = request.headers.get("authorization");
  if (value === null) return null;
  const parts = value.split(ASCII_WHITESPACE);
  if (parts[0] === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length === 0 ? null : parts;
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
