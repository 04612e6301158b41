/**
 * `jwtCookieAuth` on its three outcomes and the ways a request could get past it: the header wins over the cookie
 * (and a header of another scheme leaves the cookie unread, as dj-rest-auth), a cookie token must pass CSRF first,
 * and malformed cookies, refresh tokens and empty values are refused, never accepted.
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../passwords/index.js";
import { newCsrfSecret } from "../sessions/csrf-token.js";
import { jwtCookieAuth } from "./jwt-cookie-auth.js";
import { mintTokenPair } from "./mint.js";
import { jwtSettings } from "./settings.js";

const jwt = jwtSettings({ signingKey: "jwt-cookie-auth-test-secret-0123456789abcdefghijklmnopqrstuvwxyz" });

async function setup(options: { useCsrf?: boolean; enforceCsrfOnUnauthenticated?: boolean } = {}) {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: await hashPassword("pw", { iterations: 1000 }) });
  const { access, refresh } = await mintTokenPair(jwt, { id: user.id });
  const scheme = jwtCookieAuth({ jwt, users: store, cookies: { accessCookie: "auth", ...options } });
  const run = (headers: Record<string, string>, method = "GET") => scheme.authenticate(new Request("http://api.test/x", { method, headers }), {});
  return { access: access.token, refresh: refresh.token, run, scheme };
}

describe("jwtCookieAuth", () => {
  it("reads the header first, then the cookie; no cookie and no header is not this scheme's", async () => {
    const { access, run, scheme } = await setup();
    expect((await run({})).type).toBe("skip");
    expect((await run({ cookie: `auth=${access}` })).type).toBe("success");
    expect((await run({ authorization: `Bearer ${access}`, cookie: "auth=garbage" })).type).toBe("success");
    expect(await run({ authorization: "Bearer garbage", cookie: `auth=${access}` })).toMatchObject({ type: "failure", code: "token_not_valid" });
    // dj-rest-auth: a header of another scheme means the cookie is not read at all.
    expect((await run({ authorization: `Token ${"a".repeat(40)}`, cookie: `auth=${access}` })).type).toBe("skip");
    expect(scheme.challenge?.(new Request("http://api.test/"))).toBe('Bearer realm="api"');
  });

  it("a cookie token on an unsafe method passes Django's CSRF check first; a header token never needs it", async () => {
    const { access, run } = await setup();
    expect(await run({ cookie: `auth=${access}` }, "POST")).toMatchObject({ type: "failure", detail: "CSRF Failed: CSRF cookie not set.", error: { status: 403 } });
    const secret = newCsrfSecret();
    expect((await run({ cookie: `auth=${access}; csrftoken=${secret}`, "x-csrftoken": secret }, "POST")).type).toBe("success");
    expect(await run({ cookie: `auth=${access}; csrftoken=${secret}`, "x-csrftoken": secret, origin: "https://evil.example" }, "POST")).toMatchObject({ type: "failure" });
    expect((await run({ authorization: `Bearer ${access}` }, "POST")).type).toBe("success");
  });

  it.each([
    ["an empty cookie", "auth="],
    ["a quoted empty cookie", 'auth=""'],
    ["garbage", "auth=not.a.jwt"],
    ["a token with a space", "auth=a b"],
    ["the token twice", "auth=x; auth=y"],
  ])("refuses %s (never a pass)", async (_name, cookie) => {
    const { run } = await setup();
    expect((await run({ cookie })).type).toBe("failure");
  });

  it("refuses a refresh token in the access cookie", async () => {
    const { refresh, run } = await setup();
    expect(await run({ cookie: `auth=${refresh}` })).toMatchObject({ type: "failure", code: "token_not_valid" });
  });

  it("with useCsrf off, a cookie token is not CSRF-checked (dj-rest-auth's default); enforceCsrfOnUnauthenticated checks even without one", async () => {
    const off = await setup({ useCsrf: false });
    expect((await off.run({ cookie: `auth=${off.access}` }, "POST")).type).toBe("success");
    const strict = await setup({ enforceCsrfOnUnauthenticated: true });
    expect(await strict.run({}, "POST")).toMatchObject({ type: "failure", detail: "CSRF Failed: CSRF cookie not set." });
    expect((await strict.run({}, "GET")).type).toBe("skip");
  });
});
