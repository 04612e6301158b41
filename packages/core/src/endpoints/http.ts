/**
 * HTTP plumbing shared by the endpoints.
 * @module
 */
import type { AuthContext } from "../context.js";
import { allowHeader } from "../auth-error.js";
import { reportFailure, withHook, type EventHook } from "../events.js";
import { errorToResponse, jsonResponse } from "../response.js";

const EMPTY_CONTEXT: AuthContext = Object.freeze({});

/** 405 with DRF's message and DRF's `Allow` header for a view handling `methods` (default `POST, OPTIONS`). */
export function methodNotAllowed(method: string, methods: readonly string[] = ["POST"]): Response {
  return jsonResponse({ detail: `Method "${method}" not allowed.` }, 405, { Allow: allowHeader(methods) });
}

/**
 * Wraps a handler: any exception (a `StoreError` or another) is reported (to `onEvent`, else `console.error`)
 * and answers 503, fail closed; `ctx` defaults to `{}` and carries `onEvent` to the handler.
 */
export function guardedHandler(
  handler: (request: Request, ctx: AuthContext) => Promise<Response>,
  onEvent?: EventHook,
): (request: Request, ctx?: AuthContext) => Promise<Response> {
  return async (request, ctx = EMPTY_CONTEXT) => {
    const hooked = withHook(ctx, onEvent);
    try {
      return await handler(request, hooked);
    } catch (error) {
      reportFailure(hooked, error);
      return errorToResponse(error);
    }
  };
}
