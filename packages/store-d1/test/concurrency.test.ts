/**
 * Concurrency on a real D1 (Miniflare's local workerd, started here): parallel logins through the token endpoint,
 * the atomic `maxTokensPerUser` cap, and parallel logout-all. Passwords use the default 1,000,000-iteration hash
 * (hashed once in setup), so no login triggers an upgrade; the cost is one PBKDF2 check per login.
 */
import type { D1Database } from "@cloudflare/workers-types/experimental/index.js";
import type { Store, User } from "@portcullis/core";
import {
  authenticate,
  hashPassword,
  issueToken,
  listTokens,
  logoutAllHandler,
  obtainTokenHandler,
  tokenAuth,
} from "@portcullis/core";
import { apiKeyEndpoints } from "@portcullis/core/api-keys";
import { guard } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate } from "../src/index.js";

const LOGINS = 100;
const TIMEOUT_MS = 90_000;

let mf: Miniflare;
let db: D1Database;
let store: Store;
let passwordHash: string;

beforeAll(async () => {
  const script = "export default { fetch() { return new Response('') } }";
  mf = new Miniflare({ modules: true, script, d1Databases: ["DB"] });
  db = (await mf.getD1Database("DB")) as unknown as D1Database;
  await migrate(db);
  store = d1Store(db);
  passwordHash = await hashPassword("s3cret");
});

afterAll(async () => {
  await mf?.dispose();
});

function login(username: string): Request {
  return new Request("https://api.test/api-token-auth/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: "s3cret" }),
  });
}

function withToken(key: string): Request {
  return new Request("https://api.test/me", { headers: { Authorization: `Token ${key}` } });
}

/** The user a key authenticates as, or the failure's detail. */
async function whoIs(key: string): Promise<string> {
  const result = await authenticate(withToken(key), [tokenAuth({ store })]);
  if (result.status === "authenticated") return (result.user as User).id;
  return result.status === "failed" ? result.error.detail : "anonymous";
}

/** Runs `n` logins at once; answers each response's status and parsed body. */
async function loginsAtOnce(handler: (request: Request) => Promise<Response>, username: string, n: number) {
  const responses = await Promise.all(Array.from({ length: n }, () => handler(login(username))));
  return Promise.all(responses.map(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })));
}

describe("d1Store under concurrency", () => {
  it(`${LOGINS} concurrent logins of one user yield ${LOGINS} distinct working tokens`, async () => {
    const alice = await store.createUser({ username: "alice", passwordHash });
    const answers = await loginsAtOnce(obtainTokenHandler({ store, bruteForce: false }), "alice", LOGINS);

    expect(answers.map((a) => a.status)).toEqual(Array(LOGINS).fill(200));
    const keys = answers.map((a) => a.body.token as string);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(keys).size).toBe(LOGINS);
    expect(await Promise.all(keys.map(whoIs))).toEqual(Array(LOGINS).fill(alice.id));
    expect(await listTokens(store, alice.id)).toHaveLength(LOGINS);
  }, TIMEOUT_MS);

  it(`with maxTokensPerUser: 10, exactly 10 of ${LOGINS} concurrent logins succeed and the rest answer 403`, async () => {
    const bob = await store.createUser({ username: "bob", passwordHash });
    const handler = obtainTokenHandler({ store, bruteForce: false, maxTokensPerUser: 10 });
    const answers = await loginsAtOnce(handler, "bob", LOGINS);

    const granted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(LOGINS - 10);
    for (const answer of refused) {
      expect(answer).toEqual({ status: 403, body: { detail: "Maximum amount of tokens allowed per user exceeded." } });
    }
    expect(await Promise.all(granted.map((a) => whoIs(a.body.token as string)))).toEqual(Array(10).fill(bob.id));
    expect(await listTokens(store, bob.id)).toHaveLength(10);
  }, TIMEOUT_MS);

  it("20 concurrent logout-all requests, each with another token of one user, leave none of that user's tokens", async () => {
    const carol = await store.createUser({ username: "carol", passwordHash: "!" });
    const dave = await store.createUser({ username: "dave", passwordHash: "!" });
    const carolKeys = await Promise.all(Array.from({ length: 20 }, async () => (await issueToken(store, carol.id)).key));
    const daveKeys = await Promise.all(Array.from({ length: 3 }, async () => (await issueToken(store, dave.id)).key));
    const logoutAll = logoutAllHandler({ store });

    const logoutWith = (key: string) =>
      logoutAll(new Request("https://api.test/logoutall/", { method: "POST", headers: { Authorization: `Token ${key}` } }));
    const responses = await Promise.all(carolKeys.map(logoutWith));

    // A request whose token another request already deleted answers `Invalid token.`; at least one got through.
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 204 || s === 401)).toBe(true);
    expect(statuses).toContain(204);
    for (const response of responses.filter((r) => r.status === 401)) {
      expect(await response.json()).toEqual({ detail: "Invalid token." });
    }
    expect(await listTokens(store, carol.id)).toEqual([]);
    expect(await Promise.all(carolKeys.map(whoIs))).toEqual(Array(20).fill("Invalid token."));
    expect(await listTokens(store, dave.id)).toHaveLength(3);
    expect(await Promise.all(daveKeys.map(whoIs))).toEqual(Array(3).fill(dave.id));
  });
});

describe("d1Store API key rotation under concurrency", () => {
  it("of 50 concurrent rotations of one key through apiKeyEndpoints one answers 200 and 49 answer 409; a revoke racing rotations leaves no stray replacement", async () => {
    const keys = d1Store(db);
    const owner = await keys.createUser({ username: "rotor", passwordHash });
    const { key: token } = await issueToken(keys, owner.id);
    const endpoints = apiKeyEndpoints({ store: keys, authorize: guard({ schemes: [tokenAuth({ store: keys })] }) });
    const call = (method: string, body: unknown) =>
      new Request("https://api.test/api-keys/", {
        method,
        headers: { authorization: `Token ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const { api_key } = (await (await endpoints.issue(call("POST", {}))).json()) as { api_key: { id: string } };
    const rotations = await Promise.all(Array.from({ length: 50 }, () => endpoints.rotate(call("POST", { id: api_key.id }))));
    const answers = await Promise.all(rotations.map(async (r) => `${r.status} ${r.status === 200 ? "" : await r.text()}`));
    expect(answers.filter((a) => a.startsWith("200 "))).toHaveLength(1);
    expect(answers.filter((a) => !a.startsWith("200 "))).toEqual(Array<string>(49).fill('409 {"detail":"This API key has already been rotated."}'));
    expect(await keys.listApiKeys(owner.id)).toHaveLength(2);

    const { api_key: doomed } = (await (await endpoints.issue(call("POST", {}))).json()) as { api_key: { id: string } };
    const [revoked, ...raced] = await Promise.all([
      endpoints.revoke(call("DELETE", { id: doomed.id })),
      ...Array.from({ length: 10 }, () => endpoints.rotate(call("POST", { id: doomed.id }))),
    ]);
    expect(revoked!.status).toBe(204);
    const won = raced.filter((r) => r.status === 200).length;
    expect(won).toBeLessThanOrEqual(1);
    expect(raced.every((r) => [200, 404, 409].includes(r.status))).toBe(true);
    expect(await keys.findApiKey(doomed.id)).toBeNull();
    expect(await keys.listApiKeys(owner.id)).toHaveLength(2 + won);
  }, TIMEOUT_MS);
});

