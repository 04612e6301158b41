/**
 * One PostgreSQL database shared by real Django and Portcullis (Django mode), on both Django stacks with the
 * matching `compat()`: for each hasher Django ships there, preferred first in `PASSWORD_HASHERS` on both halves,
 * users log in alternately through Django (`authenticate()`, and `login()` into a database session in round one)
 * and through Portcullis (`basicAuth` with `passwordHashers`), three rounds each. After the first upgrade,
 * `auth_user.password` is never rewritten again, and the Django session from round one still authenticates at the
 * end (Django's own `get_user`, which checks `_auth_user_hash` against the current password hash).
 */
import { authenticate, basicAuth, passwordHashers, type Store } from "@portcullis/core";
import { afterAll, describe, expect, it } from "vitest";
import { stackCompat } from "../../core/test/_compat.js";
import { djangoStacks, type DjangoStack } from "../../core/test/_stacks.js";
import { migrate, postgresStore } from "../src/index.js";
import { CAN_RUN_DJANGO, announceDjango, djangoDatabase, djangoOps, type DjangoRun } from "./_django.js";
import { postgresJsClient, type TestClient, type TestDatabase } from "./_postgres.js";

announceDjango("shared-database logins (Django and Portcullis alternating)");

const stacks = CAN_RUN_DJANGO ? djangoStacks(["psycopg2", "argon2", "bcrypt"], "the shared-database logins") : [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const withBasic = (username: string, password: string) =>
  new Request("https://api.test/", { headers: { Authorization: `Basic ${btoa(`${username}:${password}`)}` } });

async function setUp(stack: DjangoStack): Promise<{ database: TestDatabase; client: TestClient; store: Store }> {
  const database = await djangoDatabase({ env: stack.env });
  const client = postgresJsClient(database.url);
  cleanups.push(() => database.drop(), () => client.close());
  await migrate(client.client, { django: true });
  return { database, client, store: postgresStore(client.client, { django: true }) };
}

if (stacks.length === 0) it.skip("shared-database logins: no Django stack and PostgreSQL server here", () => undefined);

describe.each(stacks.map((stack) => [stack.name, stack] as const))("shared database, %s stack", (_name, stack) => {
  const releases = stackCompat(stack);
  let shared: Promise<{ database: TestDatabase; store: Store }> | undefined;

  it.each(releases.hashers.passwordHashers.map((algorithm) => [algorithm]))(
    "%s preferred on both halves: zero rewrites after the first upgrade, and round one's Django session survives",
    async (algorithm) => {
      shared ??= setUp(stack);
      const { database, store } = await shared;
      const order = [algorithm, ...releases.hashers.passwordHashers.filter((other) => other !== algorithm)];
      const run: DjangoRun = { env: stack.env, hashers: order };
      const scheme = basicAuth({ users: store, bruteForce: false, passwordHashers: passwordHashers({ compat: releases, hashers: order }) });
      // Each user starts on another hasher, so that the first login upgrades it: one upgraded by Portcullis first,
      // one by Django first.
      const start = algorithm === "pbkdf2_sha1" ? "pbkdf2_sha256" : "pbkdf2_sha1";
      const users = [`p-first-${algorithm}`, `d-first-${algorithm}`];
      const password = `pw ${algorithm} ünïcode`;
      djangoOps(database, users.map((username) => ({ op: "create_user" as const, username, password })), { env: stack.env, hashers: [start] });
      const hashOf = (username: string) => String(djangoOps(database, [{ op: "user", username }], run)[0]!.password);
      const portcullisLogin = async (username: string) => {
        const result = await authenticate(withBasic(username, password), [scheme]);
        expect([username, result.status]).toEqual([username, "authenticated"]);
      };
      const djangoLogin = (username: string, session: boolean) => {
        const [answer] = djangoOps(database, [{ op: session ? "login_session" : "authenticate", username, password }], run);
        expect([username, answer]).toEqual([username, expect.objectContaining(session ? { key: expect.any(String) } : { ok: true })]);
        return session ? String(answer!.key) : null;
      };

      expect(hashOf(users[0]!).startsWith(`${start}$`)).toBe(true);
      await portcullisLogin(users[0]!); // Portcullis upgrades the first user
      djangoLogin(users[1]!, false); // Django upgrades the second
      const upgraded = users.map(hashOf);
      for (const encoded of upgraded) expect(encoded.startsWith(`${algorithm}$`)).toBe(true);

      const sessions = users.map((username) => djangoLogin(username, true) as string);
      for (let round = 0; round < 3; round++) {
        for (const username of users) {
          await portcullisLogin(username);
          djangoLogin(username, false);
        }
      }
      expect(users.map(hashOf)).toEqual(upgraded);
      const stillIn = djangoOps(database, sessions.map((key) => ({ op: "session_user" as const, key })), run);
      const ids = djangoOps(database, users.map((username) => ({ op: "user" as const, username })), run).map((row) => row!.id);
      expect(stillIn.map((row) => row!.id)).toEqual(ids);
    },
    600_000,
  );
});
