import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { basicAuth, guard, hashPassword, obtainTokenHandler } from "../index.js";
import type { AuthContext } from "../index.js";

const PASSWORD = "correct horse";

async function setup() {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const ctx = (clientIp?: string): AuthContext => ({ clientIp, now: () => 1_000_000 });
  return { store, ctx };
}

function login(username: string, password: string): Request {
  return new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
}

function basic(username: string, password: string): Request {
  return new Request("https://api.test/api/me", { headers: { authorization: `Basic ${btoa(`${username}:${password}`)}` } });
}

describe("brute-force protection: client identity", () => {
  it("with no known client address, 25 failures on unknown usernames lock nobody else out (token endpoint)", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    for (let i = 0; i < 25; i++) expect((await obtain(login(`ghost-${i}`, "x"), ctx())).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(200);
    expect((await obtain(login("alice", PASSWORD), ctx("unknown"))).status).toBe(200);
  });

  it("with no known client address, the per-username count still holds", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    for (let i = 0; i < 5; i++) expect((await obtain(login("alice", "wrong"), ctx())).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx())).status).toBe(429);
  });

  it("with no known client address, Basic auth is not locked out globally either", async () => {
    const { store, ctx } = await setup();
    const check = guard({ schemes: [basicAuth({ users: store })] });
    for (let i = 0; i < 25; i++) expect((await check(basic(`ghost-${i}`, "x"), ctx())).allowed).toBe(false);
    expect((await check(basic("alice", PASSWORD), ctx())).allowed).toBe(true);
  });

  it("counts 25 failures from 25 addresses of one IPv6 /64 as one client (the 21st gets 429)", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store });
    const statuses: number[] = [];
    for (let i = 1; i <= 25; i++) {
      statuses.push((await obtain(login(`ghost-${i}`, "x"), ctx(`2001:db8:1234:5678::${i.toString(16)}`))).status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
    // Another /64 is another client.
    expect((await obtain(login("alice", PASSWORD), ctx("2001:db8:1234:5679::1"))).status).toBe(200);
  });

  it("counts an IPv4-mapped address and its IPv4 address as one client", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, bruteForce: { perUsername: null, perIp: "2/min" } });
    expect((await obtain(login("u1", "x"), ctx("::ffff:203.0.113.9"))).status).toBe(400);
    expect((await obtain(login("u2", "x"), ctx("203.0.113.9"))).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx("::FFFF:cb00:7109"))).status).toBe(429);
  });

  it("takes a configurable IPv6 prefix length, validated when built", async () => {
    const { store, ctx } = await setup();
    const obtain = obtainTokenHandler({ store, bruteForce: { perUsername: null, perIp: "1/min", ipv6PrefixLength: 48 } });
    expect((await obtain(login("u1", "x"), ctx("2001:db8:1::1"))).status).toBe(400);
    expect((await obtain(login("alice", PASSWORD), ctx("2001:db8:1:ffff::1"))).status).toBe(429);
    expect(() => obtainTokenHandler({ store, bruteForce: { ipv6PrefixLength: 129 } })).toThrow(
      /^bruteForce\.ipv6PrefixLength: /,
    );
  });
});
