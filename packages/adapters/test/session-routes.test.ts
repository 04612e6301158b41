import { hashPassword, type UserStore } from "@portcullis/core";
import { sessionAuth } from "@portcullis/core/sessions";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mountSessionEndpoints, routePolicies } from "../src/hono.js";

async function app() {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
  const policy = routePolicies({ schemes: [sessionAuth({ sessions: store })] });
  const hono = new Hono();
  mountSessionEndpoints(hono, { store, bruteForce: false });
  hono.post("/api/notes", policy(), (c) => c.json({ by: c.var.user.username }));
  return hono;
}

describe("mountSessionEndpoints", () => {
  it("GET csrf sets the cookie and answers a masked token; login, a CSRF-checked POST, logout", async () => {
    const hono = await app();
    const csrf = await hono.request("http://app.test/api/auth/csrf/");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers.getSetCookie()[0]?.split(";")[0] as string;
    expect(csrfToken).toMatch(/^[a-zA-Z0-9]{64}$/);
    const login = await hono.request("http://app.test/api/auth/login/", {
      method: "POST",
      headers: { cookie: csrfCookie, "x-csrftoken": csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: "pw-alice" }),
    });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
    const token = ((await login.json()) as { csrfToken: string }).csrfToken;
    const denied = await hono.request("http://app.test/api/notes", { method: "POST", headers: { cookie: cookies } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ detail: "CSRF Failed: CSRF token missing." });
    const stale = await hono.request("http://app.test/api/notes", { method: "POST", headers: { cookie: cookies, "x-csrftoken": csrfToken } });
    expect(stale.status).toBe(403); // the login rotated the CSRF secret
    const ok = await hono.request("http://app.test/api/notes", { method: "POST", headers: { cookie: cookies, "x-csrftoken": token } });
    expect(await ok.json()).toEqual({ by: "alice" });
    const logout = await hono.request("http://app.test/api/auth/logout/", { method: "POST", headers: { cookie: cookies, "x-csrftoken": token } });
    expect(logout.status).toBe(204);
    const after = await hono.request("http://app.test/api/notes", { method: "POST", headers: { cookie: cookies, "x-csrftoken": token } });
    expect(after.status).toBe(403);
    expect(await after.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect((await hono.request("http://app.test/api/auth/login/")).status).toBe(405);
  });

  it("answers other methods with 405, DRF's body and Allow, on every endpoint (the CSRF one too)", async () => {
    const hono = await app();
    const cases: [string, string, string][] = [
      ["/api/auth/login/", "GET", "POST, OPTIONS"],
      ["/api/auth/login/", "PUT", "POST, OPTIONS"],
      ["/api/auth/logout/", "DELETE", "POST, OPTIONS"],
      ["/api/auth/csrf/", "POST", "GET, HEAD, OPTIONS"],
      ["/api/auth/csrf/", "PUT", "GET, HEAD, OPTIONS"],
    ];
    for (const [path, method, allow] of cases) {
      const response = await hono.request(`http://app.test${path}`, { method });
      expect([path, method, response.status, response.headers.get("allow"), await response.json()]).toEqual([path, method, 405, allow, { detail: `Method "${method}" not allowed.` }]);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect((await hono.request("http://app.test/api/auth/csrf/", { method: "HEAD" })).status).toBe(200);
  });

  it("needs a session store unless `django` is given (a type error, and a ConfigError at mount time)", async () => {
    const store = memoryStore();
    const usersOnly: UserStore = {
      createUser: (user) => store.createUser(user),
      getUserByUsername: (username) => store.getUserByUsername(username),
      getUserById: (id) => store.getUserById(id),
      setPasswordHash: (id, hash) => store.setPasswordHash(id, hash),
    };
    // @ts-expect-error -- no sessions and no `django`: Portcullis's sessions need a SessionStore
    expect(() => mountSessionEndpoints(new Hono(), { store: usersOnly })).toThrow(/store/);
  });
});
