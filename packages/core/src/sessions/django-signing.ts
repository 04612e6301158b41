/**
 * Reading values signed by Django's `django.core.signing.dumps` (a `TimestampSigner` with a salt, JSON,
 * optionally zlib-compressed): `[.]b64url(payload) ":" b62(timestamp) ":" b64url(HMAC-SHA256)`, the HMAC key
 * being `SHA-256(salt + "signer" + SECRET_KEY)` (Django's `salted_hmac`). Portcullis signs only the session data
 * it writes to Django's own `django_session` (`djangoDumps`, uncompressed, which Django's `loads` accepts).
 * HMAC and SHA-256 come from `@noble/hashes`; zlib from the runtime's `DecompressionStream`.
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { decodeBase64Strict, encodeBase64 } from "../internal/base64.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import { decodeLatin1 } from "../internal/header.js";
import { readStreamLimited } from "../internal/read-limited.js";

/** Options of `djangoLoads`. */
export interface DjangoLoadsOptions {
  /** `SECRET_KEY`, then `SECRET_KEY_FALLBACKS` (Django >= 4.1): the first key whose signature matches wins. */
  readonly keys: readonly string[];
  /** The salt given to `signing.dumps`. */
  readonly salt: string;
  /** Refuse values signed more than this many seconds before `now` (`max_age`). */
  readonly maxAgeSeconds?: number;
  /** Epoch ms, for `maxAgeSeconds`. */
  readonly now?: number;
}

/** At most this many bytes are inflated (the compressed payload is signed, so this only bounds mistakes). */
const MAX_INFLATED_BYTES = 1024 * 1024;
const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function b64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  return decodeBase64Strict(standard + "=".repeat((4 - (standard.length % 4)) % 4));
}

/** Django's `salted_hmac(salt, value, secret, algorithm="sha256")`. */
export function saltedHmacSha256(salt: string, value: string, secret: string): Uint8Array {
  const key = sha256(utf8ToBytes(salt + secret));
  return hmac(sha256, key, utf8ToBytes(value));
}

/** Django's `base62` encoding of a non-negative integer (`TimestampSigner.timestamp`). */
function b62Encode(value: number): string {
  let text = "";
  do {
    text = B62[value % 62] + text;
    value = Math.floor(value / 62);
  } while (value > 0);
  return text;
}

/**
 * Django's `signing.dumps(value, key=secretKey, salt=salt, serializer=JSONSerializer, compress=False)`: compact
 * JSON, base64url, a base62 timestamp (seconds of `now`) and the SHA-256 signature with `secretKey`.
 * @example
 * const data = djangoDumps({ _auth_user_id: "1" }, { secretKey: SECRET_KEY, salt: "django.contrib.sessions.SessionStore", now: Date.now() });
 */
export function djangoDumps(value: unknown, options: { readonly secretKey: string; readonly salt: string; readonly now: number }): string {
  const payload = b64url(utf8ToBytes(JSON.stringify(value)));
  const timestamped = `${payload}:${b62Encode(Math.floor(options.now / 1000))}`;
  return `${timestamped}:${b64url(saltedHmacSha256(`${options.salt}signer`, timestamped, options.secretKey))}`;
}

/** Django's `baseconv.base62.decode`, or `null`. */
function b62Decode(text: string): number | null {
  if (!/^-?[0-9A-Za-z]{1,11}$/.test(text)) return null;
  let value = 0;
  for (const char of text.replace(/^-/, "")) value = value * 62 + B62.indexOf(char);
  return text.startsWith("-") ? -value : value;
}

/** zlib inflate (RFC 1950, what Python's `zlib.compress` writes), bounded; `null` for bad or oversized data. */
async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array | null> {
  try {
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return await readStreamLimited(inflated, MAX_INFLATED_BYTES);
  } catch {
    return null;
  }
}

/** The signed part of a value whose signature one of the keys made, or `null`. Every key is tried. */
function unsign(signed: string, options: DjangoLoadsOptions): string | null {
  const at = signed.lastIndexOf(":");
  if (at < 0) return null;
  const [value, signature] = [signed.slice(0, at), signed.slice(at + 1)];
  let matched = false;
  for (const key of options.keys) {
    matched = timingSafeEqualString(signature, b64url(saltedHmacSha256(`${options.salt}signer`, value, key))) || matched;
  }
  return matched ? value : null;
}

/**
 * Django's `signing.loads(value, salt=..., max_age=...)` with `JSONSerializer`: the decoded JSON value, or `null`
 * for a bad signature, an expired timestamp or a malformed payload. Never throws.
 * @example
 * const data = await djangoLoads(cookie, { keys: [SECRET_KEY], salt: "django.contrib.sessions.backends.signed_cookies" });
 */
export async function djangoLoads(signed: string, options: DjangoLoadsOptions): Promise<unknown> {
  const timestamped = unsign(signed, options);
  if (timestamped === null) return null;
  const at = timestamped.lastIndexOf(":");
  const timestamp = at < 0 ? null : b62Decode(timestamped.slice(at + 1));
  if (timestamp === null) return null;
  if (options.maxAgeSeconds !== undefined && (options.now ?? Date.now()) / 1000 - timestamp > options.maxAgeSeconds) return null;
  const payload = timestamped.slice(0, at);
  const compressed = payload.startsWith(".");
  const decoded = fromB64url(compressed ? payload.slice(1) : payload);
  const data = decoded && compressed ? await inflate(decoded as Uint8Array<ArrayBuffer>) : decoded;
  if (data === null) return null;
  try {
    return JSON.parse(decodeLatin1(data)) as unknown;
  } catch {
    return null;
  }
}
