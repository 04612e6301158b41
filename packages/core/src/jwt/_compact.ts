/**
 * Parsing a JWS compact serialization (`header.payload.signature`) strictly: three base64url segments without
 * padding or other characters, a JSON object header and a JSON object payload (internal).
 * @module
 */

/** The most characters a token may have; longer ones are refused before any decoding. */
export const MAX_TOKEN_LENGTH = 8192;

/** A structurally valid compact JWS, not yet verified. */
export interface CompactJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `header.payload` exactly as received: what the signature covers. */
  readonly signingInput: string;
  /** The signature segment, base64url as received. */
  readonly signature: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strict base64url (no padding) to a UTF-8 string, or `null`. */
export function decodeSegment(segment: string): string | null {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  if (!hasZeroSpareBits(segment)) return null;
  if (!/[\x80-\xff]/.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Whether the unused low bits of the last character are zero (one canonical encoding per byte string). */
function hasZeroSpareBits(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  const value = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** A binary string (one byte per code unit) as base64url without padding. */
export function encodeSegmentBinary(binary: string): string {
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** UTF-8 text as a base64url segment without padding. */
export function encodeSegment(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return encodeSegmentBinary(binary);
}

function parseObject(segment: string): Record<string, unknown> | null {
  const text = decodeSegment(segment);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // SyntaxError, or RangeError for absurd nesting
  }
}

/** Parses a compact JWS, or answers `null` for anything malformed (never throws). */
export function parseCompact(raw: string): CompactJws | null {
  if (raw.length > MAX_TOKEN_LENGTH) return null;
  const first = raw.indexOf(".");
  const second = first < 0 ? -1 : raw.indexOf(".", first + 1);
  if (second < 0 || raw.indexOf(".", second + 1) >= 0) return null;
  const header = parseObject(raw.slice(0, first));
  if (header === null) return null;
  const payload = parseObject(raw.slice(first + 1, second));
  if (payload === null) return null;
  const signature = raw.slice(second + 1);
  if (!BASE64URL.test(signature)) return null;
  return { header, payload, signingInput: raw.slice(0, second), signature };
}
