/**
 * HTTP plumbing shared by the endpoints.
 * @module
 */
import type { AuthContext } from "../context.js";
import { errorToResponse, jsonResponse } from "../response.js";

const EMPTY_CONTEXT: AuthContext = Object.freeze({});

/** 405 with DRF's message and the `Allow` header. */
export function methodNotAllowed(method: string): Response {
  return jsonResponse({ detail: `Method "${method}" not allowed.` }, 405, { Allow: "POST" });
}

/** Wraps a handler: any exception (a `StoreError` or another) answers 503, fail closed; `ctx` defaults to `{}`. */
export function guardedHandler(
  handler: (request: Request, ctx: AuthContext) => Promise<Response>,
): (request: Request, ctx?: AuthContext) => Promise<Response> {
  return async (request, ctx = EMPTY_CONTEXT) => {
    try {
      return await handler(request, ctx);
    } catch (error) {
      return errorToResponse(error);
    }
  };
}
