/**
 * The legacy rows old Django tables still hold, verify only (a successful check always asks for a rehash):
 * `md5$<salt>$<hex>` and `sha1$<salt>$<hex>` (the digest of salt + password), `unsalted_md5` (32 hex characters,
 * or `md5$$<hex>`) and `unsalted_sha1` (`sha1$$<hex>`).
 * @module
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import type { CHash } from "@noble/hashes/utils.js";
import { timingSafeEqualBytes as constantTimeEqual } from "../internal/constant-time.js";
import { decodeHex, utf8 } from "./_encoding.js";
import type { Verdict } from "./_types.js";

const DIGESTS: ReadonlyMap<string, CHash> = new Map([
  ["md5", md5],
  ["sha1", sha1],
]);

/**
 * Django's `identify_hasher` for the rows that do not start with their algorithm's name: a bare 32-character
 * hex digest or `md5$$<hex>` is `unsalted_md5`, `sha1$$<hex>` is `unsalted_sha1`; otherwise `undefined`.
 */
export function identifyUnsalted(encoded: string): "unsalted_md5" | "unsalted_sha1" | undefined {
  if ((encoded.length === 32 && !encoded.includes("$")) || (encoded.length === 37 && encoded.startsWith("md5$$"))) {
    return "unsalted_md5";
  }
  if (encoded.length === 46 && encoded.startsWith("sha1$$")) return "unsalted_sha1";
  return undefined;
}

function digestMatches(hash: CHash, input: string, hexText: string): Verdict {
  const expected = decodeHex(hexText);
  if (expected === null || expected.length !== hash.outputLen) return null;
  return constantTimeEqual(hash(utf8(input)), expected);
}

/** Verifies a salted `md5` or `sha1` row (`<algorithm>$<salt>$<hex>`, the digest of salt followed by password). */
export async function verifySaltedDigest(password: string, encoded: string): Promise<Verdict> {
  const [algorithm = "", salt, hexText, ...extra] = encoded.split("$");
  const hash = DIGESTS.get(algorithm);
  if (hash === undefined || extra.length > 0 || !salt || hexText === undefined) return null;
  return digestMatches(hash, salt + password, hexText);
}

/** Verifies an `unsalted_md5` or `unsalted_sha1` row, as {@link identifyUnsalted} recognizes them. */
export async function verifyUnsaltedDigest(password: string, encoded: string): Promise<Verdict> {
  const kind = identifyUnsalted(encoded);
  if (kind === undefined) return null;
  const hexText = encoded.slice(encoded.lastIndexOf("$") + 1);
  return digestMatches(kind === "unsalted_md5" ? md5 : sha1, password, hexText);
}
