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
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, migrate } from "../src/index.js";

const LOGINS = 100;
const TIMEOUT_MS = 90_000;

let mf: Miniflare;
let store: Store;
let passwordHash: string;

beforeAll(async () => {
  const script = "export default { fetch() { return new Response('') } }";
  mf = new Miniflare({ modules: true, script, d1Databases: ["DB"] });
  const db = (await mf.getD1Database("DB")) as unknown as D1Database;
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
