/**
 * What dj-rest-auth's handlers share (internal): reading a body through a serializer schema, the user body of
 * `UserDetailsSerializer`, and DRF's `DateTimeField` output.
 * @module
 */
import type { z } from "zod";
import { parseBody } from "../endpoints/body.js";
import { validateFields } from "../endpoints/fields.js";
import { jsonResponse } from "../response.js";
import type { UserAccount } from "../store/types.js";

/** The body validated by `schema` (DRF's 400/413/415 otherwise). */
export async function readValidated<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  const body = await parseBody(request);
  if (!body.ok) return jsonResponse(body.body, body.status);
  const result = validateFields(body.data, schema);
  return result.ok ? result.data : jsonResponse(result.errors, 400);
}

/** Django's integer pks are JSON numbers; any other id stays text. */
export function pkOf(id: string): string | number {
  return /^(?:0|[1-9][0-9]{0,14})$/.test(id) ? Number(id) : id;
}

/** `UserDetailsSerializer`: `pk`, `username`, `email`, `first_name`, `last_name`. */
export function userBody(account: UserAccount): Record<string, unknown> {
  return { pk: pkOf(account.user.id), username: account.user.username, email: account.email, first_name: account.firstName, last_name: account.lastName };
}

/** DRF's `DateTimeField` of a UTC instant: `datetime.isoformat()` with `Z` (microseconds only when not zero). */
export function isoDateTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const ms = epochMs % 1000;
  return ms === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${String(ms).padStart(3, "0")}000Z`;
}

/** A JSON response with `Set-Cookie` values appended. */
export function withCookies(response: Response, cookies: readonly string[]): Response {
  for (const cookie of cookies) response.headers.append("Set-Cookie", cookie);
  return response;
}

/** DRF's 405, with the view's `Allow`. */
export function notAllowed(method: string, allow: string): Response {
  return jsonResponse({ detail: `Method "${method}" not allowed.` }, 405, { Allow: allow });
}
