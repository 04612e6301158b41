/**
 * The route-table check: which routes under a protected prefix were registered without a policy. It reads the
 * app's registration table (`app.routes`), never the routes a request matched.
 * @module
 */
import { isExempt, isPolicy } from "./_hono-policy.js";
import { registrationOf } from "./_hono-registrations.js";

/** A registered route that has no policy. */
export interface UnprotectedRoute {
  readonly method: string;
  readonly path: string;
}

/** The part of a Hono app the check reads: its registration table, in registration order. */
export interface RouteTable {
  readonly routes: readonly { readonly method: string; readonly path: string; readonly handler: unknown }[];
}

/** Hono marks a sub-app handler it wrapped (a sub-app with its own `onError`) with the original under this key. */
const COMPOSED_HANDLER = "__COMPOSED_HANDLER";

/** The handler as it was registered, through Hono's `app.route()` wrapping. */
function registered(handler: unknown): unknown {
  let current = handler;
  while (typeof current === "function" && COMPOSED_HANDLER in current) {
    current = (current as unknown as Record<string, unknown>)[COMPOSED_HANDLER];
  }
  return current;
}

/** `/api`, `/api/`, `/api/*` → `["api"]`; `*`, `/`, `/*` → `[]` (every path). */
export function prefixSegments(prefix: string): string[] {
  if (typeof prefix !== "string" || (!prefix.startsWith("/") && prefix !== "*")) {
    throw new TypeError(`a protected prefix must be a path such as "/api": got ${JSON.stringify(prefix)}`);
  }
  const segments = prefix.split("/").filter((segment) => segment !== "");
  if (segments.at(-1) === "*") segments.pop();
  if (segments.some(isDynamic)) throw new TypeError(`a protected prefix must be literal: got ${JSON.stringify(prefix)}`);
  return segments;
}

/** A segment that can match more than its own text: a wildcard, a parameter, a pattern, an optional part. */
function isDynamic(segment: string): boolean {
  return /[*:{}?()[\]]/.test(segment);
}

/**
 * Whether a route pattern can match some path at or under the prefix. Conservative: once a pattern segment is
 * dynamic (`*`, `:id`, `{regex}`), it is taken to match anything below.
 */
export function mayMatchUnder(pattern: string, prefix: readonly string[]): boolean {
  const segments = pattern.split("/").filter((segment, index) => index > 0 || segment !== "");
  for (let index = 0; index < prefix.length; index++) {
    const segment = segments[index];
    if (segment === undefined) return false;
    if (isDynamic(segment)) return true;
    if (segment !== prefix[index]) return false;
  }
  return true;
}

/**
 * Every route under the prefixes with no policy in its own registration. A registration is one call
 * (`app.get(path, ...h)`, `app.use(path, ...h)`) when the app is tracked (`requirePolicies` tracks it): a policy
 * covers the entries after it in that call, never an entry of another call with the same method and path. Where
 * calls cannot be told apart (routes registered before tracking, untracked sub-apps), a policy covers only the one
 * handler after it. A registration of policies only (`app.use(path, policy())`) covers the next registration of the
 * same method and path (the `app.mount` pattern), and nothing beyond it. Exempt middleware is skipped. Combinators (`every`, `some`, `except`) hide what they hold, so a
 * policy inside one does not count.
 */
export function findUnprotected(app: RouteTable, prefixes: readonly string[]): UnprotectedRoute[] {
  const under = prefixes.map(prefixSegments);
  const found = new Map<string, UnprotectedRoute>();
  let [runKey, runSegment, covered, policyOnly] = ["", "", false, false];
  for (const entry of app.routes) {
    const { method, path, handler } = entry;
    const registration = registrationOf(entry);
    const key = `${method} ${path}`;
    const segment = `${key} ${registration?.id ?? "?"}`;
    if (segment !== runSegment) {
      // `app.use(path, policy())` right before `app.mount(path, ...)`: a registration of policies only covers the
      // next registration of the same method and path, and nothing after that.
      covered = key === runKey && policyOnly && covered;
      [runKey, runSegment, policyOnly] = [key, segment, true];
    }
    const original = registered(handler);
    if (isPolicy(original)) covered = true;
    else if (!isExempt(original)) {
      policyOnly = false;
      if (!covered && under.some((prefix) => mayMatchUnder(path, prefix))) found.set(key, { method, path });
      if (registration?.exact !== true) covered = false;
    }
  }
  return [...found.values()];
}

/** The ConfigError-style message naming every unprotected route. */
export function describeUnprotected(routes: readonly UnprotectedRoute[]): string {
  const list = routes.map(({ method, path }) => `${method} ${path}`).join(", ");
  return `routes under a protected prefix without a policy (add policy() to each, or exempt() to middleware): ${list}`;
}
