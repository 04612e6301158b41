/**
 * dj-rest-auth's `UserDetailsView` and its JWT refresh view with cookie support (internal; see `rest-auth.ts`).
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { ConflictError } from "../errors.js";
import { parseBody } from "../endpoints/body.js";
import { charField, validateFields } from "../endpoints/fields.js";
import { jsonResponse } from "../response.js";
import { requestCookie } from "../sessions/cookies.js";
import { invalidToken } from "../jwt/_endpoint.js";
import { jwtCookies } from "../jwt/jwt-cookies.js";
import { refreshJwtHandler } from "../jwt/refresh.js";
import type { JwtSettings } from "../jwt/settings.js";
import type { User } from "../store/types.js";
import { z } from "zod";
import type { RestAuthConfig } from "./rest-auth.js";
import { isoDateTime, notAllowed, readValidated, userBody, withCookies } from "./_rest-auth-body.js";
import { userDetailsSchema } from "./_fields.js";

const TAKEN = { username: ["A user with that username already exists."] };

/** `UserDetailsView`: GET the user; PUT (username required) or PATCH `username`, `first_name`, `last_name`. */
export function userDetailsHandler(config: RestAuthConfig) {
  const { store } = config;
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, true);
    if (authed instanceof Response) return authed;
    const id = (authed.user as User).id;
    const method = request.method;
    if (method !== "GET" && method !== "HEAD" && method !== "PUT" && method !== "PATCH") return notAllowed(method, "GET, PUT, PATCH, HEAD, OPTIONS");
    let account = await store.getAccount(id);
    if (account === null) return jsonResponse({ detail: "User not found" }, 401);
    if (method === "PUT" || method === "PATCH") {
      const data = await readValidated(request, userDetailsSchema(method === "PATCH"));
      if (data instanceof Response) return data;
      const { username, first_name: firstName, last_name: lastName } = data;
      if (username !== undefined && username !== account.user.username && (await store.getUserByUsername(username)) !== null) return jsonResponse(TAKEN, 400);
      try {
        await store.updateAccount(id, { username, firstName, lastName });
      } catch (error) {
        if (error instanceof ConflictError) return jsonResponse(TAKEN, 400);
        throw error;
      }
      account = (await store.getAccount(id)) ?? account;
    }
    return jsonResponse(userBody(account), 200);
  };
}

const refreshField = z.object({ refresh: charField({ trimWhitespace: true }).optional() });

/**
 * `get_refresh_view()`: simplejwt's refresh with the token from the body, else the refresh cookie; sets the new
 * access (and rotated refresh) cookie, adds `access_expiration`, and drops `refresh` from the body when HttpOnly.
 */
export function refreshHandler(config: RestAuthConfig) {
  const jwt = config.jwt as JwtSettings;
  const refresh = refreshJwtHandler({ jwt, users: config.store, blacklist: config.blacklist, onEvent: config.onEvent });
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    if (request.method !== "POST") return notAllowed(request.method, "POST, OPTIONS");
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status);
    const data = body.data as Record<string, unknown>;
    const present = typeof data === "object" && data !== null && !Array.isArray(data) && data.refresh !== undefined;
    const field = validateFields(present ? { refresh: data.refresh } : {}, refreshField);
    if (!field.ok) return jsonResponse(field.errors, 400);
    const name = config.cookies.refreshCookie;
    const raw = field.data.refresh ?? (name === null ? null : requestCookie(request, name));
    if (raw === null || raw === undefined) return invalidToken(jwt, "No valid refresh token found.");
    const inner = new Request(request.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh: raw }) });
    const answer = await refresh(inner, ctx);
    if (answer.status !== 200) return answer;
    const tokens = (await answer.json()) as { access: string; refresh?: string };
    const now = nowOf(ctx);
    const out: Record<string, unknown> = { ...tokens, access_expiration: isoDateTime(now + jwt.accessTokenLifetimeMs) };
    if (tokens.refresh !== undefined) {
      if (config.cookies.httpOnly) delete out.refresh;
      else out.refresh_expiration = isoDateTime(now + jwt.refreshTokenLifetimeMs);
    }
    return withCookies(jsonResponse(out, 200), jwtCookies(request, config.cookies, jwt, tokens, now));
  };
}
