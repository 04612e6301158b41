import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import type { AuthDenial } from "./auth-error.js";
import type { AuthContext } from "./context.js";
import { StoreError } from "./errors.js";
import { guard } from "./guard.js";
import { hashPassword } from "./passwords/index.js";
import { allowAny, isAdminUser } from "./permissions/builtin.js";
import { errorToResponse, toResponse } from "./response.js";
import { basicAuth } from "./schemes/basic.js";
import { tokenAuth } from "./schemes/token.js";
import { userRateThrottle } from "./throttles/throttles.js";
import { issueToken, revokeToken, tokenDigest } from "./tokens/tokens.js";

const T0 = 1_700_000_000_000;
const PASSWORD = "Tr0ub4dor&3-secret";
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Everything a client could see of a denial: status line, headers, body, and the error value itself. */
async function visible(error: AuthDenial): Promise<string> {
  const response = toResponse(error);
  return [response.status, JSON.stringify([...response.headers]), await response.text(), JSON.stringify(error)].join("\n");
}

describe("secret hygiene: no denial shows the password, key or digest that was sent", () => {
  it("holds for every failure of basic, token, permissions and throttles", async () => {
    const store = memoryStore();
    const passwordHash = await hashPassword(PASSWORD, { iterations: 1000 });
    const alice = await store.createUser({ username: "alice", passwordHash });
    const inactive = await store.createUser({ username: "ivan", passwordHash, isActive: false });
    const live = await issueToken(store, alice.id, { now: T0 });
    const expired = await issueToken(store, alice.id, { now: T0, ttlMs: 1 });
    const revoked = await issueToken(store, alice.id, { now: T0 });
    await revokeToken(store, revoked.token.id);
    const ofInactive = await issueToken(store, inactive.id, { now: T0 });
    const keys = [live.key, expired.key, revoked.key, ofInactive.key];
    const secrets = [PASSWORD, passwordHash, ...keys, ...keys.map(tokenDigest)];

    const schemes = [basicAuth({ users: store }), tokenAuth({ store }), tokenAuth({ store, keyword: "Bearer" })];
    const strict = guard({ schemes, permissions: [allowAny] });
    const admin = guard({ schemes, permissions: [isAdminUser] });
    const throttled = guard({ schemes, permissions: [allowAny], throttles: [userRateThrottle("1/day", { store })] });
    const ctx: AuthContext = { now: () => T0 + 1000, clientIp: "192.0.2.1" };

    const attempts: [typeof strict, string][] = [
      [strict, `Basic ${b64(`alice:${PASSWORD}x`)}`],
      [strict, `Basic ${b64(`mallory:${PASSWORD}`)}`],
      [strict, `Basic ${b64(`ivan:${PASSWORD}`)}`],
      [strict, `Basic ${b64(`alice:${PASSWORD}`)} extra`],
      [strict, `Basic ${b64(`alice:${PASSWORD}`).replace(/=+$/, "")}=`],
      [strict, `Basic ${b64(PASSWORD)}`],
      [strict, `Token ${expired.key}`],
      [strict, `Token ${revoked.key}`],
      [strict, `Token ${ofInactive.key}`],
      [strict, `Token ${live.key} extra`],
      [strict, `Token ${live.key}\u00ff`],
      [strict, `Token ${tokenDigest(live.key)}`],
      [strict, `Bearer ${revoked.key}`],
      [admin, `Basic ${b64(`alice:${PASSWORD}`)}`],
      [admin, `Token ${live.key}`],
    ];
    const errors: AuthDenial[] = [];
    for (const [protect, authorization] of attempts) {
      const decision = await protect(new Request("https://api.test/", { headers: { Authorization: authorization } }), ctx);
      if (decision.allowed) throw new Error(`expected a denial for ${authorization.slice(0, 6)}`);
      errors.push(decision.error);
    }
    for (let i = 0; i < 2; i++) {
      const decision = await throttled(new Request("https://api.test/", { headers: { Authorization: `Token ${live.key}` } }), ctx);
      if (!decision.allowed) errors.push(decision.error);
    }
    expect(errors.map((e) => e.status)).toEqual([...Array<number>(13).fill(401), 403, 403, 429]);

    for (const error of errors) {
      const text = await visible(error);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain(b64(`alice:${PASSWORD}`).slice(0, 12));
    }
  });

  it("an unknown user and a wrong password answer byte-identical responses", async () => {
    const store = memoryStore();
    await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
    const protect = guard({ schemes: [basicAuth({ users: store })] });
    const texts: string[] = [];
    for (const credentials of [`alice:${PASSWORD}!`, `nobody:${PASSWORD}`]) {
      const decision = await protect(new Request("https://api.test/", { headers: { Authorization: `Basic ${b64(credentials)}` } }));
      if (decision.allowed) throw new Error("expected a denial");
      texts.push(await visible(decision.error));
    }
    expect(texts[0]).toBe(texts[1]);
  });

  it("a store failure answers a generic 503 that does not echo the backend's error", async () => {
    const cause = new Error(`connection to db failed for key ${"a".repeat(40)}`);
    const response = errorToResponse(new StoreError("findToken failed", { cause }));
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(text).not.toContain("connection");
    expect(text).not.toContain("findToken");
  });
});
