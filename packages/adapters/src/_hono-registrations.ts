/**
 * Which registration call added each route-table entry. Hono's `app.routes` lists one entry per handler, so
 * `app.get(p, policy(), serveStatic())` followed by `app.get(p, internal)` is three entries with the same method
 * and path: the table alone cannot tell where one registration ends. A tracked app records, per entry, the call
 * that added it; the route-table check then never lets a policy in one registration cover a handler of another.
 * @module
 */

/** The registration an entry came from: `exact` when one direct call (`get`, `use`, `on`, ...) added it. */
export interface Registration {
  readonly id: number;
  readonly exact: boolean;
}

interface Entry {
  readonly method: string;
  readonly path: string;
  readonly handler: unknown;
}

interface TrackableApp {
  readonly routes: readonly Entry[];
}

const registrations = new WeakMap<object, Registration>();
const trackedApps = new WeakSet<object>();
let lastId = 0;

/** The methods that add entries one call at a time (Hono's method shortcuts, `all`, `on`, `use`, `mount`). */
const DIRECT = ["get", "post", "put", "delete", "options", "patch", "all", "on", "use", "mount"] as const;

/** The registration that added an entry, or `undefined` when it was added through an untracked app. */
export function registrationOf(entry: object): Registration | undefined {
  return registrations.get(entry);
}

/**
 * Wraps the app's registration methods (on this instance only) so each later call marks the entries it adds.
 * `app.route(path, sub)` keeps the sub-app's own registrations when the sub-app was tracked; entries of an untracked
 * sub-app are marked inexact (the check then lets a policy cover only the one handler after it).
 */
export function trackRegistrations(app: TrackableApp): void {
  if (trackedApps.has(app)) return;
  trackedApps.add(app);
  const target = app as unknown as Record<string, unknown>;
  for (const name of DIRECT) wrap(target, name, app, (added) => mark(added, { id: ++lastId, exact: true }));
  wrap(target, "route", app, (added, args) => {
    const sub = (args[1] as TrackableApp | undefined)?.routes ?? [];
    const renamed = new Map<number, Registration>();
    const batch: Registration = { id: ++lastId, exact: false };
    added.forEach((entry, index) => {
      const from = sub[index] === undefined ? undefined : registrations.get(sub[index]);
      if (from === undefined || !from.exact) return registrations.set(entry, batch);
      let to = renamed.get(from.id);
      if (to === undefined) renamed.set(from.id, (to = { id: ++lastId, exact: true }));
      registrations.set(entry, to);
    });
  });
}

function mark(entries: readonly object[], registration: Registration): void {
  for (const entry of entries) registrations.set(entry, registration);
}

function wrap(
  target: Record<string, unknown>,
  name: string,
  app: TrackableApp,
  record: (added: readonly Entry[], args: readonly unknown[]) => void,
): void {
  const original = target[name];
  if (typeof original !== "function") return;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const start = app.routes.length;
    const result: unknown = original.apply(this ?? app, args);
    record(app.routes.slice(start), args);
    return result;
  };
  Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
}
