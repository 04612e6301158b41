/**
 * Mounting dj-rest-auth's endpoints (`restAuthHandlers` of `@portcullis/core/accounts`) on a Hono app, at
 * dj-rest-auth's own paths under a prefix.
 * @module
 */
import type { AuthContext } from "@portcullis/core";
import { errorToResponse } from "@portcullis/core";
import { restAuthHandlers, type RestAuthHandlers, type RestAuthOptions } from "@portcullis/core/accounts";
import type { Context, Env, Hono } from "hono";
import { perEnv } from "./_decide.js";
import { markPolicy } from "./_hono-policy.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

/** Options of `mountRestAuthEndpoints`: `restAuthHandlers`' options, or a function of the context (to read `c.env`). */
export interface RestAuthEndpointsOptions {
  readonly options: RestAuthOptions | ((c: Context) => RestAuthOptions);
  /** The prefix of dj-rest-auth's paths (`login/`, `logout/`, ...). Default `"/api/auth/"`. */
  readonly prefix?: string;
  /** The client IP (counted by brute-force protection). Default: the runtime's address, never `X-Forwarded-For`. */
  readonly clientIp?: (c: Context) => string | undefined;
}

const PATHS: Readonly<Record<Exclude<keyof RestAuthHandlers, "tokenRefresh">, string>> & { readonly tokenRefresh: string } = {
  login: "login/",
  logout: "logout/",
  user: "user/",
  passwordChange: "password/change/",
  passwordReset: "password/reset/",
  passwordResetConfirm: "password/reset/confirm/",
  tokenRefresh: "token/refresh/",
};

/**
 * Mounts `login/`, `logout/`, `user/`, `password/change/`, `password/reset/`, `password/reset/confirm/` and, in
 * the JWT mode, `token/refresh/` under `prefix`. Each endpoint authenticates its own request (a policy of its own).
 * @example
 * mountRestAuthEndpoints(app, { options: (c) => ({ mode: "jwt", store: d1Store(c.env.DB), jwt: jwtSettings({ signingKey: c.env.SECRET_KEY }),
 *   resetTokens: passwordResetTokens({ secretKey: c.env.SECRET_KEY }), sendPasswordReset: (m) => sendMail(c.env, m) }) });
 */
export function mountRestAuthEndpoints<E extends Env>(app: Hono<E>, mount: RestAuthEndpointsOptions): Hono<E> {
  const { options } = mount;
  const prefix = (mount.prefix ?? "/api/auth/").replace(/\/?$/, "/");
  const fixed = typeof options === "function" ? null : restAuthHandlers(options);
  const cache = perEnv<RestAuthHandlers>();
  const handlersFor = (c: Context): RestAuthHandlers =>
    fixed ?? cache(c.env, () => restAuthHandlers((options as (c: Context) => RestAuthOptions)(c)));
  const clientIp = mount.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  for (const [name, path] of Object.entries(PATHS) as [keyof RestAuthHandlers, string][]) {
    if (fixed !== null && fixed[name] === null) continue;
    app.all(`${prefix}${path}`, markPolicy(async (c: Context) => {
      let handlers: RestAuthHandlers;
      try {
        handlers = handlersFor(c);
      } catch (error) {
        return errorToResponse(error);
      }
      const handler = handlers[name];
      return handler === null ? c.notFound() : handler(c.req.raw, ctx(c));
    }));
  }
  return app;
}
