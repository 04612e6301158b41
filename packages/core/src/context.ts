/**
 * The per-request context that adapters fill from their runtime. Every field is optional.
 * @module
 */
import type { EventHook } from "./events.js";

/** What the runtime knows about a request beyond the `Request` itself. */
export interface AuthContext {
  /** The client's IP address as the runtime saw it (`CF-Connecting-IP`, `info.remoteAddr`). */
  readonly clientIp?: string;
  /** The clock, epoch milliseconds. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Keeps background work (such as purging expired tokens) alive after the response. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** The runtime's bindings (Workers `env`, Hono's `c.env`). */
  readonly env?: unknown;
  /** Where auth events go (set from a policy's or an endpoint's `onEvent`; schemes emit through it). */
  readonly onEvent?: EventHook;
}

/** The clock of a context: `ctx.now()` or `Date.now()`. */
export function nowOf(ctx: AuthContext | undefined): number {
  return ctx?.now ? ctx.now() : Date.now();
}
