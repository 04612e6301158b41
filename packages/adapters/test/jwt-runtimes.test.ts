/**
 * `jwtAuth` in each runtime's own WebCrypto: every algorithm end to end in Node (here) and in real workerd
 * (Miniflare, the fixture Worker bundled from the built packages), and HS256 and ES256 tokens minted on Node
 * verified by `withAuth` in workerd. Deno and Bun run the same checks in `deno/jwt.deno.ts` and `bun/jwt.bun.ts`
 * (through `runtimes.test.ts`).
 */
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { jwtSettings, mintTokenPair } from "@portcullis/core/jwt";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HMAC_SECRET, algorithmMatrix, expectedSupported, tampered } from "./_jwt-algorithms.js";
import { bundleWorker, workspaceInputs } from "./_workerd.js";

const ENTRY = fileURLToPath(new URL("./fixtures/jwt-worker.ts", import.meta.url));
const es256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ES256_PUBLIC_KEY = es256.publicKey.export({ type: "spki", format: "pem" }).toString();
const ES256_PRIVATE_KEY = es256.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

function supportedOf(matrix: Record<string, string>): string[] {
  return Object.keys(matrix).filter((algorithm) => matrix[algorithm] === "ok");
}

describe("every JWT algorithm in Node's WebCrypto", () => {
  it("mints and verifies each one, refusing tampered and refresh tokens", { timeout: 60_000 }, async () => {
    const matrix = await algorithmMatrix();
    expect(supportedOf(matrix), JSON.stringify(matrix)).toEqual(expectedSupported("node"));
  });
});

describe("jwtAuth in workerd (Miniflare)", () => {
  let mf: Miniflare;
  let inputs: Record<string, string[]>;

  beforeAll(async () => {
    const bundle = await bundleWorker(ENTRY);
    inputs = workspaceInputs(bundle);
    mf = new Miniflare({
      modules: true,
      script: bundle.code,
      compatibilityDate: "2026-04-01",
      bindings: { SECRET_KEY: HMAC_SECRET, ES256_PUBLIC_KEY },
    });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
  });

  const call = (path: string, token?: string) =>
    mf.dispatchFetch(`https://api.test${path}`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });

  it("runs the built packages (dist), never their sources", () => {
    expect(inputs.core?.some((file) => file.startsWith("dist/jwt/"))).toBe(true);
    expect(inputs.core?.filter((file) => file.startsWith("src/"))).toEqual([]);
  });

  it("mints and verifies each algorithm with workerd's WebCrypto", { timeout: 60_000 }, async () => {
    const matrix = (await (await call("/matrix")).json()) as Record<string, string>;
    expect(supportedOf(matrix), JSON.stringify(matrix)).toEqual(expectedSupported("workerd"));
  });

  for (const [name, path, jwt] of [
    ["HS256", "/api/me", jwtSettings({ signingKey: HMAC_SECRET })],
    ["ES256", "/es/me", jwtSettings({ algorithm: "ES256", signingKey: ES256_PRIVATE_KEY, verifyingKey: ES256_PUBLIC_KEY })],
  ] as const) {
    it(`${name}: accepts an access token minted on Node, refuses refresh, tampered and missing tokens as simplejwt does`, async () => {
      const { access, refresh } = await mintTokenPair(jwt, { id: "42" });
      const ok = await call(path, access.token);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ id: "42", tokenType: "access" });
      for (const token of [refresh.token, tampered(access.token)]) {
        const refused = await call(path, token);
        expect(refused.status).toBe(401);
        expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
        expect(await refused.json()).toMatchObject({ detail: "Given token not valid for any token type", code: "token_not_valid" });
      }
      const anonymous = await call(path);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ detail: "Authentication credentials were not provided." });
    });
  }

  it("refuses an HS256 token signed with the ES256 public key as its secret (algorithm confusion)", async () => {
    const confused = jwtSettings({ signingKey: new TextEncoder().encode(ES256_PUBLIC_KEY) });
    const { access } = await mintTokenPair(confused, { id: "42" });
    expect((await call("/es/me", access.token)).status).toBe(401);
  });
});
