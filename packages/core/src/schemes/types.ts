/**
 * The `Scheme` contract: DRF's authentication class as a small object with two methods.
 * @module
 */
import type { AuthContext } from "../context.js";
import type { AuthDenial } from "../auth-error.js";
import type { Awaitable } from "../store/types.js";

/**
 * What a scheme answers: `skip` (not my header: try the next scheme), `success`, or `failure` (my header, bad
 * credentials: stop the chain). A failure may carry a ready `error` (e.g. a 429 from brute-force protection)
 * that is used as it is instead of the 401/403 rule.
 */
export type SchemeResult<U, A> =
  | { readonly type: "skip" }
  | { readonly type: "success"; readonly user: U; readonly auth: A }
  | {
      readonly type: "failure";
      readonly detail: string;
      readonly error?: AuthDenial;
      /** The error's machine code (default `authentication_failed`) and, when the body is richer than `{detail}`, the body. */
      readonly code?: string;
      readonly body?: Readonly<Record<string, unknown>>;
    };

/** An authentication scheme. `U` is the user type it yields, `A` its `auth` value. */
export interface Scheme<U = unknown, A = unknown> {
  /** Reported as `scheme` of an authenticated result, e.g. `"basic"` or `"token"`. */
  readonly name: string;
  /**
   * The scheme's verdict on a request. A scheme that can answer without waiting may answer directly (no promise);
   * callers await only a promise. Throwing and rejecting are the same failure (a `StoreError` answers 503).
   */
  authenticate(request: Request, ctx: AuthContext): Awaitable<SchemeResult<U, A>>;
  /** The `WWW-Authenticate` value; a scheme without one makes failures answer 403 when it comes first. */
  challenge?(request: Request): string | undefined;
}

/** Any scheme, whatever its user and auth types. */
export type AnyScheme = Scheme<unknown, unknown>;

/** The union of the user types of a list of schemes. */
export type UserOf<S extends readonly AnyScheme[]> = S[number] extends Scheme<infer U, unknown> ? U : never;

/** The union of the `auth` types of a list of schemes. */
export type AuthOf<S extends readonly AnyScheme[]> = S[number] extends Scheme<unknown, infer A> ? A : never;

/** The skip result, shared (schemes answer it on most requests that are not theirs). */
export const SKIP: SchemeResult<never, never> = Object.freeze({ type: "skip" });

/** A failure result with DRF's detail. */
export function failure(detail: string): SchemeResult<never, never> {
  return { type: "failure", detail };
}
