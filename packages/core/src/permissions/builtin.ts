/**
 * DRF's built-in permissions.
 * @module
 */
import type { AuthenticatedPermission, Permission } from "./types.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Allows every request (DRF's `AllowAny`). Not the default: `guard` defaults to `[isAuthenticated]`.
 * @example
 * guard({ schemes, permissions: [allowAny] });
 */
export const allowAny: Permission = Object.freeze<Permission>({ hasPermission: () => true });

/**
 * Allows authenticated requests only (DRF's `IsAuthenticated`); the default of `guard`.
 * @example
 * guard({ schemes, permissions: [isAuthenticated] });
 */
export const isAuthenticated: AuthenticatedPermission = Object.freeze<AuthenticatedPermission>({
  // DRF's `bool(request.user and request.user.is_authenticated)`: an OAuth2 client-credentials token authenticates
  // without a user, and is refused here (403) as DRF refuses it.
  hasPermission: ({ authenticated, user }) => authenticated && user !== null,
  requiresAuthentication: true,
});

/**
 * Allows staff users only (`user.isStaff === true`, DRF's `IsAdminUser`).
 * @example
 * guard({ schemes, permissions: [isAdminUser] });
 */
export const isAdminUser: AuthenticatedPermission<{ readonly isStaff?: boolean }> = Object.freeze<
  AuthenticatedPermission<{ readonly isStaff?: boolean }>
>({
  hasPermission: ({ authenticated, user }) => authenticated && user?.isStaff === true,
  requiresAuthentication: true,
});

/**
 * Allows safe methods (GET, HEAD, OPTIONS) to anyone and the rest to authenticated requests
 * (DRF's `IsAuthenticatedOrReadOnly`).
 * @example
 * guard({ schemes, permissions: [isAuthenticatedOrReadOnly] });
 */
export const isAuthenticatedOrReadOnly: Permission = Object.freeze<Permission>({
  hasPermission: ({ request, authenticated }) => SAFE_METHODS.has(request.method) || authenticated,
});
