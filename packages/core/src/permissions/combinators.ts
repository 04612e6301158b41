/**
 * Permission composition, with DRF's semantics (`&`, `|`, `~`) as plain functions. Evaluation short-circuits.
 * Combinators have no message of their own: a denial answers DRF's default detail.
 * @module
 */
import type { AnyPermission, Permission, PermissionCheck } from "./types.js";

type Check = PermissionCheck<unknown, unknown>;

async function objectAllows(p: AnyPermission, check: Check, object: unknown): Promise<boolean> {
  return p.hasObjectPermission ? await p.hasObjectPermission(check, object) : true;
}

/**
 * Allows when every permission allows (DRF's `A & B`), for requests and for objects.
 * @example
 * allOf(isAuthenticated, isOwner)
 */
export function allOf(...permissions: AnyPermission[]): Permission {
  return {
    async hasPermission(check) {
      for (const p of permissions) if (!(await p.hasPermission(check))) return false;
      return true;
    },
    async hasObjectPermission(check, object) {
      for (const p of permissions) if (!(await objectAllows(p, check, object))) return false;
      return true;
    },
  };
}

/**
 * Allows when any permission allows (DRF's `A | B`). For an object, one operand must pass both its request
 * check and its object check (DRF 3.14's fix), so `anyOf(isAdminUser, isOwner)` never lets a non-owner through
 * because a request-level permission passed.
 * @example
 * anyOf(isAdminUser, isOwner)
 */
export function anyOf(...permissions: AnyPermission[]): Permission {
  return {
    async hasPermission(check) {
      for (const p of permissions) if (await p.hasPermission(check)) return true;
      return false;
    },
    async hasObjectPermission(check, object) {
      for (const p of permissions) {
        if ((await p.hasPermission(check)) && (await objectAllows(p, check, object))) return true;
      }
      return false;
    },
  };
}

/**
 * Inverts a permission (DRF's `~A`). Divergence from DRF: when `A` has no object check, DRF's `~A` denies every
 * object (it inverts the default `True`); `not(A)` leaves objects allowed, because `A` said nothing about them.
 * @example
 * not(isAdminUser)
 */
export function not(permission: AnyPermission): Permission {
  const inner = permission.hasObjectPermission?.bind(permission);
  return {
    async hasPermission(check) {
      return !(await permission.hasPermission(check));
    },
    ...(inner ? { hasObjectPermission: async (check: Check, object: unknown) => !(await inner(check, object)) } : {}),
  };
}
