/**
 * Client identity: the one form in which a client address is counted by throttles and brute-force protection.
 * IPv4 is dotted decimal; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is folded into IPv4; IPv6 is counted by its
 * network prefix (a /64 by default: every IPv6 client holds at least one), in RFC 5952 text (lowercase, zeros
 * compressed). An address that is missing or cannot be parsed has no identity (`null`): per-IP counts then
 * skip the request rather than count it in one bucket shared by every such client.
 * @module
 */
import { ConfigError } from "./errors.js";

/** Options of {@link clientIdentity}. */
export interface ClientIdentityOptions {
  /** How many leading bits of an IPv6 address identify a client: 1–128. Default 64. */
  readonly ipv6PrefixLength?: number;
}

/** The default IPv6 prefix length: one /64, the smallest block a network hands an IPv6 client. */
export const DEFAULT_IPV6_PREFIX_LENGTH = 64;

const MAX_ADDRESS_LENGTH = 100;
const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part) && Number(part) <= 255)) return null;
  return parts.map(Number);
}

function parseGroups(text: string): number[] | null {
  if (text === "") return [];
  const groups = text.split(":");
  return groups.every((group) => GROUP.test(group)) ? groups.map((group) => parseInt(group, 16)) : null;
}

/** Eight 16-bit groups, or `null`. Accepts `::` once and a dotted IPv4 tail (`::ffff:192.0.2.1`). */
function parseIpv6(text: string): number[] | null {
  let body = text;
  const lastColon = body.lastIndexOf(":");
  if (body.includes(".", lastColon)) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    body = `${body.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const known = head.length + rest.length;
  if (halves.length === 2 ? known > 7 : known !== 8) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (>= 2) of zero groups as `::` (the first on a tie). */
function formatIpv6(groups: readonly number[]): string {
  let [bestStart, bestLength] = [-1, 1];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

type Parsed = { readonly v4: number[] } | { readonly v6: number[] };

function parseAddress(address: unknown): Parsed | null {
  if (typeof address !== "string" || address.length > MAX_ADDRESS_LENGTH) return null;
  let text = address.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (!text.includes(":")) {
    const v4 = parseIpv4(text);
    return v4 === null ? null : { v4 };
  }
  const zone = text.indexOf("%");
  const v6 = parseIpv6(zone < 0 ? text : text.slice(0, zone));
  if (v6 === null) return null;
  return isIpv4Mapped(v6) ? { v4: [v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255] } : { v6 };
}

/**
 * The canonical text of an IP address: dotted-decimal IPv4 (IPv4-mapped IPv6 folded into it) or RFC 5952 IPv6,
 * without brackets or zone; `null` for anything that is not an address.
 * @example
 * canonicalIp("2001:DB8:0:0:0:0:0:1"); // "2001:db8::1"
 * canonicalIp("::ffff:192.0.2.7");     // "192.0.2.7"
 */
export function canonicalIp(address: string | null | undefined): string | null {
  const parsed = parseAddress(address);
  if (parsed === null) return null;
  return "v4" in parsed ? parsed.v4.join(".") : formatIpv6(parsed.v6);
}

/**
 * The identity a client is counted under: its IPv4 address, or the prefix of its IPv6 address (`<network>/64`,
 * or the whole canonical address at 128); `null` when the address is missing or not an address.
 * @example
 * clientIdentity("2001:db8:1234:5678::1");       // "2001:db8:1234:5678::/64"
 * clientIdentity("2001:db8::1", { ipv6PrefixLength: 128 }); // "2001:db8::1"
 */
export function clientIdentity(address: string | null | undefined, options: ClientIdentityOptions = {}): string | null {
  const prefix = options.ipv6PrefixLength ?? DEFAULT_IPV6_PREFIX_LENGTH;
  const parsed = parseAddress(address);
  if (parsed === null) return null;
  if ("v4" in parsed) return parsed.v4.join(".");
  if (prefix >= 128) return formatIpv6(parsed.v6);
  const masked = parsed.v6.map((group, i) => {
    const bits = Math.min(16, Math.max(0, prefix - 16 * i));
    return bits === 0 ? 0 : group & (0xffff << (16 - bits)) & 0xffff;
  });
  return `${formatIpv6(masked)}/${prefix}`;
}

/**
 * Validates an `ipv6PrefixLength` option (an integer from 1 to 128), throwing `ConfigError` naming `option`.
 * @example
 * ipv6PrefixLengthOf(56, "bruteForce.ipv6PrefixLength"); // 56
 */
export function ipv6PrefixLengthOf(value: unknown, option: string): number {
  if (value === undefined) return DEFAULT_IPV6_PREFIX_LENGTH;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 128) {
    throw new ConfigError(option, "must be an integer from 1 to 128");
  }
  return value;
}
