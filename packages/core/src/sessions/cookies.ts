/**
 * Cookies as Django reads and writes them: `parseCookieHeader` is Django's `parse_cookie` (split on `;`, the
 * first `=` separates name and value, both stripped as Python's `str.strip()`, quoted values unquoted as
 * `http.cookies._unquote`, the last of a repeated name wins); `serializeCookie` writes the attributes in the
 * order Python's `Morsel` does.
 * @module
 */

/** Python's `str.strip()` on latin-1 text (what a `Headers` value holds). */
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0]+$/g;

/** Python's `http.cookies._unquote`: `"…"` with `\ooo` octal and `\x` escapes. */
function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  return value
    .slice(1, -1)
    .replace(/\\([0-3][0-7][0-7])|\\([^\n])/g, (_m, octal: string | undefined, char: string | undefined) =>
      octal !== undefined ? String.fromCharCode(parseInt(octal, 8)) : (char as string),
    );
}

/**
 * Parses a `Cookie` header the way Django's `parse_cookie` does. Never throws.
 * @example
 * parseCookieHeader("csrftoken=abc; sessionid=xyz").get("sessionid"); // "xyz"
 */
export function parseCookieHeader(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === null) return cookies;
  for (const chunk of header.split(";")) {
    const eq = chunk.indexOf("=");
    const name = (eq < 0 ? "" : chunk.slice(0, eq)).replace(PY_SPACE, "");
    const value = (eq < 0 ? chunk : chunk.slice(eq + 1)).replace(PY_SPACE, "");
    if (name !== "" || value !== "") cookies.set(name, unquote(value));
  }
  return cookies;
}

/** The value of cookie `name` of a request, or `null`. */
export function requestCookie(request: Request, name: string): string | null {
  return parseCookieHeader(request.headers.get("cookie")).get(name) ?? null;
}

/** Attributes of a `Set-Cookie` header. */
export interface CookieAttributes {
  readonly maxAgeSeconds?: number;
  readonly domain?: string | null;
  readonly path?: string;
  readonly httpOnly?: boolean;
  readonly secure?: boolean;
  readonly sameSite?: "Lax" | "Strict" | "None" | null;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Django's `http_date`: `Thu, 01 Jan 1970 00:00:00 GMT`. */
export function httpDate(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/**
 * A `Set-Cookie` value as Django's `HttpResponse.set_cookie` writes it (`expires` and `Max-Age` together).
 * The value must be a cookie-safe token (Portcullis only writes `[A-Za-z0-9]` values or the empty string).
 * @example
 * serializeCookie("sessionid", key, { maxAgeSeconds: 1209600, httpOnly: true, sameSite: "Lax" }, Date.now());
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes, now: number): string {
  const { maxAgeSeconds, domain, path = "/", httpOnly, secure, sameSite } = attributes;
  const parts = [`${name}=${value === "" ? '""' : value}`];
  if (domain) parts.push(`Domain=${domain}`);
  if (maxAgeSeconds !== undefined) {
    parts.push(`expires=${httpDate(maxAgeSeconds === 0 ? 0 : now + maxAgeSeconds * 1000)}`);
  }
  if (httpOnly) parts.push("HttpOnly");
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  parts.push(`Path=${path}`);
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
