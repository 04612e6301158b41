/**
 * A small Deno API protected by Portcullis, on the in-memory store: the handler that `server.ts` serves and that
 * the Deno runtime test drives.
 */
import { withAuth } from "@portcullis/adapters/deno";
import type { DenoServeInfo } from "@portcullis/adapters/deno";
import {
  basicAuth,
  hashPassword,
  obtainTokenHandler,
  tokenAuth,
  userRateThrottle,
} from "@portcullis/core";
import type { Store } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";

export interface DemoApp {
  readonly store: Store;
  readonly handler: (request: Request, info: DenoServeInfo) => Promise<Response>;
}

/** Builds the app with one user, `username` / `password`. */
export async function createApp(username: string, password: string): Promise<DemoApp> {
  const store = memoryStore();
  await store.createUser({ username, passwordHash: await hashPassword(password, { iterations: 100_000 }) });
  const obtain = obtainTokenHandler({ store, ttlMs: 3_600_000 });
  const me = withAuth(
    {
      schemes: [tokenAuth({ store }), basicAuth({ users: store })],
      throttles: [userRateThrottle("100/min", { store })],
    },
    (_request, _info, { user, scheme }) => Response.json({ id: user.id, username: user.username, scheme }),
  );
  const handler = (request: Request, info: DenoServeInfo): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/api-token-auth/") return obtain(request, { clientIp: info.remoteAddr?.hostname });
    if (pathname === "/api/me") return me(request, info);
    return Promise.resolve(Response.json({ detail: "Not found." }, { status: 404 }));
  };
  return { store, handler };
}
