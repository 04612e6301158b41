/**
 * The one place that maps outcomes to HTTP responses.
 * @module
 */
import type { AuthDenial } from "./auth-error.js";
import { serviceUnavailable } from "./auth-error.js";
import { reportFailure } from "./events.js";

/**
 * What every response Portcullis builds says to caches: store nothing (RFC 9111 `no-store`; `Pragma: no-cache` for
 * HTTP/1.0 caches, as RFC 6749 §5.1 asks of a response carrying a token). Errors, tokens and 204s alike: none of
 * them may be replayed to another client.
 */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Cache-Control": "no-store",
  Pragma: "no-cache",
});

/**
 * A JSON response with DRF's content type and {@link NO_STORE_HEADERS} (`headers` may override them).
 * @example
 * return jsonResponse({ detail: "Not found." }, 404);
 */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...NO_STORE_HEADERS, ...headers },
  });
}

/**
 * The HTTP response for a denied request: `{"detail": ...}` (or the error's richer `body`) with its status and
 * headers.
 * @example
 * const decision = await protect(request);
 * if (!decision.allowed) return toResponse(decision.error);
 */
export function toResponse(error: AuthDenial): Response {
  return jsonResponse(error.body ?? { detail: error.detail }, error.status, { ...error.headers });
}

/**
 * Maps an exception thrown during a check to a response. Whatever failed (a `StoreError`, a custom store or
 * permission that threw), the request is never let through: 503 `Authentication service unavailable.` (fail
 * closed). Nothing of the exception reaches the response. The failure is reported once: `guard` and the endpoints
 * have already sent it to their `onEvent` hook (or `console.error`); an error nobody reported in this turn of the
 * event loop is logged here with `console.error`, with its `cause`.
 * @example
 * try { decision = await protect(request); } catch (e) { return errorToResponse(e); }
 */
export function errorToResponse(error: unknown): Response {
  reportFailure(undefined, error);
  return toResponse(serviceUnavailable());
}
