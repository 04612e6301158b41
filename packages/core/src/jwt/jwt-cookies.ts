/**
 * dj-rest-auth's JWT cookie settings (`JWT_AUTH_COOKIE`, `JWT_AUTH_REFRESH_COOKIE`, ...) validated once, and the
 * `Set-Cookie` values it writes: `set_jwt_access_cookie`, `set_jwt_refresh_cookie` and `unset_jwt_cookies`.
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { serializeCookie } from "../sessions/cookies.js";
import type { JwtSettings } from "./settings.js";

/** dj-rest-auth's `JWT_AUTH_*` cookie settings in TypeScript naming. */
export interface JwtCookieOptions {
  /** `JWT_AUTH_COOKIE`: the access token's cookie; `null` (default) sets none and reads none. */
  readonly accessCookie?: string | null;
  /** `JWT_AUTH_REFRESH_COOKIE`: the refresh token's cookie; default `null`. */
  readonly refreshCookie?: string | null;
  /** `JWT_AUTH_REFRESH_COOKIE_PATH`, default `"/"` (narrow it to the refresh route where you can). */
  readonly refreshCookiePath?: string;
  /** `JWT_AUTH_SECURE`: `true`, `false`, or `"auto"` (default: on for HTTPS requests; dj-rest-auth's default is `False`). */
  readonly secure?: boolean | "auto";
  /** `JWT_AUTH_HTTPONLY`, default `true`: scripts cannot read the tokens, and the refresh token leaves the body. */
  readonly httpOnly?: boolean;
  /** `JWT_AUTH_SAMESITE`, default `"Lax"`; `null` writes no attribute. */
  readonly sameSite?: "Lax" | "Strict" | "None" | null;
  /** `JWT_AUTH_COOKIE_DOMAIN`, default none (host-only). */
  readonly domain?: string | null;
  /**
   * `JWT_AUTH_COOKIE_USE_CSRF`: a token read from the cookie must pass Django's CSRF check. Default `true`
   * (dj-rest-auth's default is `False`, which leaves cookie JWTs to `SameSite` alone).
   */
  readonly useCsrf?: boolean;
  /** `JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED`: check CSRF even without the cookie. Default `false`. */
  readonly enforceCsrfOnUnauthenticated?: boolean;
}

const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const schema = z.object({
  accessCookie: z.string().regex(NAME).nullable().default(null),
  refreshCookie: z.string().regex(NAME).nullable().default(null),
  refreshCookiePath: z.string().regex(/^\/[^;,\s]*$/).default("/"),
  secure: z.union([z.boolean(), z.literal("auto")]).default("auto"),
  httpOnly: z.boolean().default(true),
  sameSite: z.enum(["Lax", "Strict", "None"]).nullable().default("Lax"),
  domain: z.string().regex(/^[^;,\s]+$/).nullable().default(null),
  useCsrf: z.boolean().default(true),
  enforceCsrfOnUnauthenticated: z.boolean().default(false),
});

/** The validated cookie settings. */
export type JwtCookieConfig = Readonly<z.infer<typeof schema>>;

/**
 * Validates the cookie settings once; `ConfigError` names the option (`cookies.accessCookie`, ...).
 * @example
 * const cookies = jwtCookieConfig({ accessCookie: "my-app-auth", refreshCookie: "my-refresh-token" });
 */
export function jwtCookieConfig(options: JwtCookieOptions = {}): JwtCookieConfig {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`cookies.${String(issue?.path[0] ?? "options")}`, issue?.message ?? "invalid");
  }
  if (parsed.data.sameSite === "None" && parsed.data.secure === false) throw new ConfigError("cookies.secure", "SameSite=None needs Secure");
  return Object.freeze(parsed.data);
}

function secureFor(request: Request, config: JwtCookieConfig): boolean {
  return config.secure === "auto" ? new URL(request.url).protocol === "https:" : config.secure;
}

/**
 * Django's `set_cookie(expires=now + lifetime)`: `Max-Age` is the lifetime in whole seconds (plus Django's one
 * second of rounding, less the microseconds spent), `expires` the matching date.
 */
function lifetimeSeconds(lifetimeMs: number): number {
  return Math.floor(lifetimeMs / 1000);
}

/** The `Set-Cookie` values of a login or refresh: the access cookie, and the refresh cookie when `refresh` is given. */
export function jwtCookies(request: Request, config: JwtCookieConfig, jwt: JwtSettings, tokens: { access?: string; refresh?: string }, now: number): string[] {
  const common = { httpOnly: config.httpOnly, sameSite: config.sameSite, domain: config.domain, secure: secureFor(request, config) };
  const out: string[] = [];
  if (config.accessCookie !== null && tokens.access !== undefined) {
    out.push(serializeCookie(config.accessCookie, tokens.access, { ...common, path: "/", maxAgeSeconds: lifetimeSeconds(jwt.accessTokenLifetimeMs) }, now));
  }
  if (config.refreshCookie !== null && tokens.refresh !== undefined) {
    const maxAgeSeconds = lifetimeSeconds(jwt.refreshTokenLifetimeMs);
    out.push(serializeCookie(config.refreshCookie, tokens.refresh, { ...common, path: config.refreshCookiePath, maxAgeSeconds }, now));
  }
  return out;
}

/** `unset_jwt_cookies`: Django's `delete_cookie` of both cookies (`Secure` only for `SameSite=None`). */
export function unsetJwtCookies(config: JwtCookieConfig): string[] {
  const common = { sameSite: config.sameSite, domain: config.domain, secure: config.sameSite === "None", maxAgeSeconds: 0 };
  const out: string[] = [];
  if (config.accessCookie !== null) out.push(serializeCookie(config.accessCookie, "", { ...common, path: "/" }, 0));
  if (config.refreshCookie !== null) out.push(serializeCookie(config.refreshCookie, "", { ...common, path: config.refreshCookiePath }, 0));
  return out;
}
