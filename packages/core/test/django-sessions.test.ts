/**
 * Interop with REAL Django (3.2 from Debian, under /usr/bin/python3): sessions that Django's own `login()` made
 * (database backend rows read back from SQLite, and `signed_cookies` cookies) authenticate through `sessionAuth`;
 * a user who changed password afterwards, an inactive user, a tampered or foreign-key value do not; CSRF tokens
 * masked by Django pass Portcullis's check, and tokens masked by Portcullis pass Django's `CsrfViewMiddleware`.
 */
import { describe, expect, it } from "vitest";
import type { User, UserCredentials } from "@portcullis/core";
import { authenticate } from "@portcullis/core";
import {
  csrfConfig,
  csrfReason,
  decodeDjangoSessionData,
  djangoSessionReader,
  maskCsrfSecret,
  newCsrfSecret,
  sessionAuth,
  type DjangoSessionSource,
  type DjangoUserSource,
} from "@portcullis/core/sessions";
import { djangoAvailable, runFixture } from "./_django.js";

interface Fixture {
  django: string;
  secretKey: string;
  oldSecretKey: string;
  users: { id: string; username: string; password: string; is_active: boolean; is_staff: boolean }[];
  sessionKeys: Record<string, string>;
  sessionRows: Record<string, string>;
  csrf: { cookie: string; token: string };
}

const version = djangoAvailable();
const fx = version === null ? null : runFixture<Fixture>("make");

/** Django's auth_user rows as dumped by the fixture (what the PostgreSQL store in Django mode reads). */
function usersOf(f: Fixture): DjangoUserSource {
  const byId = new Map<string, UserCredentials>(
    f.users.map((u) => [u.id, { user: { id: u.id, username: u.username, isActive: u.is_active, isStaff: u.is_staff } satisfies User, passwordHash: u.password }]),
  );
  return { getUserCredentialsById: async (id) => byId.get(id) ?? null };
}

/** Django's django_session rows as read back from its SQLite database (every row unexpired: made just now). */
function rowsOf(f: Fixture): DjangoSessionSource & { readonly asked: string[] } {
  const asked: string[] = [];
  return { asked, getSessionData: async (key) => (asked.push(key), f.sessionRows[key] ?? null) };
}

const request = (cookie: string, init: RequestInit = {}) =>
  new Request("http://app.test/api/me", { ...init, headers: { cookie: `sessionid=${cookie}`, ...(init.headers as Record<string, string>) } });

describe.skipIf(fx === null)(`Django ${version ?? "(missing)"} sessions through sessionAuth`, () => {
  const f = fx as Fixture;

  it("decodes a django_session row that Django wrote", async () => {
    const data = await decodeDjangoSessionData(f.sessionRows[f.sessionKeys.alice_db as string] as string, [f.secretKey]);
    expect(data).toMatchObject({ _auth_user_id: "1", _auth_user_backend: "django.contrib.auth.backends.ModelBackend" });
    expect(await decodeDjangoSessionData(f.sessionRows[f.sessionKeys.alice_db as string] as string, ["another key"])).toBeNull();
  });

  for (const backend of ["db", "cookie"] as const) {
    const reader = (fallbacks: string[] = []) =>
      djangoSessionReader({ secretKey: f.secretKey, secretKeyFallbacks: fallbacks, backend: backend === "db" ? rowsOf(f) : "signed_cookies", users: usersOf(f) });

    it(`${backend}: Django's session authenticates; a password change, an inactive user and tampering do not`, async () => {
      const scheme = sessionAuth({ django: reader() });
      const alice = await authenticate(request(f.sessionKeys[`alice_${backend}`] as string), [scheme]);
      expect(alice).toMatchObject({ status: "authenticated", scheme: "session", user: { id: "1", username: "alice" }, auth: { source: "django", userId: "1" } });
      expect((await authenticate(request(f.sessionKeys[`bob_${backend}`] as string), [scheme])).status).toBe("anonymous");
      if (backend === "db") expect((await authenticate(request(f.sessionKeys.carol_db as string), [scheme])).status).toBe("anonymous");
      const key = f.sessionKeys[`alice_${backend}`] as string;
      const tampered = key.slice(0, -1) + (key.endsWith("a") ? "b" : "a");
      expect((await authenticate(request(tampered), [scheme])).status).toBe("anonymous");
    });

    it(`${backend}: a session signed with a rotated key counts only when the key is in secretKeyFallbacks`, async () => {
      const old = request(f.sessionKeys[`alice_old_key_${backend}`] as string);
      expect((await authenticate(old, [sessionAuth({ django: reader() })])).status).toBe("anonymous");
      expect((await authenticate(old, [sessionAuth({ django: reader([f.oldSecretKey]) })])).status).toBe("authenticated");
    });

    it(`${backend}: an unsafe request with Django's session needs Django's CSRF token`, async () => {
      const scheme = sessionAuth({ django: reader() });
      const key = f.sessionKeys[`alice_${backend}`] as string;
      const bare = await authenticate(request(key, { method: "POST" }), [scheme]);
      expect(bare.status === "failed" && bare.error).toMatchObject({ status: 403, detail: "CSRF Failed: CSRF cookie not set." });
      const cookie = `sessionid=${key}; csrftoken=${f.csrf.cookie}`;
      const ok = await authenticate(new Request("http://app.test/x", { method: "POST", headers: { cookie, "x-csrftoken": f.csrf.token } }), [scheme]);
      expect(ok.status).toBe("authenticated");
    });
  }

  it("never asks the database for a key Django could not have issued", async () => {
    const rows = rowsOf(f);
    const scheme = sessionAuth({ django: djangoSessionReader({ secretKey: f.secretKey, backend: rows, users: usersOf(f) }) });
    for (const key of ["short", "A".repeat(32), "x".repeat(41), "abc'; DROP TABLE django_session; --"]) {
      expect((await authenticate(request(key), [scheme])).status).toBe("anonymous");
    }
    expect(rows.asked).toEqual([]);
  });

  it("Portcullis's own store is tried first, then Django's sessions", async () => {
    const { memoryStore } = await import("@portcullis/store-memory");
    const scheme = sessionAuth({ sessions: memoryStore(), django: djangoSessionReader({ secretKey: f.secretKey, backend: rowsOf(f), users: usersOf(f) }) });
    expect((await authenticate(request(f.sessionKeys.alice_db as string), [scheme])).status).toBe("authenticated");
  });
});

describe.skipIf(fx === null)("CSRF tokens across Django and Portcullis", () => {
  const f = fx as Fixture;

  it("Django 3.2's cookie is the masked 64-character form, and Django's token passes Portcullis's check", async () => {
    expect(f.csrf.cookie).toMatch(/^[a-zA-Z0-9]{64}$/);
    const config = csrfConfig();
    const headers = { cookie: `csrftoken=${f.csrf.cookie}`, "x-csrftoken": f.csrf.token, origin: "http://app.test" };
    expect(await csrfReason(new Request("http://app.test/x", { method: "POST", headers }), config)).toBeNull();
    const form = new Request("http://app.test/x", { method: "POST", headers: { cookie: headers.cookie, "content-type": "application/x-www-form-urlencoded" }, body: `csrfmiddlewaretoken=${f.csrf.token}` });
    expect(await csrfReason(form, config)).toBeNull();
  });

  it("tokens masked by Portcullis pass Django's CsrfViewMiddleware; wrong ones are rejected by both", async () => {
    const secret = newCsrfSecret();
    const other = newCsrfSecret();
    const cases = [
      { url: "http://app.test/", cookie: secret, header: maskCsrfSecret(secret) },
      { url: "http://app.test/", cookie: maskCsrfSecret(secret), form: maskCsrfSecret(secret) },
      { url: "https://app.test/", cookie: secret, header: maskCsrfSecret(secret), referer: "https://app.test/page" },
      { url: "http://app.test/", cookie: secret, header: maskCsrfSecret(other) },
      { url: "https://app.test/", cookie: secret, header: maskCsrfSecret(secret) },
      { url: "https://app.test/", cookie: secret, header: maskCsrfSecret(secret), referer: "https://evil.test/" },
    ];
    const django = runFixture<string[]>("check", cases);
    expect(django).toEqual(["accepted", "accepted", "accepted", "rejected 403", "rejected 403", "rejected 403"]);
    const config = csrfConfig({ trustedOrigins: ["https://app.test"] });
    const ours = await Promise.all(
      cases.map(async (c) => {
        const headers: Record<string, string> = { cookie: `csrftoken=${c.cookie}` };
        if (c.header) headers["x-csrftoken"] = c.header;
        if (c.referer) headers.referer = c.referer;
        const init: RequestInit = c.form
          ? { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: `csrfmiddlewaretoken=${c.form}` }
          : { method: "POST", headers };
        return (await csrfReason(new Request(c.url, init), config)) === null ? "accepted" : "rejected 403";
      }),
    );
    expect(ours).toEqual(django);
  });
});
