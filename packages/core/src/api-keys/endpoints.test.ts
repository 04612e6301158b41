import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { guard } from "../guard.js";
import { tokenAuth } from "../schemes/token.js";
import { issueToken } from "../tokens/tokens.js";
import { apiKeyAuth, apiKeyEndpoints } from "./index.js";

const T0 = 1_700_000_000_000;

async function setup() {
  const store = memoryStore();
  const alice = await store.createUser({ username: "alice", passwordHash: "!" });
  const bob = await store.createUser({ username: "bob", passwordHash: "!" });
  const tokenOf = async (id: string) => (await issueToken(store, id)).key;
  const endpoints = apiKeyEndpoints({
    store,
    authorize: guard({ schemes: [tokenAuth({ store }), apiKeyAuth({ store })] }),
    allowedScopes: ["articles:read", "articles:write"],
    graceMs: 1000,
  });
  return { store, endpoints, alice: await tokenOf(alice.id), bob: await tokenOf(bob.id), aliceId: alice.id };
}

const call = (auth: string, method = "POST", body?: unknown) =>
  new Request("https://api.test/api-keys/", {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const ctx = { now: () => T0 };

describe("apiKeyEndpoints", () => {
  it("issues (201, key shown once), lists without secrets, rotates and revokes", async () => {
    const { endpoints, alice, aliceId, store } = await setup();
    const issued = await endpoints.issue(call(`Token ${alice}`, "POST", { name: "ci", scopes: ["articles:read"], ttl_seconds: 3600 }), ctx);
    expect(issued.status).toBe(201);
    expect(issued.headers.get("cache-control")).toContain("no-store");
    const { key, api_key } = await issued.json();
    expect(api_key).toMatchObject({ name: "ci", scopes: ["articles:read"], expires_at: new Date(T0 + 3_600_000).toISOString() });
    const listed = await (await endpoints.list(call(`Token ${alice}`, "GET"), ctx)).text();
    expect(listed).toContain(api_key.id);
    expect(listed).not.toContain(key.slice(21));
    const rotated = await endpoints.rotate(call(`Token ${alice}`, "POST", { id: api_key.id }), ctx);
    const body = await rotated.json();
    expect([rotated.status, body.previous.expires_at]).toEqual([200, new Date(T0 + 1000).toISOString()]);
    expect((await store.findApiKey(body.api_key.id))?.ownerId).toBe(aliceId);
    expect((await endpoints.revoke(call(`Token ${alice}`, "DELETE", { id: body.api_key.id }), ctx)).status).toBe(204);
    expect(await store.findApiKey(body.api_key.id)).toBeNull();
  });

  it("an attacker: another owner's key is 404, an API key cannot manage keys, scopes outside the list are 400", async () => {
    const { endpoints, alice, bob } = await setup();
    const { key, api_key } = await (await endpoints.issue(call(`Token ${alice}`, "POST", { scopes: ["articles:read"] }), ctx)).json();
    for (const handler of [endpoints.rotate, endpoints.revoke]) {
      const response = await handler(call(`Token ${bob}`, "POST", { id: api_key.id }), ctx);
      expect([response.status, await response.json()]).toEqual([404, { detail: "Not found." }]);
    }
    const byKey = await endpoints.issue(call(`Bearer ${key}`, "POST", { scopes: ["articles:write"] }), ctx);
    expect(byKey.status).toBe(403);
    const escalate = await endpoints.issue(call(`Token ${alice}`, "POST", { scopes: ["admin"] }), ctx);
    expect([escalate.status, await escalate.json()]).toEqual([400, { scopes: ["This scope is not allowed."] }]);
    const anonymous = await endpoints.list(new Request("https://api.test/api-keys/"), ctx);
    expect(anonymous.status).toBe(401);
  });

  it("answers malformed bodies and wrong methods with 4xx, never 5xx", async () => {
    const { endpoints, alice } = await setup();
    const cases: [Response, number][] = [
      [await endpoints.issue(call(`Token ${alice}`, "POST", { scopes: "articles:read" }), ctx), 400],
      [await endpoints.issue(call(`Token ${alice}`, "POST", { name: "a\u202eb" }), ctx), 400],
      [await endpoints.issue(call(`Token ${alice}`, "POST", { ttl_seconds: -1 }), ctx), 400],
      [await endpoints.rotate(call(`Token ${alice}`, "POST", {}), ctx), 400],
      [await endpoints.rotate(call(`Token ${alice}`, "POST", { id: { $ne: 1 } }), ctx), 400],
      [await endpoints.revoke(call(`Token ${alice}`, "POST", { id: "nope" }), ctx), 404],
      [await endpoints.issue(call(`Token ${alice}`, "GET"), ctx), 405],
      [await endpoints.issue(new Request("https://api.test/", { method: "POST", headers: { authorization: `Token ${alice}`, "content-type": "application/json" }, body: "{" }), ctx), 400],
    ];
    expect(cases.map(([response]) => response.status)).toEqual(cases.map(([, status]) => status));
  });

  it("of 10 concurrent rotations of one key one answers 200 and the others 409; a later one 409 too", async () => {
    const { endpoints, alice, store, aliceId } = await setup();
    const { api_key } = await (await endpoints.issue(call(`Token ${alice}`, "POST", {}), ctx)).json();
    const responses = await Promise.all(Array.from({ length: 10 }, () => endpoints.rotate(call(`Token ${alice}`, "POST", { id: api_key.id }), ctx)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(409)]);
    const conflict = responses.find((r) => r.status === 409)!;
    expect([await conflict.json(), conflict.headers.get("cache-control")]).toEqual([{ detail: "This API key has already been rotated." }, expect.stringContaining("no-store")]);
    expect(await store.listApiKeys(aliceId)).toHaveLength(2);
    expect((await endpoints.rotate(call(`Token ${alice}`, "POST", { id: api_key.id }), ctx)).status).toBe(409);
  });

  it("a revoke racing a rotation leaves no live replacement of a revoked key unless the rotation answered 200", async () => {
    const { endpoints, alice, store, aliceId } = await setup();
    for (let round = 0; round < 5; round += 1) {
      const { api_key } = await (await endpoints.issue(call(`Token ${alice}`, "POST", {}), ctx)).json();
      const [rotated, revoked] = await Promise.all([
        endpoints.rotate(call(`Token ${alice}`, "POST", { id: api_key.id }), ctx),
        endpoints.revoke(call(`Token ${alice}`, "DELETE", { id: api_key.id }), ctx),
      ]);
      expect(revoked.status).toBe(204);
      expect([200, 404]).toContain(rotated.status);
      expect(await store.findApiKey(api_key.id)).toBeNull();
      const left = await store.listApiKeys(aliceId);
      expect(left).toHaveLength(rotated.status === 200 ? 1 : 0);
      for (const key of left) await store.deleteApiKey(key.id);
    }
  });
});
