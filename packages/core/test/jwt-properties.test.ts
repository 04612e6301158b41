/**
 * Property tests (fast-check) of `jwtAuth` over arbitrary `Authorization: Bearer` values: malformed base64url,
 * huge values, `alg: none`, algorithm confusion (an RSA public key as the HMAC secret), nested JSON, non-numeric
 * `exp`, tampered signatures. Nothing throws, and nothing authenticates except a genuine token.
 * `PORTCULLIS_FUZZ_RUNS` scales the runs (default 10,000 in total).
 */
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authenticate } from "@portcullis/core";
import { jwtAuth, jwtSettings, mintAccessToken } from "@portcullis/core/jwt";

const TOTAL = Number(process.env.PORTCULLIS_FUZZ_RUNS ?? 10_000);
const SECRET = "fuzz-django-secret-key-0123456789";
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
const b64 = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");
const jwt = jwtSettings({ signingKey: SECRET });
const rsJwt = jwtSettings({ algorithm: "RS256", verifyingKey: publicKey });
const schemes = [jwtAuth({ jwt, stateless: true })];
const rsSchemes = [jwtAuth({ jwt: rsJwt, stateless: true })];

async function outcome(value: string, list = schemes) {
  const request = new Request("http://api.test/", { headers: { Authorization: value } });
  return authenticate(request, list);
}

const hmac = async (key: string | Uint8Array<ArrayBuffer>, input: string, hash = "SHA-256") => {
  const raw = typeof key === "string" ? new TextEncoder().encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign"]);
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(input))));
};

const claims = fc.record({
  token_type: fc.oneof(fc.constant("access"), fc.constant("refresh"), fc.string()),
  exp: fc.oneof(fc.constant(4_000_000_000), fc.string(), fc.double(), fc.constant(null), fc.integer()),
  jti: fc.oneof(fc.string({ unit: fc.constantFrom(..."0123456789abcdef") }), fc.constant(undefined)),
  user_id: fc.oneof(fc.integer(), fc.string(), fc.object()),
});
const headerValue = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t") });

describe("jwtAuth under arbitrary input", () => {
  it("never throws and never authenticates arbitrary Bearer values", async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, async (value) => {
        const result = await outcome(`Bearer ${value}`);
        expect(result.status).not.toBe("authenticated");
      }),
      { numRuns: Math.round(TOTAL * 0.3) },
    );
  });

  it("refuses alg none, other algorithms, the public key as HMAC secret, and forged signatures", async () => {
    await fc.assert(
      fc.asyncProperty(claims, fc.constantFrom("none", "HS384", "HS512", "RS256", "hs256", "HS256 "), fc.boolean(), async (payload, alg, asRs) => {
        const input = `${b64(JSON.stringify({ alg, typ: "JWT" }))}.${b64(JSON.stringify(payload))}`;
        const signatures = ["", await hmac(publicKey, input), await hmac(SECRET, input, "SHA-384")];
        for (const signature of signatures) {
          const result = await outcome(`Bearer ${input}.${signature}`, asRs ? rsSchemes : schemes);
          expect(result.status).toBe("failed");
        }
      }),
      { numRuns: Math.round(TOTAL * 0.05) },
    );
  });

  it("authenticates a correctly signed HS256 token only when its claims are valid", async () => {
    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const input = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(payload))}`;
        const result = await outcome(`Bearer ${input}.${await hmac(SECRET, input)}`);
        const { exp, jti, token_type: type, user_id: id } = payload;
        const valid =
          typeof exp === "number" && Number.isFinite(exp) && Math.trunc(exp) > Date.now() / 1000 && Math.abs(exp) <= 253_402_300_799 &&
          jti !== undefined && type === "access" && (typeof id === "number" || (typeof id === "string" && id !== ""));
        expect(result.status).toBe(valid ? "authenticated" : "failed");
      }),
      { numRuns: Math.round(TOTAL * 0.05) },
    );
  });

  it("survives huge values, deep nesting and every single-character tamper of a genuine token", async () => {
    const { token } = await mintAccessToken(jwt, { id: "42" });
    expect((await outcome(`Bearer ${token}`)).status).toBe("authenticated");
    const deep = b64("[".repeat(100_000) + "]".repeat(100_000));
    for (const value of [`Bearer ${"a".repeat(60_000)}`, `Bearer ${deep}.${deep}.x`, `Bearer ${b64('{"alg":"HS256"}')}.${deep}.x`]) {
      expect((await outcome(value)).status).toBe("failed");
    }
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(..."ABCabc012-_."), async (at, char) => {
        fc.pre(token[at] !== char);
        const tampered = token.slice(0, at) + char + token.slice(at + 1);
        expect((await outcome(`Bearer ${tampered}`)).status).toBe("failed");
      }),
      { numRuns: Math.round(TOTAL * 0.05) },
    );
  });
});
