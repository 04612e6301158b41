/**
 * `@portcullis/adapters/fetch`: Portcullis for any `(Request) => Response` host (Bun, Node, Next.js route handlers).
 * The host knows the client's address, so the caller supplies it (`server.requestIP(req)` on Bun).
 * @module
 */
import type { AllowedAnonymous, AnonymousOf, AnyPermission, AnyScheme, AuthContext, AuthOf, Policy, UserOf } from "@portcullis/core";
import { guard } from "@portcullis/core";
import type { AllowedDecision } from "./_decide.js";
export type { AllowedDecision } from "./_decide.js";
import { decideWithObjects, withDecisionHeaders } from "./_decide.js";

/** Options of the fetch adapter. */
export interface FetchAuthOptions<Args extends unknown[]> {
  /**
   * The client IP for this request, from the host (never from `X-Forwarded-For` unless you trust a proxy). Without
   * it (or when it answers something that is not an IP address) core knows no address: per-IP counts (anonymous
   * throttles, brute-force protection's per-IP count) skip the request rather than share one bucket.
   */
  readonly clientIp?: (request: Request, ...args: Args) => string | null | undefined;
  /** Keeps background work alive after the response, where the host supports it. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
}

/** The handler that runs for allowed requests: the host's arguments, then the decision. */
export type FetchAuthHandler<Args extends unknown[], U, A, N extends AllowedAnonymous = AllowedAnonymous> = (
  request: Request,
  decision: AllowedDecision<U, A, N>,
  ...args: Args
) => Response | Promise<Response>;

/**
 * Wraps a fetch handler with a policy. The extra arguments the host passes (Bun's `server`) are forwarded.
 * @example
 * Bun.serve({
 *   fetch: withAuth(policy, (req, { user }) => Response.json(user), {
 *     clientIp: (req, server: Bun.Server) => server.requestIP(req)?.address,
 *   }),
 * });
 */
export function withAuth<
  const S extends readonly AnyScheme[],
  const P extends readonly AnyPermission[] | undefined = undefined,
  Args extends unknown[] = [],
  IpArgs extends unknown[] = Args,
>(
  policy: Policy<S, P>,
  handler: FetchAuthHandler<Args, UserOf<S>, AuthOf<S>, AnonymousOf<P>>,
  options: FetchAuthOptions<IpArgs> = {},
): (request: Request, ...args: HostArgs<Args, IpArgs>) => Promise<Response> {
  const check = guard(policy);
  return async (request, ...args) => {
    const ctx: AuthContext = {
      clientIp: options.clientIp?.(request, ...(args as unknown[] as IpArgs)) ?? undefined,
      waitUntil: options.waitUntil,
    };
    const outcome = await decideWithObjects(check, request, ctx);
    if ("response" in outcome) return outcome.response;
    return withDecisionHeaders(outcome.decision, handler(request, outcome.decision, ...(args as unknown[] as Args)));
  };
}

/**
 * The host's arguments: the longer of what the handler and `clientIp` read (a handler may ignore Bun's `server`
 * that `clientIp` reads, and the other way round).
 */
export type HostArgs<HandlerArgs extends unknown[], IpArgs extends unknown[]> = HandlerArgs extends [...IpArgs, ...unknown[]]
  ? HandlerArgs
  : IpArgs;
