/**
 * The one place that maps outcomes to HTTP responses.
 * @module
 */
import type { AuthError } from "./auth-error.js";
import { serviceUnavailable } from "./auth-error.js";
import { reportFailure } from "./events.js";

/** A JSON response with DRF's content type. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/**
 * The HTTP response for a denied request: `{"detail": ...}` (or the error's richer `body`) with its status and
 * headers.
 * @example
 * const decision = await protect(request);
 * if (!decision.allowed) return toResponse(decision.error);
 */
export function toResponse(error: AuthError): Response {
  return jsonResponse(error.body ?? { detail: error.detail }, error.status, { ...error.headers });
}

/**
 * Maps an exception thrown during a check to a response. Whatever failed (a `StoreError`, a custom store or
 * permission that threw), the request is never let through: 503 `Authentication service unavailable.` (fail
 * closed). Nothing of the exception reaches the response. The failure is reported once: `guard` and the endpoints
 * have already sent it to their `onEvent` hook (or `console.error`); an error nobody reported yet is logged here
 * with `console.error`, with its `cause`.
 * @example
 * try { decision = await protect(request); } catch (e) { return errorToResponse(e); }
 */
export function errorToResponse(error: unknown): Response {
  reportFailure(undefined, error);
  return toResponse(serviceUnavailable());
}
