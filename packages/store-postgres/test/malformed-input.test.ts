/**
 * Malformed input never reaches PostgreSQL as an error: a NUL byte in a Basic username (or a token key, a login
 * body) is a 401/400 for an anonymous request, never a 503 anyone could trigger (a fake outage, a log line each).
 */
import { withAuth } from "@portcullis/adapters/fetch";
import { basicAuth, hashPassword, obtainTokenHandler, tokenAuth, type AuthEvent } from "@portcullis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresStore } from "../src/index.js";
import { HAS_SERVER, IS_CI, announce, createDatabase, pgClient, postgresJsClient, type TestClient, type TestDatabase } from "./_postgres.js";

announce("malformed input on postgresStore", true);

describe.skipIf(!HAS_SERVER && !IS_CI)("a NUL byte is a 401, never a store error (real server)", () => {
  let database: TestDatabase;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    database = await createDatabase();
    const setup = postgresJsClient(database.url, { max: 1 });
    clients.push(setup);
    await migrate(setup.client);
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await database?.drop();
  });

  for (const driver of ["postgres.js", "pg"] as const) {
    {
      it(`through ${driver}: Basic and the login endpoint (Django mode: the conformance suite)`, async () => {
        const client = driver === "pg" ? pgClient(database.url) : postgresJsClient(database.url);
        clients.push(client);
        const store = postgresStore(client.client);
        await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) }).catch(() => undefined);
        const events: AuthEvent[] = [];
        const app = withAuth({ schemes: [tokenAuth({ store }), basicAuth({ users: store })] }, () => new Response("secret data"));
        // A header cannot carry a NUL byte, but Basic's base64 can.
        // (A trailing NUL in the password is not refused: PBKDF2's HMAC pads its key with zeros, in Django too.)
        for (const credentials of ["alice\0:pw-alice", "\0:x", "ali\0ce:pw-alice", "\0alice:pw-alice"]) {
          const response = await app(new Request("https://api.test/", { headers: { authorization: `Basic ${btoa(credentials)}` } }));
          expect(response.status, JSON.stringify(credentials)).toBe(401);
        }
        const obtain = obtainTokenHandler({ store, onEvent: (event) => events.push(event) });
        const body = JSON.stringify({ username: "alice\0", password: "pw-alice" });
        const login = await obtain(new Request("https://api.test/login", { method: "POST", headers: { "content-type": "application/json" }, body }), {});
        expect(login.status).toBe(400); // DRF's CharField: "Null characters are not allowed."
        expect(events.some((event) => event.type === "store.failed")).toBe(false);
      });
    }
  }
});
