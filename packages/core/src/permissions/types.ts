/**
 * The `Permission` contract (DRF's `BasePermission`).
 * @module
 */

/** What a permission sees: the request and the outcome of authentication. */
export interface PermissionCheck<U = unknown, A = unknown> {
  readonly request: Request;
  /** `null` for an anonymous request. */
  readonly user: U | null;
  readonly auth: A | null;
  readonly authenticated: boolean;
}

/**
 * A permission. `hasObjectPermission` is optional: a permission without it allows every object (DRF's
 * `BasePermission` default). `message` and `code` replace DRF's default denial detail and code.
 */
export interface Permission<U = unknown, A = unknown> {
  hasPermission(check: PermissionCheck<U, A>): boolean | Promise<boolean>;
  hasObjectPermission?(check: PermissionCheck<U, A>, object: unknown): boolean | Promise<boolean>;
  readonly message?: string;
  readonly code?: string;
}

/** Any permission, whatever its user and auth types. */
export type AnyPermission = Permission<unknown, unknown>;

/**
 * A permission that never allows an anonymous request (`isAuthenticated`, `isAdminUser`, an `allOf` containing
 * one). The marker lets the types know that a policy listing it always has a user: `c.var.user` is then `User`,
 * not `User | null`. Set it on your own permission only if it really denies every anonymous request.
 */
export interface AuthenticatedPermission<U = unknown, A = unknown> extends Permission<U, A> {
  readonly requiresAuthentication: true;
}

/** Whether a permission list (or the default, when `undefined`) guarantees an authenticated user. */
export type RequiresUser<P> = P extends undefined
  ? true
  : P extends readonly unknown[]
    ? [Extract<P[number], { readonly requiresAuthentication: true }>] extends [never]
      ? false
      : true
    : false;
