/**
 * Runtime-neutral JWT checks, run unchanged under Node (vitest), Deno (`deno test`), Bun (`bun test`) and workerd
 * (bundled into `fixtures/jwt-worker.ts`): for each algorithm, keys made by the runtime's own WebCrypto and passed
 * as users pass them (PEM text; the HMAC secret as a string), a token pair minted and checked by `jwtAuth`.
 * Imports only the built packages, so each runtime runs what is published.
 * @module
 */
import { guard } from "@portcullis/core";
import type { JwtAlgorithm, JwtSettings } from "@portcullis/core/jwt";
import { JWT_ALGORITHMS, jwtAuth, jwtSettings, mintTokenPair } from "@portcullis/core/jwt";

const RSA = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };

/** WebCrypto key generation parameters of each asymmetric algorithm. */
const GENERATE: Record<string, RsaHashedKeyGenParams | EcKeyGenParams | { name: string }> = {
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", ...RSA },
  RS384: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384", ...RSA },
  RS512: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512", ...RSA },
  PS256: { name: "RSA-PSS", hash: "SHA-256", ...RSA },
  PS384: { name: "RSA-PSS", hash: "SHA-384", ...RSA },
  PS512: { name: "RSA-PSS", hash: "SHA-512", ...RSA },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  ES384: { name: "ECDSA", namedCurve: "P-384" },
  ES512: { name: "ECDSA", namedCurve: "P-521" },
  EdDSA: { name: "Ed25519" },
};

/** The HMAC secret of the HS* checks (what Django's SECRET_KEY is). */
export const HMAC_SECRET = "django-insecure-runtime-test-secret-0123456789-of-64-bytes-or-more-abc";

function pem(label: string, der: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(der)) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Settings of `algorithm` with fresh keys from this runtime's WebCrypto, as PEM text (an HMAC secret for HS*). */
export async function settingsFor(algorithm: JwtAlgorithm): Promise<JwtSettings> {
  if (algorithm.startsWith("HS")) return jwtSettings({ algorithm, signingKey: HMAC_SECRET });
  const pair = (await crypto.subtle.generateKey(GENERATE[algorithm] as EcKeyGenParams, true, ["sign", "verify"])) as CryptoKeyPair;
  const signingKey = pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const verifyingKey = pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", pair.publicKey));
  return jwtSettings({ algorithm, signingKey, verifyingKey });
}

/** The token with one character of its signature changed. */
export function tampered(token: string): string {
  const at = token.length - 6;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}

/** The status a stateless `jwtAuth` policy answers to `Authorization: Bearer <token>`. */
async function statusOf(jwt: JwtSettings, token: string): Promise<number> {
  const decision = await guard({ schemes: [jwtAuth({ jwt, stateless: true, cacheSize: 0 })] })(
    new Request("http://runtime.test/", { headers: { Authorization: `Bearer ${token}` } }),
  );
  return decision.allowed ? 200 : decision.error.status;
}

/**
 * Whether `algorithm` works end to end in this runtime: `"ok"` when a minted access token authenticates while a
 * tampered one and the refresh token are refused (200, 401, 401), else what went wrong.
 */
export async function checkAlgorithm(algorithm: JwtAlgorithm): Promise<string> {
  try {
    const jwt = await settingsFor(algorithm);
    const { access, refresh } = await mintTokenPair(jwt, { id: "42" });
    const statuses = [await statusOf(jwt, access.token), await statusOf(jwt, tampered(access.token)), await statusOf(jwt, refresh.token)];
    return statuses.join(",") === "200,401,401" ? "ok" : `answered ${statuses.join(",")} (expected 200,401,401)`;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** `checkAlgorithm` for every algorithm simplejwt and Portcullis share. */
export async function algorithmMatrix(): Promise<Record<string, string>> {
  const matrix: Record<string, string> = {};
  for (const algorithm of JWT_ALGORITHMS) matrix[algorithm] = await checkAlgorithm(algorithm);
  return matrix;
}

/** The algorithms a runtime runs end to end, as measured (`JWT_ALGORITHMS` less the ones listed here). */
export const UNSUPPORTED: Record<string, readonly string[]> = { node: [], deno: [], bun: [], workerd: [] };

/** The algorithms expected to pass in `runtime`. */
export function expectedSupported(runtime: keyof typeof UNSUPPORTED): string[] {
  return JWT_ALGORITHMS.filter((algorithm) => !(UNSUPPORTED[runtime] ?? []).includes(algorithm));
}
