/**
 * `authenticate()`: runs an ordered list of schemes, DRF-style. The first scheme that authenticates wins;
 * a scheme that fails stops the chain; when every scheme skips, the request is anonymous.
 * @module
 */
import type { AuthContext } from "./context.js";
import type { AuthDenial } from "./auth-error.js";
import { unauthenticated } from "./auth-error.js";
import { emit } from "./events.js";
import { isThenable } from "./internal/awaitable.js";
import type { AnyScheme, AuthOf, SchemeResult, UserOf } from "./schemes/types.js";
import type { Awaitable } from "./store/types.js";

/** The outcome of `authenticate()`. */
export type AuthResult<U = unknown, A = unknown> =
  | { readonly status: "authenticated"; readonly user: U; readonly auth: A; readonly scheme: string }
  | { readonly status: "anonymous"; readonly user: null; readonly auth: null }
  | { readonly status: "failed"; readonly error: AuthDenial };

const ANONYMOUS = Object.freeze({ status: "anonymous", user: null, auth: null } as const);
const EMPTY_CONTEXT: AuthContext = Object.freeze({});

/**
 * The challenge of the first scheme (DRF decides 401 vs 403 by the first authentication class only).
 * @example
 * firstChallenge([basicAuth({ users: store })], request); // 'Basic realm="api"'
 */
export function firstChallenge(schemes: readonly AnyScheme[], request: Request): string | undefined {
  const first = schemes[0];
  return first?.challenge ? first.challenge(request) : undefined;
}

/**
 * Authenticates a request against an ordered list of schemes. Never throws for bad input; a store failure
 * propagates as `StoreError` (the caller answers 503).
 * @example
 * const result = await authenticate(request, [tokenAuth({ store }), basicAuth({ users: store })]);
 * if (result.status === "authenticated") console.log(result.user.username, result.scheme);
 */
export async function authenticate<S extends readonly AnyScheme[]>(
  request: Request,
  schemes: S,
  ctx: AuthContext = EMPTY_CONTEXT,
): Promise<AuthResult<UserOf<S>, AuthOf<S>>> {
  const result = authenticateNow(request, schemes, ctx);
  return isThenable(result) ? await result : result;
}

/**
 * `authenticate()` without a promise of its own (internal, for `guard()`): answers directly while every scheme
 * does, and chains the rest once a scheme answers a promise. A scheme's synchronous throw is thrown from here;
 * the caller's `async` function turns it into the same rejection as a rejected scheme.
 * @example
 * let result = authenticateNow(request, schemes, ctx);
 * if (isThenable(result)) result = await result;
 */
export function authenticateNow<S extends readonly AnyScheme[]>(
  request: Request,
  schemes: S,
  ctx: AuthContext,
  from = 0,
): Awaitable<AuthResult<UserOf<S>, AuthOf<S>>> {
  for (let index = from; index < schemes.length; index++) {
    const scheme = schemes[index] as S[number];
    const result = scheme.authenticate(request, ctx);
    if (isThenable(result)) return settle(request, schemes, ctx, index, result);
    if (result.type !== "skip") return outcome(request, schemes, scheme, result, ctx);
  }
  return ANONYMOUS;
}

/** Awaits the promise scheme `index` answered (any thenable, as `await` takes it), then goes on with the rest. */
function settle<S extends readonly AnyScheme[]>(
  request: Request,
  schemes: S,
  ctx: AuthContext,
  index: number,
  pending: PromiseLike<SchemeResult<unknown, unknown>>,
): Promise<AuthResult<UserOf<S>, AuthOf<S>>> {
  // One `then` (no suspended async frame per waiting request); `Promise.resolve` takes any thenable, as `await`
  // did, and the rest of the chain's promise, if any, is adopted by the one answered here.
  return Promise.resolve(pending).then((result) =>
    result.type !== "skip"
      ? outcome(request, schemes, schemes[index] as S[number], result, ctx)
      : authenticateNow(request, schemes, ctx, index + 1),
  );
}

/** The outcome of the scheme that did not skip: authenticated, or failed (reported as an event). */
function outcome<S extends readonly AnyScheme[]>(
  request: Request,
  schemes: S,
  scheme: AnyScheme,
  result: Exclude<SchemeResult<unknown, unknown>, { type: "skip" }>,
  ctx: AuthContext,
): AuthResult<UserOf<S>, AuthOf<S>> {
  if (result.type === "success") {
    // The scheme is one of S, so its user and auth are among UserOf<S> and AuthOf<S>.
    return { status: "authenticated", user: result.user as UserOf<S>, auth: result.auth as AuthOf<S>, scheme: scheme.name };
  }
  const error =
    result.error ?? unauthenticated(result.code ?? "authentication_failed", result.detail, firstChallenge(schemes, request), result.body);
  emit(ctx, { type: "authentication.failed", scheme: scheme.name, code: error.code, status: error.status, clientIp: ctx.clientIp });
  return { status: "failed", error };
}
