/**
 * Permission composition, with DRF's semantics (`&`, `|`, `~`) as plain functions. Evaluation short-circuits.
 * Combinators have no message of their own: a denial answers DRF's default detail.
 * @module
 */
import type { AnyPermission, AuthenticatedPermission, Permission, PermissionCheck, RequiresUser } from "./types.js";

/** `allOf`'s result: it requires a user when any operand does. */
export type AllOf<Ps extends readonly AnyPermission[]> = RequiresUser<Ps> extends true ? AuthenticatedPermission : Permission;

/** `anyOf`'s result: it requires a user only when every operand does. */
export type AnyOf<Ps extends readonly AnyPermission[]> =
  Ps[number] extends { readonly requiresAuthentication: true } ? AuthenticatedPermission : Permission;

const requiring = (p: AnyPermission): boolean => (p as Partial<AuthenticatedPermission>).requiresAuthentication === true;

function marked<P extends Permission>(permission: P, requiresAuthentication: boolean): P {
  return requiresAuthentication ? { ...permission, requiresAuthentication: true } : permission;
}

type Check = PermissionCheck<unknown, unknown>;

async function objectAllows(p: AnyPermission, check: Check, object: unknown): Promise<boolean> {
  return p.hasObjectPermission ? await p.hasObjectPermission(check, object) : true;
}

/**
 * Allows when every permission allows (DRF's `A & B`), for requests and for objects.
 * @example
 * allOf(isAuthenticated, isOwner)
 */
export function allOf<const Ps extends readonly AnyPermission[]>(...permissions: Ps): AllOf<Ps> {
  const combined: Permission = {
    async hasPermission(check) {
      for (const p of permissions) if (!(await p.hasPermission(check))) return false;
      return true;
    },
    async hasObjectPermission(check, object) {
      for (const p of permissions) if (!(await objectAllows(p, check, object))) return false;
      return true;
    },
  };
  return marked(combined, permissions.some(requiring)) as AllOf<Ps>;
}

/**
 * Allows when any permission allows (DRF's `A | B`). For an object, one operand must pass both its request
 * check and its object check (DRF 3.14's fix), so `anyOf(isAdminUser, isOwner)` never lets a non-owner through
 * because a request-level permission passed.
 * @example
 * anyOf(isAdminUser, isOwner)
 */
export function anyOf<const Ps extends readonly AnyPermission[]>(...permissions: Ps): AnyOf<Ps> {
  const combined: Permission = {
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
  return marked(combined, permissions.length > 0 && permissions.every(requiring)) as AnyOf<Ps>;
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
