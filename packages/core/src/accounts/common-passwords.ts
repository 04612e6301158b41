/**
 * The common-password list of `CommonPasswordValidator` for a Django release, decompressed on first use with
 * `DecompressionStream` (Node 18+, workerd, Deno, Bun) and kept for the life of the process.
 * @module
 */
import type { Compat } from "../compat/compat.js";

const loaded = new Map<string, Promise<ReadonlySet<string>>>();

async function gunzip(base64: string): Promise<string> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/** Python's `str.strip()` on a line of the list. */
const strip = (line: string): string => line.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, "");

/**
 * The set Django builds from its list: `{line.strip() for line in file}`.
 * @example
 * (await commonPasswords(compat({ django: "4.2" }))).has("password"); // true
 */
export function commonPasswords(compat: Compat): Promise<ReadonlySet<string>> {
  const release = compat.accounts.commonPasswords;
  let set = loaded.get(release);
  if (set === undefined) {
    const data = release === "4.2" ? import("./_common-passwords-42.js") : import("./_common-passwords-32.js");
    set = data.then(async ({ COMMON_PASSWORDS_GZ }) => new Set((await gunzip(COMMON_PASSWORDS_GZ)).split("\n").map(strip)));
    set.catch(() => loaded.delete(release));
    loaded.set(release, set);
  }
  return set;
}
