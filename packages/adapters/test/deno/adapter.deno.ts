/**
 * `@portcullis/adapters/deno` in the Deno runtime: the example app behind a real `Deno.serve`, driven with fetch.
 * Run by `runtimes.test.ts` (`deno test --config deno.jsonc adapter.deno.ts`); vitest does not pick this file up.
 */
import { withAuth } from "@portcullis/adapters/deno";
import type { DenoServeInfo } from "@portcullis/adapters/deno";
import { StoreError, allowAny, anonRateThrottle, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { createApp } from "../../../../examples/deno/app.ts";

/** Deno's own `@std/assert` would need the network; these are enough here. */
const assert = {
  equal(actual: unknown, expected: unknown, message = ""): void {
    if (!Object.is(actual, expected)) throw new Error(`${message} expected ${String(expected)}, got ${String(actual)}`);
  },
  deepEqual(actual: unknown, expected: unknown): void {
    const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
    if (a !== e) throw new Error(`expected ${e}, got ${a}`);
  },
  match(actual: string, pattern: RegExp): void {
    if (!pattern.test(actual)) throw new Error(`expected ${JSON.stringify(actual)} to match ${pattern}`);
  },
};

/** Serves a handler on a free port of 127.0.0.1 for the duration of `run`. */
async function serving(
  handler: (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Promise<Response>,
  run: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  try {
    await run(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("the workspace packages resolve to their built dist through package.json exports", () => {
  assert.match(import.meta.resolve("@portcullis/adapters/deno"), /\/packages\/adapters\/dist\/deno\.js$/);
  assert.match(import.meta.resolve("@portcullis/core"), /\/packages\/core\/dist\/index\.js$/);
});

Deno.test("example app: token from /api-token-auth/, then /api/me with Token, with Basic, and without", async () => {
  const { handler } = await createApp("demo", "demo-password");
  await serving(handler, async (base) => {
    const obtained = await fetch(`${base}/api-token-auth/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "demo", password: "demo-password" }),
    });
    assert.equal(obtained.status, 200);
    assert.equal(obtained.headers.get("cache-control"), "no-store");
    assert.equal(obtained.headers.get("pragma"), "no-cache");
    const { token } = (await obtained.json()) as { token: string };
    assert.match(token, /^[0-9a-f]{40}$/);

    const withToken = await fetch(`${base}/api/me`, { headers: { Authorization: `Token ${token}` } });
    assert.equal(withToken.status, 200);
    const me = (await withToken.json()) as { id: unknown; username: string; scheme: string };
    assert.equal(typeof me.id, "string");
    assert.deepEqual({ username: me.username, scheme: me.scheme }, { username: "demo", scheme: "token" });

    const withBasic = await fetch(`${base}/api/me`, { headers: { Authorization: `Basic ${btoa("demo:demo-password")}` } });
    assert.equal(withBasic.status, 200);
    assert.equal(((await withBasic.json()) as { scheme: string }).scheme, "basic");

    const anonymous = await fetch(`${base}/api/me`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("WWW-Authenticate"), "Token");
    assert.equal(anonymous.headers.get("Cache-Control"), "no-store");
    assert.deepEqual(await anonymous.json(), { detail: "Authentication credentials were not provided." });
  });
});

Deno.test("the client IP is info.remoteAddr: real requests count under 127.0.0.1, other addresses apart", async () => {
  const store = memoryStore();
  const policy = { schemes: [tokenAuth({ store })], permissions: [allowAny], throttles: [anonRateThrottle("2/min", { store })] };
  const handler = withAuth(policy, () => Response.json({ ok: true }));
  const from = (hostname: string): DenoServeInfo => ({ remoteAddr: { transport: "tcp", hostname } });
  const direct = async (hostname: string) => (await handler(new Request("http://local/"), from(hostname))).status;

  await serving(handler, async (base) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(base);
      await res.body?.cancel();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });
  // The same handler called with Deno's info for other addresses: 127.0.0.1 is spent, the others are not.
  assert.equal(await direct("127.0.0.1"), 429);
  assert.deepEqual([await direct("192.0.2.1"), await direct("192.0.2.1"), await direct("192.0.2.1")], [200, 200, 429]);
  assert.equal(await direct("192.0.2.2"), 200);
  // X-Forwarded-For is not trusted: a spoofed header does not give a spent address a new budget.
  const spoofed = new Request("http://local/", { headers: { "X-Forwarded-For": "198.51.100.1" } });
  assert.equal((await handler(spoofed, from("192.0.2.1"))).status, 429);
});

Deno.test("fails closed: 503 when the store throws, with or without credentials", async () => {
  const broken = {
    findToken: () => Promise.reject(new StoreError("D1 unreachable")),
    deleteToken: () => Promise.reject(new StoreError("D1 unreachable")),
  };
  const handler = withAuth({ schemes: [tokenAuth({ store: broken })] }, () => Response.json({ ok: true }));
  await serving(handler, async (base) => {
    const cases: Record<string, string>[] = [{ Authorization: "Token 0123456789abcdef0123456789abcdef01234567" }, {}];
    for (const headers of cases) {
      const res = await fetch(`${base}/api/me`, { headers });
      const expected = Object.keys(headers).length > 0 ? 503 : 401;
      assert.equal(res.status, expected);
      if (expected === 503) assert.deepEqual(await res.json(), { detail: "Authentication service unavailable." });
      else await res.body?.cancel();
    }
  });
});
