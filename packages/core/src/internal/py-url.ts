/**
 * Python's `urllib.parse.urlparse` as far as Django's CSRF checks use it (scheme, netloc, `geturl()`, and the
 * `ValueError`s: unbalanced IPv6 brackets, a netloc that NFKC normalization would change into URL syntax), so
 * that Origin and Referer values are judged, and reasons worded, as Django judges and words them.
 * @module
 */

/** The parts of a URL that Django's checks read; `null` where Python raises `ValueError`. */
export interface PyUrl {
  readonly scheme: string;
  readonly netloc: string;
  /** `urlunparse` of the parts, as Python's `ParseResult.geturl()`. */
  readonly url: string;
}

const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const USES_PARAMS = new Set(["", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip", "sips", "mms", "sftp", "tel"]);

function splitAt(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

/** Python's `_checknetloc`: a non-ASCII netloc must not turn into `/?#@:` under NFKC. */
function netlocIsValid(netloc: string): boolean {
  if (!/[^\x00-\x7f]/.test(netloc)) return true;
  const stripped = netloc.replace(/[@:#?]/g, "");
  const normalized = stripped.normalize("NFKC");
  return normalized === stripped || !/[/?#@:]/.test(normalized);
}

/** Python's `ipaddress` rules for one IPv4 octet (ASCII digits, no leading zero, at most 255). */
function isOctet(part: string): boolean {
  return /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255;
}

/** Python's `ipaddress.IPv6Address` (with an optional `%scope`), as `_check_bracketed_host` requires. */
function isIpv6(text: string): boolean {
  const percent = text.indexOf("%");
  const address = percent < 0 ? text : text.slice(0, percent);
  if (percent >= 0 && (text.length === percent + 1 || text.indexOf("%", percent + 1) >= 0)) return false;
  const parts = address.split(":");
  if (parts.length < 3) return false;
  const last = parts[parts.length - 1] as string;
  if (last.includes(".")) {
    const octets = last.split(".");
    if (octets.length !== 4 || !octets.every(isOctet)) return false;
    parts.splice(parts.length - 1, 1, "0", "0");
  }
  if (parts.length > 9) return false;
  const skips = parts.slice(1, -1).map((p, i) => (p === "" ? i + 1 : -1)).filter((i) => i >= 0);
  if (skips.length > 1) return false;
  let body = parts;
  if (skips.length === 1) {
    const at = skips[0] as number;
    const [hi, lo] = [parts[0] === "" ? at - 1 : at, parts[parts.length - 1] === "" ? parts.length - at - 2 : parts.length - at - 1];
    if ((parts[0] === "" && hi !== 0) || (parts[parts.length - 1] === "" && lo !== 0) || 8 - (hi + lo) < 1) return false;
    body = [...parts.slice(parts[0] === "" ? 1 : 0, at), ...parts.slice(at + 1, parts[parts.length - 1] === "" ? -1 : undefined)];
  } else if (parts.length !== 8) return false;
  return body.every((hextet) => /^[0-9a-fA-F]{1,4}$/.test(hextet));
}

/** Python's `_check_bracketed_host`: `v<hex>.<anything>` (IPvFuture) or an IPv6 address. */
function isBracketedHost(host: string): boolean {
  return host.startsWith("v") ? /^v[a-fA-F0-9]+\.[\s\S]+$/.test(host) : isIpv6(host);
}

/** Python's `_check_bracketed_netloc` (for a netloc holding both `[` and `]`). */
function isBracketedNetloc(netloc: string): boolean {
  const hostAndPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  const open = hostAndPort.indexOf("[");
  if (open < 0) return isBracketedHost(splitAt(hostAndPort, ":")[0]);
  if (open > 0) return false;
  const [hostname, port] = splitAt(hostAndPort.slice(1), "]");
  if (port !== "" && !port.startsWith(":")) return false;
  return isBracketedHost(hostname);
}

/** Python's `_splitparams`. */
function splitParams(path: string): [string, string] {
  const slash = path.lastIndexOf("/");
  const at = slash >= 0 ? path.indexOf(";", slash) : path.indexOf(";");
  return at < 0 ? [path, ""] : [path.slice(0, at), path.slice(at + 1)];
}

/**
 * `urlparse(value)`, or `null` where Python raises `ValueError`.
 * @example
 * parsePyUrl("https://example.com/a?")?.url; // "https://example.com/a"
 */
export function parsePyUrl(value: string): PyUrl | null {
  let rest = value.replace(/^[\x00-\x20]+/, "").replace(/[\t\r\n]/g, "");
  let scheme = "";
  const colon = rest.indexOf(":");
  if (colon > 0 && SCHEME_CHARS.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const ends = ["/", "?", "#"].map((c) => rest.indexOf(c, 2)).filter((i) => i >= 0);
    const end = ends.length > 0 ? Math.min(...ends) : rest.length;
    netloc = rest.slice(2, end);
    rest = rest.slice(end);
    if (netloc.includes("[") !== netloc.includes("]")) return null;
    if (netloc.includes("[") && !isBracketedNetloc(netloc)) return null;
  }
  const [beforeFragment, fragment] = splitAt(rest, "#");
  const [pathPart, query] = splitAt(beforeFragment, "?");
  if (!netlocIsValid(netloc)) return null;
  const [path, params] = USES_PARAMS.has(scheme) ? splitParams(pathPart) : [pathPart, ""];
  return { scheme, netloc, url: unparse(scheme, netloc, params ? `${path};${params}` : path, query, fragment) };
}

/** Python's `urlunsplit` for the parsed parts. */
function unparse(scheme: string, netloc: string, path: string, query: string, fragment: string): string {
  let url = path;
  const usesNetloc = netloc !== "" || (scheme !== "" && !url.startsWith("//") && NETLOC_SCHEMES.has(scheme));
  if (usesNetloc) {
    if (url !== "" && !url.startsWith("/")) url = `/${url}`;
    url = `//${netloc}${url}`;
  }
  if (scheme) url = `${scheme}:${url}`;
  if (query) url = `${url}?${query}`;
  if (fragment) url = `${url}#${fragment}`;
  return url;
}

const NETLOC_SCHEMES = new Set(["", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss"]);

/**
 * Django's `is_same_domain(host, pattern)`: the pattern is lower-cased (the host is not); `.example.com` matches
 * `example.com` and every subdomain; otherwise only an exact match.
 * @example
 * isSameDomain("a.example.com", ".example.com"); // true
 */
export function isSameDomain(host: string, pattern: string): boolean {
  if (!pattern) return false;
  const lower = pattern.toLowerCase();
  return (lower.startsWith(".") && (host.endsWith(lower) || host === lower.slice(1))) || lower === host;
}
