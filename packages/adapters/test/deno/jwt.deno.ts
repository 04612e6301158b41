/**
 * `jwtAuth` in the Deno runtime: every algorithm with Deno's WebCrypto, and HS256 and ES256 tokens through
 * `withAuth` behind a real `Deno.serve`. Run by `runtimes.test.ts`; vitest does not pick this file up.
 */
import { withAuth } from "@portcullis/adapters/deno";
import type { JwtSettings } from "@portcullis/core/jwt";
import { jwtAuth, mintTokenPair } from "@portcullis/core/jwt";
import { algorithmMatrix, expectedSupported, settingsFor, tampered } from "../_jwt-algorithms.ts";

function assertEqual(actual: unknown, expected: unknown, message = ""): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`${message} expected ${e}, got ${a}`);
}

Deno.test("every JWT algorithm with Deno's WebCrypto: minted, verified, tampered and refresh tokens refused", async () => {
  const matrix = await algorithmMatrix();
  const supported = Object.keys(matrix).filter((algorithm) => matrix[algorithm] === "ok");
  assertEqual(supported, expectedSupported("deno"), JSON.stringify(matrix));
});

async function throughDenoServe(jwt: JwtSettings): Promise<void> {
  const handler = withAuth({ schemes: [jwtAuth({ jwt, stateless: true })] }, (_request, _info, { user, auth }) =>
    Response.json({ id: user.id, tokenType: auth.tokenType }),
  );
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/api/me`;
    const { access, refresh } = await mintTokenPair(jwt, { id: "42" });
    const call = (token?: string) => fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
    const ok = await call(access.token);
    assertEqual([ok.status, await ok.json()], [200, { id: "42", tokenType: "access" }]);
    for (const token of [refresh.token, tampered(access.token)]) {
      const refused = await call(token);
      const body = (await refused.json()) as { code?: string };
      assertEqual([refused.status, refused.headers.get("WWW-Authenticate"), body.code], [401, 'Bearer realm="api"', "token_not_valid"]);
    }
    const anonymous = await call();
    await anonymous.body?.cancel();
    assertEqual(anonymous.status, 401);
  } finally {
    await server.shutdown();
  }
}

Deno.test("HS256 through withAuth on Deno.serve", async () => {
  await throughDenoServe(await settingsFor("HS256"));
});

Deno.test("ES256 through withAuth on Deno.serve", async () => {
  await throughDenoServe(await settingsFor("ES256"));
});
