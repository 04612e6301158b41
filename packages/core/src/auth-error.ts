/**
 * `AuthDenial`: the value that describes a denied request (DRF's `NotAuthenticated`, `AuthenticationFailed`,
 * `PermissionDenied`, `Throttled`), and the messages DRF answers with, word for word.
 * @module
 */

/** A denied request: its HTTP status, a machine code, the human detail and the headers to send. */
export interface AuthDenial {
  readonly status: 401 | 403 | 404 | 405 | 429 | 503;
  readonly code: string;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body when it is richer than `{"detail": ...}` (simplejwt's `{"detail", "code", "messages"}`). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** DRF's messages, exact. */
export const messages = {
  notAuthenticated: "Authentication credentials were not provided.",
  authenticationFailed: "Incorrect authentication credentials.",
  permissionDenied: "You do not have permission to perform this action.",
  serviceUnavailable: "Authentication service unavailable.",
} as const;

/**
 * 401 with the challenge when the first scheme has one, otherwise 403 (DRF's `authenticate_header` rule).
 * @example
 * unauthenticated("not_authenticated", messages.notAuthenticated, 'Basic realm="api"'); // status 401
 */
export function unauthenticated(
  code: string,
  detail: string,
  challenge: string | undefined,
  body?: Readonly<Record<string, unknown>>,
): AuthDenial {
  const extra = body === undefined ? {} : { body };
  if (challenge === undefined) return { status: 403, code, detail, headers: {}, ...extra };
  return { status: 401, code, detail, headers: { "WWW-Authenticate": challenge }, ...extra };
}

/**
 * 403 `permission_denied` with the permission's own message and code, or DRF's defaults.
 * @example
 * permissionDenied(); // { status: 403, detail: "You do not have permission to perform this action." }
 */
export function permissionDenied(detail: string = messages.permissionDenied, code = "permission_denied"): AuthDenial {
  return { status: 403, code, detail, headers: {} };
}

/**
 * 429 `throttled`; `waitSeconds` is rounded up. `Retry-After` is sent on every 429, a zero wait included (DRF
 * omits it for a zero wait and when a lowered limit leaves a client over it; Portcullis always says when to retry).
 * @example
 * throttled(0.2).detail; // "Request was throttled. Expected available in 1 second."
 */
export function throttled(waitSeconds: number): AuthDenial {
  const wait = Math.max(0, Math.ceil(waitSeconds));
  const unit = wait === 1 ? "second" : "seconds";
  const headers: Record<string, string> = { "Retry-After": String(wait) };
  return { status: 429, code: "throttled", detail: `Request was throttled. Expected available in ${wait} ${unit}.`, headers };
}

/**
 * 503 for a store that failed during a check: the request is never let through (fail closed).
 * @example
 * serviceUnavailable().status; // 503
 */
export function serviceUnavailable(): AuthDenial {
  return { status: 503, code: "service_unavailable", detail: messages.serviceUnavailable, headers: {} };
}

/**
 * 404 `not_found` (DRF's `NotFound`, what `Http404` becomes): `djangoObjectPermissions` hides an object the user
 * may not even read.
 * @example
 * notFound().detail; // "Not found."
 */
export function notFound(): AuthDenial {
  return { status: 404, code: "not_found", detail: "Not found.", headers: {} };
}

/** Django's `View.http_method_names`, in its order: the order of `Allow`. */
const DJANGO_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"] as const;

/**
 * The `Allow` value Django and DRF send for a view that handles `methods`: in Django's order, with `HEAD` when
 * there is `GET` (Django's `View.setup`) and `OPTIONS` (every view has it); a method Django cannot route is left out.
 * @example
 * allowHeader(["POST"]); // "POST, OPTIONS"
 * allowHeader(["GET", "PUT", "PATCH"]); // "GET, PUT, PATCH, HEAD, OPTIONS"
 */
export function allowHeader(methods: readonly string[]): string {
  const handled = new Set(methods.map((method) => method.toUpperCase()));
  if (handled.has("GET")) handled.add("HEAD");
  handled.add("OPTIONS");
  return DJANGO_METHODS.filter((method) => handled.has(method)).join(", ");
}

/**
 * 405 `method_not_allowed` (DRF's `MethodNotAllowed`): a method the permission's map does not list. With
 * `allowed`, the view's methods, it carries DRF's `Allow` header (`allowHeader(allowed)`).
 * @example
 * methodNotAllowed("PROPFIND").detail; // 'Method "PROPFIND" not allowed.'
 * methodNotAllowed("PUT", ["POST"]).headers; // { Allow: "POST, OPTIONS" }
 */
export function methodNotAllowed(method: string, allowed?: readonly string[]): AuthDenial {
  const headers: Record<string, string> = allowed === undefined ? {} : { Allow: allowHeader(allowed) };
  return { status: 405, code: "method_not_allowed", detail: `Method "${method}" not allowed.`, headers };
}
