/**
 * Where oauthlib 3.2 finds a Bearer access token (internal): `get_token_from_header`, as django-oauth-toolkit's
 * `OAuth2Authentication` runs it.
 * @module
 */

/** Python's `str.split()` separators within latin-1 (what a `Headers` value holds): Python's `str.isspace()`. */
function isPythonSpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20) || code === 0x85 || code === 0xa0;
}

/** `value.split()` as Python splits a `str` with no argument. */
export function pythonSplit(value: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i < value.length; i++) {
    if (!isPythonSpace(value.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      parts.push(value.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) parts.push(value.slice(start));
  return parts;
}

/**
 * What the request carries, as oauthlib reads it:
 * - `none`: no `Authorization` header (and no `access_token` query parameter, when those are accepted);
 * - `malformed`: an `Authorization` header that is not exactly `Bearer <token>` (any other scheme included):
 *   oauthlib then has no token and DOT sets no `oauth2_error`;
 * - `token`: the token.
 */
export type BearerCredential = { readonly kind: "none" } | { readonly kind: "malformed" } | { readonly kind: "token"; readonly token: string };

const SIMPLE = /^[^\t-\r\x1c-\x20\x85\xa0]+ [^\t-\r\x1c-\x20\x85\xa0]+$/;
const NONE: BearerCredential = Object.freeze({ kind: "none" });
const MALFORMED: BearerCredential = Object.freeze({ kind: "malformed" });

/**
 * The Bearer token of a request. With an `Authorization` header (whatever its scheme) only that header counts;
 * without one, oauthlib reads `access_token` from the query string, which Portcullis does only with `fromQuery`.
 */
export function bearerCredential(request: Request, fromQuery: boolean): BearerCredential {
  const header = request.headers.get("authorization");
  if (header !== null) {
    // The usual `Bearer <token>`: one space, nothing Python would also split on (checked in one scan).
    if (SIMPLE.test(header)) {
      const space = header.indexOf(" ");
      return header.slice(0, space).toLowerCase() === "bearer" ? { kind: "token", token: header.slice(space + 1) } : MALFORMED;
    }
    const parts = pythonSplit(header);
    if (parts.length !== 2 || (parts[0] as string).toLowerCase() !== "bearer") return MALFORMED;
    return { kind: "token", token: parts[1] as string };
  }
  if (!fromQuery) return NONE;
  let token: string | null;
  try {
    // oauthlib builds a dict from the query's pairs: the last `access_token` wins.
    token = new URL(request.url).searchParams.getAll("access_token").at(-1) ?? null;
  } catch {
    return NONE;
  }
  return token === null ? NONE : { kind: "token", token };
}
