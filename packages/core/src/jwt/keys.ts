/**
 * Keys of the pinned algorithm: HS* signs and verifies synchronously with the HMAC secret (`SIGNING_KEY`);
 * RS/PS/ES/EdDSA verify with `jose` against `VERIFYING_KEY` or a JWKS (`JWK_URL`, cached, selected by `kid`) and
 * mint with a private `SIGNING_KEY`.
 * @module
 */
import type { CryptoKey as JoseKey, JWK, JWTVerifyGetKey } from "jose";
import { CompactSign, compactVerify, createRemoteJWKSet, errors, importJWK, importPKCS8, importSPKI, importX509 } from "jose";
import { ConfigError, StoreError } from "../errors.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import type { CompactJws } from "./_compact.js";
import { encodeSegment } from "./_compact.js";
import type { HmacAlgorithm } from "./_hmac.js";
import { hmacSigner } from "./_hmac.js";
import type { JwtAlgorithm, JwtKeyInput } from "./settings.js";

/** What the rest of the JWT code needs from the keys. */
export interface JwtKeys {
  /** Whether `verify` answers synchronously (HS*). */
  readonly sync: boolean;
  /** Whether the signature of an already parsed token is good; never throws for a bad token (a JWKS outage throws `StoreError`). */
  verify(jws: CompactJws, raw: string): boolean | Promise<boolean>;
  /** Signs a payload into a compact JWS with simplejwt's header; `ConfigError` without a signing key. */
  sign(payload: Readonly<Record<string, unknown>>): Promise<string>;
}

interface KeyOptions {
  readonly signingKey?: JwtKeyInput;
  readonly verifyingKey?: JwtKeyInput;
  readonly jwkUrl?: string;
  readonly jwkCacheMs: number;
  readonly jwkCooldownMs: number;
  readonly jwkTimeoutMs: number;
  readonly allowShortSigningKey?: boolean;
}

const PEM_OR_SSH = /-----BEGIN |^ssh-(?:rsa|ed25519|dss) |^ecdsa-sha2-/;

/** Prepares the keys of `algorithm` once. */
export function buildKeys(algorithm: JwtAlgorithm, options: KeyOptions): JwtKeys {
  return algorithm.startsWith("HS") ? hmacKeys(algorithm as HmacAlgorithm, options) : asymmetricKeys(algorithm, options);
}

function hmacKeys(algorithm: HmacAlgorithm, options: KeyOptions): JwtKeys {
  const { signingKey } = options;
  let secret: Uint8Array;
  if (typeof signingKey === "string") {
    // PyJWT's rule: a PEM or SSH public key is never an HMAC secret (the algorithm-confusion attack).
    if (PEM_OR_SSH.test(signingKey)) throw new ConfigError("signingKey", `an asymmetric key cannot be an ${algorithm} secret`);
    secret = new TextEncoder().encode(signingKey);
  } else if (signingKey instanceof Uint8Array) {
    secret = signingKey.slice();
  } else {
    throw new ConfigError("signingKey", `${algorithm} needs the secret (Django's SECRET_KEY) as a string or bytes`);
  }
  if (secret.length === 0) throw new ConfigError("signingKey", "must not be empty");
  const minimum = Number(algorithm.slice(2)) / 8; // the hash output: HS256 32 bytes, HS384 48, HS512 64
  if (secret.length < minimum && options.allowShortSigningKey !== true) {
    throw new ConfigError(
      "signingKey",
      `an ${algorithm} key must be at least ${minimum} bytes (got ${secret.length}); pass allowShortSigningKey: true to accept it`,
    );
  }
  const signer = hmacSigner(algorithm, secret);
  const header = encodeSegment(JSON.stringify({ alg: algorithm, typ: "JWT" }));
  return {
    sync: true,
    verify: (jws) => timingSafeEqualString(signer(jws.signingInput), jws.signature),
    async sign(payload) {
      const input = `${header}.${encodeSegment(JSON.stringify(payload))}`;
      return `${input}.${signer(input)}`;
    },
  };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

function isJwk(value: unknown): value is JWK {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !isCryptoKey(value) && "kty" in value;
}

/** A lazily imported key (import is async); a bad key fails at the first use as a ConfigError-shaped StoreError. */
function lazyKey(load: () => Promise<JoseKey | Uint8Array>): () => Promise<JoseKey | Uint8Array> {
  let promise: Promise<JoseKey | Uint8Array> | null = null;
  return () => (promise ??= load());
}

function publicKeyLoader(algorithm: JwtAlgorithm, key: JwtKeyInput | undefined): () => Promise<JoseKey | Uint8Array> {
  if (typeof key === "string") {
    if (key.includes("-----BEGIN PUBLIC KEY-----")) return lazyKey(() => importSPKI(key, algorithm));
    if (key.includes("-----BEGIN CERTIFICATE-----")) return lazyKey(() => importX509(key, algorithm));
    throw new ConfigError("verifyingKey", "must be an SPKI (BEGIN PUBLIC KEY) or X.509 PEM, a JWK or a CryptoKey");
  }
  if (isJwk(key)) {
    if ("d" in key) throw new ConfigError("verifyingKey", "must be a public key (this JWK holds a private part)");
    return lazyKey(() => importJWK(key, algorithm));
  }
  if (isCryptoKey(key)) return async () => key;
  throw new ConfigError("verifyingKey", `${algorithm} needs verifyingKey (or jwkUrl)`);
}

function privateKeyLoader(algorithm: JwtAlgorithm, key: JwtKeyInput | undefined): (() => Promise<JoseKey | Uint8Array>) | null {
  if (key === undefined) return null;
  if (typeof key === "string") {
    if (key.includes("-----BEGIN PRIVATE KEY-----")) return lazyKey(() => importPKCS8(key, algorithm));
    throw new ConfigError("signingKey", "must be a PKCS#8 PEM (BEGIN PRIVATE KEY), a private JWK or a CryptoKey");
  }
  if (isJwk(key)) return lazyKey(() => importJWK(key, algorithm));
  if (isCryptoKey(key)) return async () => key;
  throw new ConfigError("signingKey", `${algorithm} signs with a private key, not bytes`);
}

/**
 * Whether a JWKS verification failed because the key set could not be had (network error, timeout, a status other
 * than 200, a body that is not JSON or not a JWK set), not because of the token: answered 503, never 401.
 */
function isJwksOutage(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  // jose throws its generic JOSEError only while fetching the set (status, JSON); every token error has its own class.
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === "ERR_JOSE_GENERIC";
}

function asymmetricKeys(algorithm: JwtAlgorithm, options: KeyOptions): JwtKeys {
  const jwks: JWTVerifyGetKey | null = options.jwkUrl
    ? createRemoteJWKSet(new URL(options.jwkUrl), {
        cacheMaxAge: options.jwkCacheMs,
        cooldownDuration: options.jwkCooldownMs,
        timeoutDuration: options.jwkTimeoutMs,
      })
    : null;
  const publicKey = jwks === null ? publicKeyLoader(algorithm, options.verifyingKey) : null;
  const privateKey = privateKeyLoader(algorithm, options.signingKey);
  return {
    sync: false,
    async verify(_jws, raw) {
      try {
        if (jwks !== null) await compactVerify(raw, jwks, { algorithms: [algorithm] });
        else await compactVerify(raw, await (publicKey as () => Promise<JoseKey | Uint8Array>)(), { algorithms: [algorithm] });
        return true;
      } catch (error) {
        if (jwks !== null && isJwksOutage(error)) throw new StoreError("JWKS could not be fetched", { cause: error });
        if (error instanceof errors.JOSEError) return false;
        throw error;
      }
    },
    async sign(payload) {
      if (privateKey === null) throw new ConfigError("signingKey", `minting ${algorithm} tokens needs a private signingKey`);
      const bytes = new TextEncoder().encode(JSON.stringify(payload));
      return new CompactSign(bytes).setProtectedHeader({ alg: algorithm, typ: "JWT" }).sign(await privateKey());
    },
  };
}
