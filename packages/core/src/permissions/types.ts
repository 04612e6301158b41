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
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPermission = Permission<any, any>;
