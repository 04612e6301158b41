import { describe, expect, it } from "vitest";
import { canonicalIp, clientIdentity, ipv6PrefixLengthOf } from "./client-identity.js";
import { ConfigError } from "./errors.js";

describe("canonicalIp", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    [" 192.0.2.7 ", "192.0.2.7"],
    ["0.0.0.0", "0.0.0.0"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of two equal runs
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // the longest run
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["::FFFF:c000:0207", "192.0.2.7"],
    ["0:0:0:0:0:ffff:192.0.2.7", "192.0.2.7"],
    ["64:ff9b::192.0.2.7", "64:ff9b::c000:207"],
  ])("%s -> %s", (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    "", "unknown", "localhost", "192.0.2", "192.0.2.7.1", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "1.2.3.4/24",
    "2001:db8::1::2", "2001:db8:::1", ":1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1",
    "::ffff:192.0.2.256", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::1 x", "x".repeat(200),
  ])("%j is not an address", (input) => {
    expect(canonicalIp(input)).toBeNull();
  });

  it("answers null for null, undefined and non-strings", () => {
    expect(canonicalIp(null)).toBeNull();
    expect(canonicalIp(undefined)).toBeNull();
    expect(canonicalIp(42 as unknown as string)).toBeNull();
  });
});

describe("clientIdentity", () => {
  it("counts IPv6 by its /64 by default, in one canonical text", () => {
    const ids = ["2001:db8:1234:5678::1", "2001:DB8:1234:5678:0:0:0:2", "2001:db8:1234:5678:ffff:ffff:ffff:ffff"].map(
      (address) => clientIdentity(address),
    );
    expect(new Set(ids)).toEqual(new Set(["2001:db8:1234:5678::/64"]));
    expect(clientIdentity("2001:db8:1234:5679::1")).toBe("2001:db8:1234:5679::/64");
  });

  it("takes a configurable prefix length (bits within a group are masked too)", () => {
    expect(clientIdentity("2001:db8:12ff:5678::1", { ipv6PrefixLength: 56 })).toBe("2001:db8:12ff:5600::/56");
    expect(clientIdentity("2001:db8:12ff:5678::1", { ipv6PrefixLength: 48 })).toBe("2001:db8:12ff::/48");
    expect(clientIdentity("2001:db8:12ff:5678::1", { ipv6PrefixLength: 1 })).toBe("::/1");
    expect(clientIdentity("2001:db8::1", { ipv6PrefixLength: 128 })).toBe("2001:db8::1");
    expect(clientIdentity("2001:db8::1", { ipv6PrefixLength: 127 })).toBe("2001:db8::/127");
  });

  it("folds IPv4-mapped IPv6 into IPv4, whatever the prefix", () => {
    expect(clientIdentity("::ffff:203.0.113.5")).toBe("203.0.113.5");
    expect(clientIdentity("203.0.113.5")).toBe("203.0.113.5");
    expect(clientIdentity("::ffff:203.0.113.5", { ipv6PrefixLength: 128 })).toBe("203.0.113.5");
  });

  it("answers null, never a shared identity, for a missing or unparseable address", () => {
    for (const address of [undefined, null, "", "unknown", "not-an-ip"]) expect(clientIdentity(address)).toBeNull();
  });
});

describe("ipv6PrefixLengthOf", () => {
  it("defaults to 64 and accepts 1-128", () => {
    expect(ipv6PrefixLengthOf(undefined, "x")).toBe(64);
    expect(ipv6PrefixLengthOf(1, "x")).toBe(1);
    expect(ipv6PrefixLengthOf(128, "x")).toBe(128);
  });

  it.each([0, 129, 64.5, "64", null, Number.NaN])("refuses %j with a ConfigError naming the option", (value) => {
    expect(() => ipv6PrefixLengthOf(value, "bruteForce.ipv6PrefixLength")).toThrow(ConfigError);
    expect(() => ipv6PrefixLengthOf(value, "bruteForce.ipv6PrefixLength")).toThrow(/^bruteForce\.ipv6PrefixLength: /);
  });
});
