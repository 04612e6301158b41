/**
 * `jwkUrl` (simplejwt's `JWK_URL`) against a real JWKS served over HTTP on 127.0.0.1: the key is chosen by the
 * token's `kid`, the set is fetched once and cached, a key rotated in is picked up after the cooldown, tokens with
 * made-up `kid`s cannot make every request fetch, and when the set cannot be had the request is answered 503.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthEvent } from "../events.js";
import { guard } from "../guard.js";
import { errorToResponse, toResponse } from "../response.js";
import { jwtAuth } from "./jwt-auth.js";
import { jwtSettings } from "./settings.js";

type Mode = "ok" | "500" | "not-json" | "not-a-set" | "hang";
const server = { mode: "ok" as Mode, keys: [] as JWK[], hits: 0, url: "" };
const http = createServer((request, response) => {
  server.hits++;
  if (server.mode === "hang") return; // never answers: the client's timeout decides
  if (server.mode === "500") return void response.writeHead(500).end("oops");
  response.writeHead(200, { "Content-Type": "application/json" });
  if (server.mode === "not-json") return void response.end("<html>");
  response.end(JSON.stringify(server.mode === "not-a-set" ? { keys: 5 } : { keys: server.keys }));
});

const pairs: Record<string, CryptoKeyPair> = {};

/** The public JWK of key `kid`, as a JWKS lists it. */
async function exportJwkOf(kid: string): Promise<JWK> {
  return { ...(await exportJWK((pairs[kid] as CryptoKeyPair).publicKey)), kid, alg: "ES256", use: "sig" };
}

/** An access token with simplejwt's claims, signed by the key `signer`, announcing `kid`. */
function token(kid: string, signer = kid): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ token_type: "access", jti: crypto.randomUUID().replace(/-/g, ""), user_id: "42" })
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid })
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign((pairs[signer] as CryptoKeyPair).privateKey);
}

beforeAll(async () => {
  for (const kid of ["k1", "k2", "k3"]) pairs[kid] = (await generateKeyPair("ES256", { extractable: true })) as CryptoKeyPair;
  server.keys = [await exportJwkOf("k1"), await exportJwkOf("k2")];
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

/** A policy on a JWKS client of its own (`cacheSize: 0`, so every request asks the key set). */
function protect(options: { jwkCooldownMs?: number; jwkTimeoutMs?: number; url?: string } = {}) {
  const events: AuthEvent[] = [];
  const jwt = jwtSettings({ algorithm: "ES256", jwkUrl: options.url ?? server.url, ...options });
  const check = guard({ schemes: [jwtAuth({ jwt, stateless: true, cacheSize: 0 })], onEvent: (event) => events.push(event) });
  const status = async (raw: string): Promise<number> => {
    try {
      const decision = await check(new Request("http://api.test/", { headers: { Authorization: `Bearer ${raw}` } }));
      return decision.allowed ? 200 : toResponse(decision.error).status;
    } catch (error) {
      return errorToResponse(error).status;
    }
  };
  return { status, events };
}

describe("jwtAuth with jwkUrl (a JWKS on 127.0.0.1)", () => {
  it("selects the key by kid, and refuses a kid that names another key or none in the set", async () => {
    server.mode = "ok";
    const { status } = protect();
    expect(await status(await token("k1"))).toBe(200);
    expect(await status(await token("k2"))).toBe(200);
    expect(await status(await token("k1", "k2"))).toBe(401); // signed by k2, announced as k1
    expect(await status(await token("k3"))).toBe(401); // not in the set
  });

  it("fetches the set once and serves later requests from its cache", async () => {
    server.mode = "ok";
    const before = server.hits;
    const { status } = protect();
    for (let i = 0; i < 5; i++) expect(await status(await token(i % 2 ? "k1" : "k2"))).toBe(200);
    expect(server.hits - before).toBe(1);
  });

  it("picks up a rotated-in kid after the cooldown, and drops the rotated-out one", async () => {
    server.mode = "ok";
    server.keys = [await exportJwkOf("k1"), await exportJwkOf("k2")];
    const { status } = protect({ jwkCooldownMs: 300 });
    const before = server.hits;
    expect(await status(await token("k1"))).toBe(200);
    server.keys = [await exportJwkOf("k2"), await exportJwkOf("k3")]; // k1 out, k3 in
    expect(await status(await token("k3"))).toBe(401); // within the cooldown: no new fetch
    expect(server.hits - before).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await status(await token("k3"))).toBe(200);
    expect(server.hits - before).toBe(2);
    expect(await status(await token("k1"))).toBe(401);
  });

  it("fetches at most once per cooldown however many made-up kids are presented", async () => {
    server.mode = "ok";
    const { status } = protect({ jwkCooldownMs: 60_000 });
    const before = server.hits;
    expect(await status(await token("k2"))).toBe(200);
    for (let i = 0; i < 30; i++) expect(await status(await token(`made-up-${i}`, "k2"))).toBe(401);
    expect(server.hits - before).toBe(1);
  });

  for (const mode of ["500", "not-json", "not-a-set", "hang"] as const) {
    it(`answers 503 (fail closed), reported once as store.failed, when the JWKS answers ${mode}`, async () => {
      server.mode = mode;
      const { status, events } = protect({ jwkTimeoutMs: 300 });
      expect(await status(await token("k2"))).toBe(503);
      expect(events.map((event) => event.type)).toEqual(["store.failed"]);
      expect(JSON.stringify(events)).not.toContain("eyJ"); // no token in the event
      server.mode = "ok";
    });
  }

  it("answers 503 when nothing listens at jwkUrl", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { status } = protect({ url: `http://127.0.0.1:${port}/jwks.json` });
    expect(await status(await token("k2"))).toBe(503);
  });
});
