import { describe, expect, it } from "vitest";
import { compat } from "../compat/compat.js";
import { authenticate } from "../authenticate.js";
import { ConfigError } from "../errors.js";
import type { UserCredentials } from "../store/types.js";
import { djangoSessionAuthHash, decodeDjangoSessionData } from "./django-session.js";
import { djangoSessions, type DjangoSessionTable } from "./django-session-writer.js";
import { djangoDumps, djangoLoads } from "./django-signing.js";
import { sessionAuth } from "./session-auth.js";
import { sessionLoginHandler, sessionLogoutHandler } from "./session-endpoints.js";
import { hashPassword } from "../passwords/hash-password.js";

const SECRET = "django-secret-key-for-tests";
const SALT = "django.contrib.sessions.SessionStore";

/** django_session in memory, as the PostgreSQL store in Django mode keeps it (the raw key, expire_date). */
function table(): DjangoSessionTable & { rows: Map<string, { data: string; expires: number }> } {
  const rows = new Map<string, { data: string; expires: number }>();
  return {
    rows,
    getSessionData: async (key, now) => {
      const row = rows.get(key);
      return row && row.expires > now ? row.data : null;
    },
    createSessionData: async (key, data, expires) => (rows.has(key) ? false : (rows.set(key, { data, expires }), true)),
    deleteSessionData: async (key) => rows.delete(key),
  };
}

async function setup(options: { compat?: ReturnType<typeof compat>; fallbacks?: string[] } = {}) {
  const credentials: UserCredentials = { user: { id: "7", username: "alice", isActive: true, isStaff: false }, passwordHash: await hashPassword("pw", { iterations: 1000 }) };
  const users = {
    current: credentials,
    getUserCredentialsById: async (id: string) => (id === "7" ? users.current : null),
    getUserByUsername: async (name: string) => (name === "alice" ? users.current : null),
    setPasswordHash: async () => undefined,
  };
  const backend = table();
  const django = djangoSessions({ secretKey: SECRET, secretKeyFallbacks: options.fallbacks, backend, users, compat: options.compat });
  return { users, backend, django };
}

const me = (key: string) => new Request("http://app.test/api/me", { headers: { cookie: `sessionid=${key}` } });

describe("djangoDumps", () => {
  it("signs what djangoLoads (Django's signing.loads) reads back, and nothing else verifies", async () => {
    const signed = djangoDumps({ _auth_user_id: "1" }, { secretKey: SECRET, salt: SALT, now: Date.UTC(2026, 0, 1) });
    expect(signed).toMatch(/^[A-Za-z0-9_-]+:[0-9A-Za-z]+:[A-Za-z0-9_-]{43}$/);
    expect(await djangoLoads(signed, { keys: [SECRET], salt: SALT })).toEqual({ _auth_user_id: "1" });
    expect(await djangoLoads(signed, { keys: ["another key"], salt: SALT })).toBeNull();
    expect(await djangoLoads(signed, { keys: [SECRET], salt: "django.contrib.sessions.backends.signed_cookies" })).toBeNull();
    expect(await djangoLoads(signed.replace(/^./, (c) => (c === "e" ? "f" : "e")), { keys: [SECRET], salt: SALT })).toBeNull();
  });
});

describe("djangoSessions", () => {
  it("start writes Django's row (raw key, signed data with the current hash, expire_date); read and end use it", async () => {
    const { users, backend, django } = await setup();
    const now = Date.UTC(2026, 0, 1);
    const key = await django.start({ id: "7", username: "alice", isActive: true, isStaff: false }, { now: () => now }, 1209600);
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    const row = backend.rows.get(key)!;
    expect(row.expires).toBe(now + 1_209_600_000);
    const data = await decodeDjangoSessionData(row.data, [SECRET]);
    expect(data).toEqual({
      _auth_user_id: "7",
      _auth_user_backend: "django.contrib.auth.backends.ModelBackend",
      _auth_user_hash: djangoSessionAuthHash(users.current.passwordHash, SECRET),
    });
    expect(await django.read(key, { now: () => now })).toMatchObject({ id: "7" });
    expect(await django.read(key, { now: () => now + 1_209_600_000 })).toBeNull();
    expect(await django.end(key)).toBe(true);
    expect(await django.read(key, { now: () => now })).toBeNull();
    expect(await django.end("../etc")).toBe(false);
  });

  it("a password change on either side ends the session (its _auth_user_hash no longer matches)", async () => {
    const { users, django } = await setup();
    const key = await django.start(users.current.user, {}, 60);
    expect(await authenticate(me(key), [sessionAuth({ django })])).toMatchObject({ status: "authenticated", user: { id: "7" } });
    users.current = { ...users.current, passwordHash: await hashPassword("new", { iterations: 1000 }) };
    expect((await authenticate(me(key), [sessionAuth({ django })])).status).toBe("anonymous");
  });

  it("SECRET_KEY_FALLBACKS sign sessions only where the release tries them (4.1+, hash 4.1.8+)", async () => {
    const old = await setup({ fallbacks: [] });
    const key = await old.django.start(old.users.current.user, {}, 60);
    const row = old.backend.rows.get(key)!;
    for (const [release, accepted] of [["3.2", false], ["4.2", true]] as const) {
      // The same row, signed with what is now the fallback key.
      const reader = djangoSessions({ secretKey: "the-new-secret-key", secretKeyFallbacks: [SECRET], backend: old.backend, users: old.users, compat: compat({ django: release }) });
      expect(row.data).toBeTypeOf("string");
      expect((await reader.read(key, {})) !== null).toBe(accepted);
    }
  });

  it("refuses a table that cannot be written", () => {
    const users = { getUserCredentialsById: async () => null };
    expect(() => djangoSessions({ secretKey: SECRET, backend: { getSessionData: async () => null } as unknown as DjangoSessionTable, users })).toThrow(ConfigError);
  });

  it("login writes Django's session and deletes the request's old one (no fixation); logout deletes it", async () => {
    const { users, backend, django } = await setup();
    const planted = await django.start(users.current.user, {}, 60);
    const login = sessionLoginHandler({ store: users, django, csrfCheck: false, bruteForce: false });
    const response = await login(
      new Request("http://app.test/login", { method: "POST", headers: { "content-type": "application/json", cookie: `sessionid=${planted}` }, body: JSON.stringify({ username: "alice", password: "pw" }) }),
    );
    expect(response.status).toBe(200);
    const key = /sessionid=([a-z0-9]+)/.exec(response.headers.getSetCookie().join("\n"))?.[1] ?? "";
    expect(key).not.toBe(planted);
    expect([...backend.rows.keys()]).toEqual([key]);
    const logout = sessionLogoutHandler({ django });
    const csrf = "a".repeat(32);
    const out = await logout(new Request("http://app.test/logout", { method: "POST", headers: { cookie: `sessionid=${key}; csrftoken=${csrf}`, "x-csrftoken": csrf } }));
    expect(out.status).toBe(204);
    expect(backend.rows.size).toBe(0);
  });
});
