/**
 * The cookies of session authentication, with Django's names and defaults: `sessionid` (HttpOnly, SameSite=Lax,
 * two weeks) and `csrftoken` (readable by scripts, SameSite=Lax, one year). `Secure` is added on HTTPS requests
 * unless `secure` says otherwise.
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { serializeCookie } from "./cookies.js";
import type { CsrfConfig } from "./csrf-check.js";

/** Options of the `sessionid` cookie (Django's `SESSION_COOKIE_*` settings). */
export interface SessionCookieOptions {
  /** `SESSION_COOKIE_NAME`, default `"sessionid"`. */
  readonly name?: string;
  /** `SESSION_COOKIE_AGE` in seconds, default 1,209,600 (two weeks): the cookie's and the session's lifetime. */
  readonly ageSeconds?: number;
  /** `SESSION_COOKIE_DOMAIN`, default none (host-only). */
  readonly domain?: string | null;
  /** `SESSION_COOKIE_PATH`, default `"/"`. */
  readonly path?: string;
  /** `Secure`: default `"auto"` (on for HTTPS requests); `true` or `false` to force it. */
  readonly secure?: boolean | "auto";
  /** `SameSite`, default `"Lax"`. */
  readonly sameSite?: "Lax" | "Strict" | "None";
}

/** The validated session cookie settings (internal). */
export type SessionCookieConfig = Required<Omit<SessionCookieOptions, "domain">> & { readonly domain: string | null };

const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const schema = z.object({
  name: z.string().regex(NAME).default("sessionid"),
  ageSeconds: z.number().int().positive().max(10 * 366 * 86_400).default(1_209_600),
  domain: z.string().regex(/^[^;,\s]+$/).nullable().default(null),
  path: z.string().regex(/^\/[^;,\s]*$/).default("/"),
  secure: z.union([z.boolean(), z.literal("auto")]).default("auto"),
  sameSite: z.enum(["Lax", "Strict", "None"]).default("Lax"),
});

/** Validates the cookie options once; `ConfigError` names the option (`cookie.ageSeconds`, ...). */
export function sessionCookieConfig(options: SessionCookieOptions = {}): SessionCookieConfig {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`cookie.${String(issue?.path[0] ?? "options")}`, issue?.message ?? "invalid");
  }
  return parsed.data;
}

/** Django's `CSRF_COOKIE_AGE`: one year (52 weeks). */
export const CSRF_COOKIE_AGE_SECONDS = 31_449_600;

function isSecure(request: Request, secure: boolean | "auto"): boolean {
  return secure === "auto" ? new URL(request.url).protocol === "https:" : secure;
}

/** `Set-Cookie` for a new session key. */
export function sessionCookie(request: Request, config: SessionCookieConfig, key: string, now: number): string {
  const { name, ageSeconds, domain, path, sameSite, secure } = config;
  return serializeCookie(name, key, { maxAgeSeconds: ageSeconds, domain, path, httpOnly: true, sameSite, secure: isSecure(request, secure) }, now);
}

/** `Set-Cookie` that deletes the session cookie (Django's `delete_cookie`). */
export function clearSessionCookie(request: Request, config: SessionCookieConfig): string {
  const { name, domain, path, sameSite, secure } = config;
  return serializeCookie(name, "", { maxAgeSeconds: 0, domain, path, sameSite, secure: isSecure(request, secure) }, 0);
}

/** `Set-Cookie` for a CSRF secret: readable by scripts (not HttpOnly), as Django's `csrftoken`. */
export function csrfCookie(request: Request, csrf: CsrfConfig, secure: boolean | "auto", secret: string, now: number): string {
  return serializeCookie(
    csrf.cookieName,
    secret,
    { maxAgeSeconds: CSRF_COOKIE_AGE_SECONDS, domain: csrf.cookieDomain, path: "/", sameSite: "Lax", secure: isSecure(request, secure) },
    now,
  );
}
