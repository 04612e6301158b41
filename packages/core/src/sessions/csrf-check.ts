/**
 * Django's `CsrfViewMiddleware.process_view` for one request, as DRF's `SessionAuthentication.enforce_csrf`
 * runs it: safe methods pass; then the `Origin` check; without `Origin` on HTTPS the strict `Referer` check;
 * then the `csrftoken` cookie against the `csrfmiddlewaretoken` form field (POST) or the `X-CSRFToken` header.
 * Answers Django's exact reason, or `null` when the request passes.
 * @module
 */
import { z } from "zod";
import { compatOf, type Compat } from "../compat/compat.js";
import { ConfigError } from "../errors.js";
import { readLimited, MAX_BODY_BYTES } from "../endpoints/body.js";
import { isSameDomain, parsePyUrl } from "../internal/py-url.js";
import { requestCookie } from "./cookies.js";
import { csrfSecretOf, csrfTokenFormatError, csrfTokenMatches } from "./csrf-token.js";

/** Options of the CSRF check (Django's `CSRF_*` settings). */
export interface CsrfOptions {
  /** `CSRF_TRUSTED_ORIGINS`: `"https://app.example.com"` or `"https://*.example.com"` (scheme required). */
  readonly trustedOrigins?: readonly string[];
  /** `CSRF_COOKIE_NAME`, default `"csrftoken"`. */
  readonly cookieName?: string;
  /** `CSRF_HEADER_NAME` as an HTTP header name, default `"X-CSRFToken"`. */
  readonly headerName?: string;
  /** `CSRF_COOKIE_DOMAIN` (e.g. `".example.com"`): the cookie's `Domain` and the Referer check's host. */
  readonly cookieDomain?: string | null;
  /**
   * The Django release whose reasons to answer (`compat({ django })`), default 5.2. Django 3.2 words every token
   * failure `CSRF token missing or incorrect.` (a malformed cookie included) and checks the Referer on HTTPS even
   * when `Origin` is present; 4.0+ give the specific reasons. Portcullis checks `Origin` on every release (3.2
   * ignores it): a deliberate difference, since an untrusted `Origin` is never a legitimate request.
   */
  readonly compat?: Compat;
}

/** The validated CSRF configuration (internal). */
export interface CsrfConfig {
  readonly cookieName: string;
  readonly headerName: string;
  /** How Django names the header in reasons (`HttpHeaders.parse_header_name`): `X-Csrftoken`. */
  readonly headerLabel: string;
  readonly cookieDomain: string | null;
  readonly exactOrigins: ReadonlySet<string>;
  /** Wildcard origins by scheme: netlocs such as `.example.com`. */
  readonly subdomainOrigins: ReadonlyMap<string, readonly string[]>;
  /** The netlocs of every trusted origin with the `*` stripped (the Referer check's trusted hosts). */
  readonly trustedHosts: readonly string[];
  /** Django 3.2's rules: one generic reason for token failures, the Referer checked on HTTPS whatever `Origin`. */
  readonly django32: boolean;
}

const TOKEN_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const optionsSchema = z.object({
  trustedOrigins: z.array(z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, "each must start with a scheme, as https://example.com")).optional(),
  cookieName: z.string().regex(TOKEN_NAME).optional(),
  headerName: z.string().regex(TOKEN_NAME).optional(),
  cookieDomain: z.string().min(1).nullable().optional(),
});

/** Python's `str.title()` on an ASCII header name. */
function titleCase(name: string): string {
  return name.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_m, before: string, letter: string) => before + letter.toUpperCase());
}

/**
 * Validates CSRF options once; throws `ConfigError` naming the option (`csrf.trustedOrigins`, ...).
 * @example
 * const config = csrfConfig({ trustedOrigins: ["https://*.example.com"] });
 */
export function csrfConfig(options: CsrfOptions = {}): CsrfConfig {
  const django32 = compatOf(options?.compat, "csrf.compat").csrf === "3.2";
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`csrf.${String(issue?.path[0] ?? "options")}`, issue?.message ?? "invalid");
  }
  const { trustedOrigins = [], cookieName = "csrftoken", headerName = "X-CSRFToken", cookieDomain = null } = parsed.data;
  const subdomainOrigins = new Map<string, string[]>();
  for (const origin of trustedOrigins.filter((o) => o.includes("*"))) {
    const url = parsePyUrl(origin);
    if (url === null) throw new ConfigError("csrf.trustedOrigins", "must be URLs");
    subdomainOrigins.set(url.scheme, [...(subdomainOrigins.get(url.scheme) ?? []), url.netloc.replace(/^\*+/, "")]);
  }
  return {
    cookieName,
    headerName,
    headerLabel: titleCase(headerName),
    cookieDomain,
    exactOrigins: new Set(trustedOrigins.filter((o) => !o.includes("*"))),
    subdomainOrigins,
    trustedHosts: trustedOrigins.map((o) => (parsePyUrl(o)?.netloc ?? "").replace(/^\*+/, "")),
    django32,
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/**
 * Whether `method` needs no CSRF check (RFC 7231's safe methods, as Django).
 * @example
 * isSafeMethod("GET"); // true
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Django's `_origin_verified`. */
function originVerified(origin: string, url: URL, config: CsrfConfig): boolean {
  if (origin === `${url.protocol === "https:" ? "https" : "http"}://${url.host}`) return true;
  if (config.exactOrigins.has(origin)) return true;
  const parsed = parsePyUrl(origin);
  if (parsed === null) return false;
  return (config.subdomainOrigins.get(parsed.scheme) ?? []).some((host) => isSameDomain(parsed.netloc, host));
}

/** Django's `_check_referer` (HTTPS requests without `Origin`): a reason, or `null`. */
function refererReason(request: Request, url: URL, config: CsrfConfig): string | null {
  const header = request.headers.get("referer");
  if (header === null) return "Referer checking failed - no Referer.";
  const referer = parsePyUrl(header);
  if (referer === null || referer.scheme === "" || referer.netloc === "") return "Referer checking failed - Referer is malformed.";
  if (referer.scheme !== "https") return "Referer checking failed - Referer is insecure while host is secure.";
  if (config.trustedHosts.some((host) => isSameDomain(referer.netloc, host))) return null;
  let good = url.host;
  if (config.cookieDomain !== null) {
    const port = url.port || "443";
    good = port === "443" || port === "80" ? config.cookieDomain : `${config.cookieDomain}:${port}`;
  }
  if (isSameDomain(referer.netloc, good)) return null;
  return `Referer checking failed - ${referer.url} does not match any trusted origins.`;
}

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * `request.POST.get("csrfmiddlewaretoken", "")`: the last value of the field of a POST form body, read from a
 * clone (the handler can still read the body). Another media type, an unreadable or over-limit body, or a file
 * in that field all read as `""` (Django's `UnreadablePostError` path).
 */
async function formToken(request: Request): Promise<string> {
  const contentType = request.headers.get("content-type") ?? "";
  if (request.method.toUpperCase() !== "POST" || !FORM_TYPES.has(contentType.split(";")[0]?.trim().toLowerCase() ?? "")) return "";
  try {
    const bytes = await readLimited(request.clone(), MAX_BODY_BYTES);
    if (bytes === null) return "";
    const values = (await new Response(bytes, { headers: { "content-type": contentType } }).formData()).getAll("csrfmiddlewaretoken");
    const last = values[values.length - 1];
    return typeof last === "string" ? last : "";
  } catch {
    return "";
  }
}

/** Django 3.2's one reason for every token failure but a missing cookie (`REASON_BAD_TOKEN`). */
const BAD_TOKEN_32 = "CSRF token missing or incorrect.";

/** Django's `_check_token`: a reason, or `null`; in 3.2's words when the config says so. */
async function tokenReason(request: Request, config: CsrfConfig): Promise<string | null> {
  const reason = await specificTokenReason(request, config);
  return reason !== null && config.django32 && reason !== "CSRF cookie not set." ? BAD_TOKEN_32 : reason;
}

async function specificTokenReason(request: Request, config: CsrfConfig): Promise<string | null> {
  const cookie = requestCookie(request, config.cookieName);
  if (cookie === null) return "CSRF cookie not set.";
  const cookieError = csrfTokenFormatError(cookie);
  if (cookieError !== null) return `CSRF cookie ${cookieError}.`;
  let token = await formToken(request);
  let source = "POST";
  if (token === "") {
    const header = request.headers.get(config.headerName);
    if (header === null) return "CSRF token missing.";
    token = header;
    source = `the '${config.headerLabel}' HTTP header`;
  }
  const tokenError = csrfTokenFormatError(token);
  if (tokenError !== null) return `CSRF token from ${source} ${tokenError}.`;
  if (!csrfTokenMatches(token, csrfSecretOf(cookie))) return `CSRF token from ${source} incorrect.`;
  return null;
}

/**
 * Runs Django's CSRF checks, in Django's order, on a request; answers Django's reason (without the `CSRF
 * Failed: ` prefix that DRF adds) or `null` when the request passes. Never throws for bad input.
 * @example
 * const reason = await csrfReason(request, csrfConfig({ trustedOrigins: ["https://*.example.com"] }));
 * if (reason) return Response.json({ detail: `CSRF Failed: ${reason}` }, { status: 403 });
 */
export async function csrfReason(request: Request, config: CsrfConfig): Promise<string | null> {
  if (isSafeMethod(request.method)) return null;
  const url = new URL(request.url);
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (!originVerified(origin, url, config)) return `Origin checking failed - ${origin} does not match any trusted origins.`;
  }
  if ((origin === null || config.django32) && url.protocol === "https:") {
    const reason = refererReason(request, url, config);
    if (reason !== null) return reason;
  }
  return tokenReason(request, config);
}
