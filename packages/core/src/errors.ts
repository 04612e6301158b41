/**
 * Exceptions of Portcullis. Expected outcomes (no credentials, bad credentials, denied, throttled) are
 * values (`AuthDenial`), never exceptions; the classes here are for misconfiguration and broken infrastructure.
 * @module
 */

import type { AuthDenial } from "./auth-error.js";

/** Base class of every exception Portcullis throws. */
export class PortcullisError extends Error {
  override name = "PortcullisError";
}

/**
 * Thrown when a factory (`basicAuth`, `tokenAuth`, a throttle, ...) is given invalid options.
 * The message names the option; it never contains a secret.
 */
export class ConfigError extends PortcullisError {
  override name = "ConfigError";
  /** The option at fault, e.g. `"realm"` or `"rate"`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/**
 * Thrown by a store when its backend fails (unreachable, timed out, corrupt answer). Adapters answer it with
 * 503 and never let the request through (fail closed). `cause` holds the backend's own error.
 */
export class StoreError extends PortcullisError {
  override name = "StoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown by a store when a unique value (username, user id, token digest) already exists. */
export class ConflictError extends PortcullisError {
  override name = "ConflictError";
  /** The field that collided: `"username"`, `"id"` or `"digest"`. */
  readonly field: string;
  constructor(field: string, message = `A record with this ${field} already exists.`) {
    super(message);
    this.field = field;
  }
}

/**
 * Thrown by a permission to answer with a denial other than its `false` (DRF raising `Http404` or
 * `MethodNotAllowed` inside a permission): `guard` turns it into that denied decision. Never a store failure.
 * @example
 * throw new PermissionDenial(notFound());
 */
export class PermissionDenial extends PortcullisError {
  override name = "PermissionDenial";
  readonly denial: AuthDenial;
  constructor(denial: AuthDenial) {
    super(denial.detail);
    this.denial = denial;
  }
}
