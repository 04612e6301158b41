// The one value this package imports from the Workers runtime: the base class that gives a Durable Object its
// RPC methods. Declared here (build only) so the package compiles without @cloudflare/workers-types in scope;
// consumers resolve the real declaration from @cloudflare/workers-types.
declare module "cloudflare:workers" {
  export abstract class DurableObject<Env = unknown> {
    constructor(ctx: unknown, env: Env);
    alarm?(): void | Promise<void>;
  }
}
