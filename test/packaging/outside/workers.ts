// Typechecked in the outside project with Workers' types (as a Worker project has them): the Workers entry points.
import { PortcullisCounters, durableObjectCounters } from "@portcullis/store-durable-object";
import { withAuth } from "@portcullis/adapters/workers";
import { tokenAuth } from "@portcullis/core";
import { d1Store } from "@portcullis/store-d1";

interface Env {
  DB: D1Database;
  COUNTERS: DurableObjectNamespace<PortcullisCounters>;
}

export { PortcullisCounters };
export default withAuth(
  (env: Env) => ({ schemes: [tokenAuth({ store: { ...d1Store(env.DB), ...durableObjectCounters(env.COUNTERS) } })] }),
  (_request, _env, _ctx, { user }) => Response.json({ username: user.username }),
);
