/**
 * `jwtAuth` in the Bun runtime: every algorithm with Bun's WebCrypto, and HS256 and ES256 tokens through the fetch
 * adapter behind a real `Bun.serve`. Run by `runtimes.test.ts`; vitest does not pick this file up.
 */
import { describe, expect, test } from "bun:test";
import { withAuth } from "@portcullis/adapters/fetch";
import type { JwtAlgorithm } from "@portcullis/core/jwt";
import { jwtAuth, mintTokenPair } from "@portcullis/core/jwt";
import { algorithmMatrix, expectedSupported, settingsFor, tampered } from "../_jwt-algorithms.ts";

describe("jwtAuth on Bun", () => {
  test("every JWT algorithm with Bun's WebCrypto: minted, verified, tampered and refresh tokens refused", async () => {
    const matrix = await algorithmMatrix();
    const supported = Object.keys(matrix).filter((algorithm) => matrix[algorithm] === "ok");
    expect(supported).toEqual(expectedSupported("bun"));
  }, 60_000);

  for (const algorithm of ["HS256", "ES256"] as JwtAlgorithm[]) {
    test(`${algorithm} through withAuth on Bun.serve`, async () => {
      const jwt = await settingsFor(algorithm);
      const fetchHandler = withAuth({ schemes: [jwtAuth({ jwt, stateless: true })] }, (_request, { user, auth }) =>
        Response.json({ id: user.id, tokenType: auth.tokenType }),
      );
      const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: fetchHandler });
      try {
        const url = `http://127.0.0.1:${server.port}/api/me`;
        const { access, refresh } = await mintTokenPair(jwt, { id: "42" });
        const call = (token?: string) => fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
        const ok = await call(access.token);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ id: "42", tokenType: "access" });
        for (const token of [refresh.token, tampered(access.token)]) {
          const refused = await call(token);
          expect(refused.status).toBe(401);
          expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
          expect(((await refused.json()) as { code: string }).code).toBe("token_not_valid");
        }
        expect((await call()).status).toBe(401);
      } finally {
        server.stop(true);
      }
    });
  }
});
