/**
 * `@portcullis/adapters/deno`: Portcullis for `Deno.serve`. The client IP comes from `info.remoteAddr`.
 * @module
 */
import type { AllowedAnonymous, AnonymousOf, AnyPermission, AnyScheme, AuthOf, Policy, UserOf } from "@portcullis/core";
import { guard } from "@portcullis/core";
import type { AllowedDecision } from "./_decide.js";
export type { AllowedDecision } from "./_decide.js";
import { decideWithObjects, withDecisionHeaders } from "./_decide.js";

/** The part of Deno's `ServeHandlerInfo` the adapter reads. */
export interface DenoServeInfo {
  readonly remoteAddr?: { readonly transport?: string; readonly hostname?: string };
}

/** The handler that runs for allowed requests, with the decision (`user`, `auth`, `scheme`). */
export type DenoAuthHandler<Info, U, A, N extends AllowedAnonymous = AllowedAnonymous> = (
  request: Request,
  info: Info,
  decision: AllowedDecision<U, A, N>,
) => Response | Promise<Response>;

/**
 * Wraps a `Deno.serve` handler with a policy.
 * @example
 * Deno.serve(withAuth({ schemes: [tokenAuth({ store })] }, (req, info, { user }) => Response.json(user)));
 */
export function withAuth<
  Info extends DenoServeInfo,
  const S extends readonly AnyScheme[],
  const P extends readonly AnyPermission[] | undefined = undefined,
>(
  policy: Policy<S, P>,
  handler: DenoAuthHandler<Info, UserOf<S>, AuthOf<S>, AnonymousOf<P>>,
): (request: Request, info: Info) => Promise<Response> {
  const check = guard(policy);
  return async (request, info) => {
    const outcome = await decideWithObjects(check, request, { clientIp: info?.remoteAddr?.hostname });
    if ("response" in outcome) return outcome.response;
    return withDecisionHeaders(outcome.decision, handler(request, info, outcome.decision));
  };
}
