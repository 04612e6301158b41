/**
 * Auth events: the audit trail (DRF has Django's `user_logged_in` / `user_login_failed` signals; better-auth has
 * hooks). Give a policy or an endpoint an `onEvent` function and it is called, synchronously, for every event.
 * No event ever carries a password, token key, digest, session id or `Authorization` value.
 * @module
 */
import type { AuthContext } from "./context.js";

/** Why a password login failed. */
export type LoginFailureReason = "invalid_credentials" | "inactive" | "throttled";

/** Every event Portcullis reports. `clientIp` is the client address of the request, when known. */
export type AuthEvent =
  /** A password login succeeded (`basicAuth`, `obtainTokenHandler`, and other password endpoints). */
  | { readonly type: "login.succeeded"; readonly via: string; readonly userId: string; readonly username: string; readonly clientIp?: string }
  /**
   * A password login failed. `username` is what was typed (an unknown user and a wrong password are one reason,
   * `invalid_credentials`, as the response says); `waitMs` is set when brute-force protection refused it.
   */
  | {
      readonly type: "login.failed";
      readonly via: string;
      readonly reason: LoginFailureReason;
      readonly username: string;
      readonly waitMs?: number;
      readonly clientIp?: string;
    }
  /** A token was issued (never its key). */
  | { readonly type: "token.issued"; readonly userId: string; readonly tokenId: string; readonly expiresAt: number | null }
  /** Tokens were revoked: one (`tokenId`) by a logout, or all of a user's (`count`) by a logout-all. */
  | { readonly type: "token.revoked"; readonly userId: string; readonly tokenId?: string; readonly count?: number }
  /** An expired token was presented (it answered `Invalid token.` and is being removed). */
  | { readonly type: "token.expired"; readonly userId: string; readonly tokenId: string }
  /** An API key was issued through `apiKeyEndpoints` (its id, never the key or its digest). */
  | {
      readonly type: "apiKey.issued";
      readonly ownerId: string;
      readonly keyId: string;
      readonly scopes: readonly string[];
      readonly expiresAt: number | null;
      readonly clientIp?: string;
    }
  /** An API key was rotated: `keyId` works until `expiresAt` (the grace period), `replacementId` replaces it. */
  | {
      readonly type: "apiKey.rotated";
      readonly ownerId: string;
      readonly keyId: string;
      readonly replacementId: string;
      readonly expiresAt: number | null;
      readonly clientIp?: string;
    }
  /** An API key was revoked; it stopped working at once. */
  | { readonly type: "apiKey.revoked"; readonly ownerId: string; readonly keyId: string; readonly clientIp?: string }
  /** A scheme refused the credentials of a request: its name, DRF's code and the HTTP status. */
  | { readonly type: "authentication.failed"; readonly scheme: string; readonly code: string; readonly status: number; readonly clientIp?: string }
  /** A throttle refused a request: its scope and the wait it asked for. */
  | { readonly type: "throttled"; readonly scope: string; readonly waitMs: number; readonly clientIp?: string }
  /** A store (or anything else during a check) failed; the request was answered 503. `error` keeps its `cause`. */
  | { readonly type: "store.failed"; readonly error: unknown };

/** The hook: called once per event. An exception it throws is reported with `console.error` and ignored. */
export type EventHook = (event: AuthEvent) => void;

/** Sends an event to the context's hook, if any; a throwing hook never changes the outcome of a request. */
export function emit(ctx: AuthContext | undefined, event: AuthEvent): void {
  const hook = ctx?.onEvent;
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (error) {
    console.error("Portcullis: the onEvent hook threw; the event was dropped.", error);
  }
}

/**
 * The failures reported in this turn of the event loop, each with the contexts (requests) that reported it. One
 * failure passes through several layers of a request (the guard, an endpoint's wrapper, `errorToResponse`) and is
 * reported once; another request failing with the same value (a store rethrowing one cached error, a rejected
 * connection promise every query awaits) is its own failure and is reported again. Forgotten on the next timer
 * tick, so nothing is held beyond it. Values, not only objects: a rejection with a string is deduplicated too.
 */
let reportedThisTurn: Map<unknown, Set<AuthContext | undefined>> | undefined;
/** How many (failure, context) pairs `reportedThisTurn` holds; it is emptied past `MAX_REMEMBERED`. */
let remembered = 0;
const MAX_REMEMBERED = 4096;

function forgetReported(): void {
  reportedThisTurn = undefined;
  remembered = 0;
}

/**
 * Whether `error` is being reported for the first time for `ctx`. Without a context (`errorToResponse`), a failure
 * any request already reported in this turn is not logged again.
 */
function isFirstReport(ctx: AuthContext | undefined, error: unknown): boolean {
  if (reportedThisTurn === undefined) {
    reportedThisTurn = new Map();
    setTimeout(forgetReported, 0);
  } else if (remembered >= MAX_REMEMBERED) {
    // Bounded even where the timer never fires (fake timers in a test suite): at worst one failure is reported twice.
    reportedThisTurn.clear();
    remembered = 0;
  }
  remembered += 1;
  const reporters = reportedThisTurn.get(error);
  if (reporters === undefined) {
    reportedThisTurn.set(error, new Set([ctx]));
    return true;
  }
  if (ctx === undefined || reporters.has(ctx)) return false;
  reporters.add(ctx);
  return true;
}

/**
 * Reports a failure that is being answered with 503: as a `store.failed` event when a hook is configured, else
 * through `console.error`, with the error and its `cause` (Django logs such errors to `django.request`). A
 * failure is reported once per request however many layers pass it on, and again for every other request that
 * fails with the same error object.
 */
export function reportFailure(ctx: AuthContext | undefined, error: unknown): void {
  if (!isFirstReport(ctx, error)) return;
  if (ctx?.onEvent) emit(ctx, { type: "store.failed", error });
  else console.error("Portcullis: authentication service unavailable, answering 503 (fail closed):", error);
}

/** The context with `onEvent` as its hook (the same object when there is nothing to change). */
export function withHook(ctx: AuthContext, onEvent: EventHook | undefined): AuthContext {
  return onEvent === undefined || ctx.onEvent === onEvent ? ctx : { ...ctx, onEvent };
}
