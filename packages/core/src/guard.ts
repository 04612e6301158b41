/**
 * `guard()`: the whole DRF pipeline for one request (authenticate, then permissions, then throttles).
 * @module
 */
import type { AuthContext } from "./context.js";
import type { AuthDenial } from "./auth-error.js";
import { messages, permissionDenied, throttled, unauthenticated } from "./auth-error.js";
import { authenticateNow, firstChallenge, type AuthResult } from "./authenticate.js";
import { ConfigError, PermissionDenial } from "./errors.js";
import { emit, reportFailure, withHook, type EventHook } from "./events.js";
import { isThenable } from "./internal/awaitable.js";
import { isAuthenticated } from "./permissions/builtin.js";
import type { AnyPermission, PermissionCheck, RequiresUser } from "./permissions/types.js";
import type { AnyScheme, AuthOf, UserOf } from "./schemes/types.js";
import type { Awaitable } from "./store/types.js";
import type { Throttle, ThrottleResult } from "./throttles/types.js";

/** What a route requires: schemes in order, permissions (default `[isAuthenticated]`), throttles. */
export interface Policy<
  S extends readonly AnyScheme[] = readonly AnyScheme[],
  P extends readonly AnyPermission[] | undefined = readonly AnyPermission[] | undefined,
> {
  readonly schemes: S;
  readonly permissions?: P;
  readonly throttles?: readonly Throttle[];
  /** Receives the auth events of this policy's requests (see `AuthEvent`); a store failure is one of them. */
  readonly onEvent?: EventHook;
}

/** An allowed request with the user a scheme authenticated. */
export interface AllowedUser<U, A> {
  readonly allowed: true;
  readonly user: U;
  readonly auth: A;
  readonly scheme: string;
  /** The `RateLimit-Policy` / `RateLimit` fields to add to the response (throttles built with `headers: true`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An allowed anonymous request (possible only when no permission of the policy requires a user). */
export interface AllowedAnonymous {
  readonly allowed: true;
  readonly user: null;
  readonly auth: null;
  readonly scheme: null;
  /** The `RateLimit-Policy` / `RateLimit` fields to add to the response (throttles built with `headers: true`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A denied request. */
export interface Denied {
  readonly allowed: false;
  readonly error: AuthDenial;
}

/**
 * The verdict of `guard`. `N` is `AllowedAnonymous`, or `never` when the policy's permissions guarantee a user
 * (the default `[isAuthenticated]`, `isAdminUser`, ...): then an allowed decision always has one.
 */
export type Decision<U = unknown, A = unknown, N extends AllowedAnonymous = AllowedAnonymous> =
  | AllowedUser<U, A>
  | N
  | Denied;

/** `never` when permissions `P` guarantee a user, else `AllowedAnonymous`. */
export type AnonymousOf<P> = RequiresUser<P> extends true ? never : AllowedAnonymous;

/**
 * The function `guard` returns, with the policy's object-level check (DRF's `check_object_permissions`) as a
 * method, so the policy is validated once and every adapter can reach it.
 */
export interface Guard<U, A, N extends AllowedAnonymous = AllowedAnonymous> {
  (request: Request, ctx?: AuthContext): Promise<Decision<U, A, N>>;
  /**
   * The same check, answered directly (not as a promise) when every scheme, permission and throttle of the policy
   * answered directly (an in-process store, a cached JWT), else as a promise. It never throws: a failure is a
   * rejected promise, reported once, exactly as the guard's own. For adapters: a direct answer costs no promise and
   * no microtask on the request's path.
   * @example
   * const answer = protect.decideNow(request, ctx);
   * const decision = answer instanceof Promise ? await answer : answer;
   */
  decideNow(request: Request, ctx?: AuthContext): Decision<U, A, N> | Promise<Decision<U, A, N>>;
  /**
   * Runs the object-level checks of the policy's permissions for a decision this guard answered; answers the
   * decision unchanged when every permission allows the object (and a denied decision untouched).
   */
  checkObjectPermissions(decision: Decision<U, A, N>, request: Request, object: unknown): Promise<Decision<U, A, N>>;
}

const EMPTY_CONTEXT: AuthContext = Object.freeze({});
const DEFAULT_PERMISSIONS: readonly AnyPermission[] = Object.freeze([isAuthenticated]);

/**
 * Builds the check for a policy, validating it once. Expected outcomes come back as a `Decision`; a store
 * failure is reported (a `store.failed` event, or one `console.error` without a hook) and thrown as it is
 * (answer 503 through `errorToResponse`, which does not report it again).
 * @example
 * const protect = guard({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });
 * const decision = await protect(request, { clientIp: "203.0.113.7" });
 * if (!decision.allowed) return toResponse(decision.error);
 * const onObject = await protect.checkObjectPermissions(decision, request, article); // DRF's object-level check
 */
export function guard<
  const S extends readonly AnyScheme[],
  const P extends readonly AnyPermission[] | undefined = undefined,
>(policy: Policy<S, P>): Guard<UserOf<S>, AuthOf<S>, AnonymousOf<P>> {
  const { schemes, permissions, throttles } = validatePolicy(policy);
  const decideNow = pipeline<S, P>(schemes, permissions, throttles, policy.onEvent);
  const run = (request: Request, ctx?: AuthContext) => {
    const answer = decideNow(request, ctx);
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  };
  const onEvent = policy.onEvent;
  return Object.assign(run, {
    decideNow,
    checkObjectPermissions: async <D extends Decision<UserOf<S>, AuthOf<S>, AnonymousOf<P>>>(decision: D, request: Request, object: unknown) => {
      try {
        return await checkObject(schemes, permissions, decision, request, object);
      } catch (error) {
        if (error instanceof PermissionDenial) return { allowed: false, error: error.denial } as D;
        // Reported once and rethrown, as the request's own failures are (`errorToResponse` does not report it again).
        // The object-level check has no request context: its own one goes to the policy's hook (or `console.error`).
        reportFailure(onEvent === undefined ? {} : { onEvent }, error);
        throw error;
      }
    },
  });
}

/** Authenticate, then permissions in order, then every throttle: DRF's `initial()`. */
function pipeline<S extends readonly AnyScheme[], P extends readonly AnyPermission[] | undefined>(
  schemes: S,
  permissions: readonly AnyPermission[],
  throttles: readonly Throttle[],
  onEvent: EventHook | undefined,
): (request: Request, ctx?: AuthContext) => Awaitable<Decision<UserOf<S>, AuthOf<S>, AnonymousOf<P>>> {
  type Result = AuthResult<UserOf<S>, AuthOf<S>>;
  type Answer = Decision<UserOf<S>, AuthOf<S>, AnonymousOf<P>>;
  type Check = PermissionCheck<UserOf<S>, AuthOf<S>>;
  type Passed = Exclude<Result, { status: "failed" }>;

  // Plain functions, not one async function: while a store answers, a waiting request holds a single `then`
  // callback rather than a suspended frame. Under load, every frame that outlives a young-generation collection is
  // copied and then promoted; bench/NOTES.md (eighth pass) measures what that cost a PostgreSQL-backed route.
  // With an in-process store and synchronous permissions, no promise is made at all: the answer is direct.
  return (request, ctx = EMPTY_CONTEXT) => {
    let result: Awaitable<Result>;
    try {
      // Inside the `try`: a context that is not an object (`null` from JavaScript) is a rejection, never a throw.
      if (onEvent !== undefined) ctx = withHook(ctx, onEvent);
      result = authenticateNow(request, schemes, ctx);
      if (!isThenable(result)) return decide(request, result, ctx);
    } catch (error) {
      return caughtNow(error, ctx);
    }
    return Promise.resolve(result).then(
      (settled) => {
        try {
          return decide(request, settled, ctx);
        } catch (error) {
          return caught(error, ctx);
        }
      },
      (error: unknown) => caught(error, ctx),
    );
  };

  /** Permissions in order, then throttles, synchronously while every permission answers a boolean. */
  function decide(request: Request, result: Result, ctx: AuthContext): Answer | Promise<Answer> {
    if (result.status === "failed") return { allowed: false, error: result.error };
    const check: Check = { request, user: result.user, auth: result.auth, authenticated: result.status === "authenticated" };
    for (let index = 0; index < permissions.length; index++) {
      const permission = permissions[index] as AnyPermission;
      const allowed = permission.hasPermission(check);
      if (typeof allowed !== "boolean") return decideLater(result, check, ctx, index, allowed);
      if (!allowed) return { allowed: false, error: permissionError(schemes, check, permission) };
    }
    return throttles.length > 0 ? throttledThen(result, check, ctx) : allowedAs(result, undefined);
  }

  /** The rest of `decide` from a permission that answered a promise (most are synchronous: no microtask for them). */
  async function decideLater(result: Passed, check: Check, ctx: AuthContext, from: number, pending: Promise<boolean>): Promise<Answer> {
    try {
      for (let index = from; index < permissions.length; index++) {
        const permission = permissions[index] as AnyPermission;
        let allowed = index === from ? pending : permission.hasPermission(check);
        if (typeof allowed !== "boolean") allowed = await allowed;
        if (!allowed) return { allowed: false, error: permissionError(schemes, check, permission) };
      }
    } catch (error) {
      return caught(error, ctx);
    }
    // Outside the `try`: `throttledThen` reports its own failures, once.
    return throttles.length > 0 ? throttledThen(result, check, ctx) : allowedAs(result, undefined);
  }

  /** Every throttle, then the answer with their `RateLimit` fields (one `then`: see `runThrottles`). */
  function throttledThen(result: Passed, check: Check, ctx: AuthContext): Promise<Answer> {
    // `runThrottles` never throws: a throttle that throws synchronously is already a rejection there.
    return runThrottles(throttles, check, ctx).then(
      (v) => (v.error ? { allowed: false, error: v.error } : allowedAs(result, v.headers)),
      (error: unknown) => caught(error, ctx),
    );
  }

  function allowedAs(result: Passed, headers: Readonly<Record<string, string>> | undefined): Answer {
    if (result.status === "anonymous") {
      // Reached only when no permission required a user, so AnonymousOf<P> is AllowedAnonymous here.
      const anonymous = { allowed: true, user: null, auth: null, scheme: null } as const;
      return (headers === undefined ? anonymous : { ...anonymous, headers }) as AnonymousOf<P>;
    }
    if (headers !== undefined) return { allowed: true, user: result.user, auth: result.auth, scheme: result.scheme, headers };
    return { allowed: true, user: result.user, auth: result.auth, scheme: result.scheme };
  }

  /** `caught` for an error thrown synchronously: the same answer, as a promise. */
  function caughtNow(error: unknown, ctx: AuthContext): Promise<Answer> {
    try {
      return Promise.resolve(caught(error, ctx));
    } catch (rethrown) {
      return Promise.reject(rethrown);
    }
  }

  /** A permission's `PermissionDenial` is its answer; anything else is reported once and rethrown. */
  function caught(error: unknown, ctx: AuthContext): Answer {
    if (error instanceof PermissionDenial) return { allowed: false, error: error.denial };
    reportFailure(ctx, error);
    throw error;
  }
}

/** DRF's `check_object_permissions` over validated permissions: the first object denial decides. */
async function checkObject<D extends Decision<unknown, unknown, AllowedAnonymous>>(
  schemes: readonly AnyScheme[],
  permissions: readonly AnyPermission[],
  decision: D,
  request: Request,
  object: unknown,
): Promise<D> {
  if (!decision.allowed) return decision;
  const check = { request, user: decision.user, auth: decision.auth, authenticated: decision.scheme !== null };
  for (const permission of permissions) {
    if (permission.hasObjectPermission && !(await permission.hasObjectPermission(check, object))) {
      return { allowed: false, error: permissionError(schemes, check, permission) } as D;
    }
  }
  return decision;
}

/** DRF's `permission_denied`: when schemes exist but none authenticated, the answer is `NotAuthenticated`. */
function permissionError(
  schemes: readonly AnyScheme[],
  check: PermissionCheck<unknown, unknown>,
  permission: AnyPermission,
): AuthDenial {
  if (schemes.length > 0 && !check.authenticated) {
    return unauthenticated("not_authenticated", messages.notAuthenticated, firstChallenge(schemes, check.request));
  }
  return permissionDenied(permission.message, permission.code);
}

/** What the throttles of one request decided: the denial if any, and their `RateLimit` fields. */
type ThrottleVerdict = { error: AuthDenial | null; headers?: Readonly<Record<string, string>> };

/** The throttles' answers so far, joined as `runThrottles` goes. */
interface Tally {
  denied: boolean;
  waitMs: number;
  policy: string;
  state: string;
}

/**
 * Every throttle runs; the largest wait wins (DRF's `check_throttles`). The `RateLimit` fields of the throttles
 * that answer them are joined into one list per field (allowed and refused requests alike). One `then` per
 * throttle, in order, rather than an async loop: a request waiting on its counters holds no suspended frame.
 */
function runThrottles(
  throttles: readonly Throttle[],
  check: PermissionCheck<unknown, unknown>,
  ctx: AuthContext,
  from = 0,
  tally: Tally = { denied: false, waitMs: 0, policy: "", state: "" },
): Promise<ThrottleVerdict> {
  const throttle = throttles[from] as Throttle;
  let answer: Promise<ThrottleResult>;
  try {
    answer = Promise.resolve(throttle.allow(check, ctx));
  } catch (error) {
    return Promise.reject(error);
  }
  return answer.then((verdict) => {
    if (verdict.rateLimit !== undefined) {
      tally.policy = tally.policy === "" ? verdict.rateLimit.policy : `${tally.policy}, ${verdict.rateLimit.policy}`;
      tally.state = tally.state === "" ? verdict.rateLimit.state : `${tally.state}, ${verdict.rateLimit.state}`;
    }
    if (!verdict.allowed) {
      tally.denied = true;
      tally.waitMs = Math.max(tally.waitMs, verdict.waitMs);
      emit(ctx, { type: "throttled", scope: throttle.scope ?? "custom", waitMs: verdict.waitMs, clientIp: ctx.clientIp });
    }
    return from + 1 < throttles.length ? runThrottles(throttles, check, ctx, from + 1, tally) : verdictOf(tally);
  });
}

function verdictOf({ denied, waitMs, policy, state }: Tally): ThrottleVerdict {
  const headers = policy === "" ? undefined : { "RateLimit-Policy": policy, RateLimit: state };
  if (!denied) return { error: null, headers };
  const denial = throttled(waitMs / 1000);
  return { error: headers === undefined ? denial : { ...denial, headers: { ...denial.headers, ...headers } } };
}

function validatePolicy<S extends readonly AnyScheme[]>(policy: Policy<S, readonly AnyPermission[] | undefined>) {
  if (typeof policy !== "object" || policy === null) throw new ConfigError("policy", "must be an object");
  if (!Array.isArray(policy.schemes)) throw new ConfigError("schemes", "must be an array of schemes");
  for (const s of policy.schemes) {
    if (typeof s?.authenticate !== "function") throw new ConfigError("schemes", "every scheme needs authenticate()");
  }
  const permissions = policy.permissions ?? DEFAULT_PERMISSIONS;
  for (const p of permissions) {
    if (typeof p?.hasPermission !== "function") throw new ConfigError("permissions", "every permission needs hasPermission()");
  }
  const throttles = policy.throttles ?? [];
  const rateLimitNames = new Set<string>();
  for (const t of throttles) {
    if (typeof t?.allow !== "function") throw new ConfigError("throttles", "every throttle needs allow()");
    if (t.rateLimitName === undefined) continue;
    if (rateLimitNames.has(t.rateLimitName)) {
      throw new ConfigError("throttles", `two throttles answer RateLimit fields named "${t.rateLimitName}": give one another scope`);
    }
    rateLimitNames.add(t.rateLimitName);
  }
  return { schemes: policy.schemes, permissions: [...permissions], throttles: [...throttles] };
}
