import { describe, expect, it } from "vitest";
import { compat } from "../compat/index.js";
import { ConfigError } from "../errors.js";
import { parseCookieHeader } from "./cookies.js";
import { csrfConfig, csrfReason } from "./csrf-check.js";
import { csrfTokenMatches, maskCsrfSecret, newCsrfSecret, unmaskCsrfToken } from "./csrf-token.js";

const secret = newCsrfSecret();
const config = csrfConfig({ trustedOrigins: ["https://trusted.example", "https://*.example.com"] });

function post(url: string, headers: Record<string, string>, body?: BodyInit): Request {
  return new Request(url, { method: "POST", headers, body });
}

describe("CSRF tokens", () => {
  it("masks with a fresh mask each time, and unmasking round-trips", () => {
    const [a, b] = [maskCsrfSecret(secret), maskCsrfSecret(secret)];
    expect(a).toMatch(/^[a-zA-Z0-9]{64}$/);
    expect(a).not.toBe(b);
    expect(unmaskCsrfToken(a)).toBe(secret);
    expect(csrfTokenMatches(b, secret)).toBe(true);
    expect(csrfTokenMatches(secret, secret)).toBe(true);
    expect(csrfTokenMatches(maskCsrfSecret(newCsrfSecret()), secret)).toBe(false);
  });
});

describe("csrfReason: Django's checks and reasons, in Django's order", () => {
  const cookie = `csrftoken=${secret}`;
  const good = maskCsrfSecret(secret);
  const cases: [string, Request, string | null][] = [
    ["safe method", new Request("https://api.test/x", { headers: { origin: "https://evil.test" } }), null],
    ["same origin with header", post("http://api.test/x", { origin: "http://api.test", cookie, "x-csrftoken": good }), null],
    ["plain 32-char header token", post("http://api.test/x", { cookie, "x-csrftoken": secret }), null],
    ["Django 3.2 masked cookie", post("http://api.test/x", { cookie: `csrftoken=${maskCsrfSecret(secret)}`, "x-csrftoken": good }), null],
    ["cross origin", post("http://api.test/x", { origin: "http://evil.test", cookie, "x-csrftoken": good }), "Origin checking failed - http://evil.test does not match any trusted origins."],
    ["null origin", post("http://api.test/x", { origin: "null", cookie, "x-csrftoken": good }), "Origin checking failed - null does not match any trusted origins."],
    ["scheme mismatch", post("https://api.test/x", { origin: "http://api.test", cookie, "x-csrftoken": good }), "Origin checking failed - http://api.test does not match any trusted origins."],
    ["trusted exact", post("https://api.test/x", { origin: "https://trusted.example", cookie, "x-csrftoken": good }), null],
    ["trusted wildcard", post("https://api.test/x", { origin: "https://a.b.example.com", cookie, "x-csrftoken": good }), null],
    ["wildcard apex", post("https://api.test/x", { origin: "https://example.com", cookie, "x-csrftoken": good }), null],
    ["wildcard is per scheme", post("https://api.test/x", { origin: "http://a.example.com", cookie, "x-csrftoken": good }), "Origin checking failed - http://a.example.com does not match any trusted origins."],
    ["suffix trick", post("https://api.test/x", { origin: "https://evilexample.com", cookie, "x-csrftoken": good }), "Origin checking failed - https://evilexample.com does not match any trusted origins."],
    ["https without origin or referer", post("https://api.test/x", { cookie, "x-csrftoken": good }), "Referer checking failed - no Referer."],
    ["malformed referer", post("https://api.test/x", { referer: "nonsense", cookie, "x-csrftoken": good }), "Referer checking failed - Referer is malformed."],
    ["insecure referer", post("https://api.test/x", { referer: "http://api.test/page", cookie, "x-csrftoken": good }), "Referer checking failed - Referer is insecure while host is secure."],
    ["foreign referer", post("https://api.test/x", { referer: "https://evil.test/p?", cookie, "x-csrftoken": good }), "Referer checking failed - https://evil.test/p does not match any trusted origins."],
    ["same-host referer", post("https://api.test/x", { referer: "https://api.test/page", cookie, "x-csrftoken": good }), null],
    ["trusted referer", post("https://api.test/x", { referer: "https://x.example.com/", cookie, "x-csrftoken": good }), null],
    ["no cookie", post("http://api.test/x", { "x-csrftoken": good }), "CSRF cookie not set."],
    ["short cookie", post("http://api.test/x", { cookie: "csrftoken=abc", "x-csrftoken": good }), "CSRF cookie has incorrect length."],
    ["bad cookie chars", post("http://api.test/x", { cookie: `csrftoken=${"!".repeat(32)}`, "x-csrftoken": good }), "CSRF cookie has invalid characters."],
    ["no token", post("http://api.test/x", { cookie }), "CSRF token missing."],
    ["empty header", post("http://api.test/x", { cookie, "x-csrftoken": "" }), "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."],
    ["bad header chars", post("http://api.test/x", { cookie, "x-csrftoken": `${good.slice(0, 63)}-` }), "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."],
    ["wrong token", post("http://api.test/x", { cookie, "x-csrftoken": maskCsrfSecret(newCsrfSecret()) }), "CSRF token from the 'X-Csrftoken' HTTP header incorrect."],
    ["the cookie itself is not a token of another secret", post("http://api.test/x", { cookie, "x-csrftoken": newCsrfSecret() }), "CSRF token from the 'X-Csrftoken' HTTP header incorrect."],
    ["form field", post("http://api.test/x", { cookie, "content-type": "application/x-www-form-urlencoded" }, `a=1&csrfmiddlewaretoken=${good}`), null],
    ["wrong form field beats a good header", post("http://api.test/x", { cookie, "content-type": "application/x-www-form-urlencoded", "x-csrftoken": good }, "csrfmiddlewaretoken=x"), "CSRF token from POST has incorrect length."],
    ["empty form field falls back to the header", post("http://api.test/x", { cookie, "content-type": "application/x-www-form-urlencoded", "x-csrftoken": good }, "csrfmiddlewaretoken="), null],
    ["a JSON body field is never read", post("http://api.test/x", { cookie, "content-type": "application/json" }, JSON.stringify({ csrfmiddlewaretoken: good })), "CSRF token missing."],
    ["PUT never reads the form", new Request("http://api.test/x", { method: "PUT", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: `csrfmiddlewaretoken=${good}` }), "CSRF token missing."],
  ];
  for (const [name, request, reason] of cases) {
    it(name, async () => {
      expect(await csrfReason(request, config)).toBe(reason);
    });
  }

  it("reads a multipart field, and leaves the body readable for the handler", async () => {
    const form = new FormData();
    form.set("csrfmiddlewaretoken", good);
    form.set("title", "hello");
    const request = new Request("http://api.test/x", { method: "POST", headers: { cookie }, body: form });
    expect(await csrfReason(request, config)).toBeNull();
    expect((await request.formData()).get("title")).toBe("hello");
  });

  it("honours CSRF_COOKIE_DOMAIN for the Referer check, with a non-standard port", async () => {
    const withDomain = csrfConfig({ cookieDomain: ".example.org" });
    const ok = post("https://api.example.org:8443/x", { referer: "https://www.example.org:8443/p", cookie, "x-csrftoken": good });
    expect(await csrfReason(ok, withDomain)).toBeNull();
    const bad = post("https://api.example.org/x", { referer: "https://www.example.org:8443/p", cookie, "x-csrftoken": good });
    expect(await csrfReason(bad, withDomain)).toBe("Referer checking failed - https://www.example.org:8443/p does not match any trusted origins.");
  });

  it("names a custom header as Django does, and refuses trusted origins without a scheme", async () => {
    const custom = csrfConfig({ headerName: "X-XSRF-TOKEN", cookieName: "XSRF-TOKEN" });
    const request = post("http://api.test/x", { cookie: `XSRF-TOKEN=${secret}`, "x-xsrf-token": "short" });
    expect(await csrfReason(request, custom)).toBe("CSRF token from the 'X-Xsrf-Token' HTTP header has incorrect length.");
    expect(() => csrfConfig({ trustedOrigins: ["example.com"] })).toThrow(ConfigError);
    expect(() => csrfConfig({ trustedOrigins: ["example.com"] })).toThrow(/csrf.trustedOrigins/);
  });
});

describe("parseCookieHeader (Django's parse_cookie)", () => {
  it("splits, strips, unquotes, and lets the last repeated name win", () => {
    const cookies = parseCookieHeader(' a = 1 ; b="x\\"y\\101"; novalue; a=2; =e');
    expect(cookies.get("a")).toBe("2");
    expect(cookies.get("b")).toBe('x"yA');
    expect(cookies.get("")).toBe("e");
  });
});

describe("csrfReason per Django release (csrf.compat)", () => {
  const django32 = csrfConfig({ compat: compat({ django: "3.2" }) });
  const django40 = csrfConfig({ compat: compat({ django: "4.0" }) });
  const cookie = `csrftoken=${secret}`;
  const good = maskCsrfSecret(secret);
  it.each([
    ["token absent", { cookie }, "CSRF token missing.", "CSRF token missing or incorrect."],
    ["token wrong", { cookie, "x-csrftoken": maskCsrfSecret(newCsrfSecret()) }, "CSRF token from the 'X-Csrftoken' HTTP header incorrect.", "CSRF token missing or incorrect."],
    ["token short", { cookie, "x-csrftoken": "abc" }, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.", "CSRF token missing or incorrect."],
    ["cookie malformed", { cookie: "csrftoken=abc", "x-csrftoken": good }, "CSRF cookie has incorrect length.", "CSRF token missing or incorrect."],
    ["cookie absent", { "x-csrftoken": good }, "CSRF cookie not set.", "CSRF cookie not set."],
    ["good", { cookie, "x-csrftoken": good }, null, null],
  ])("%s: 4.0+ says %j, 3.2 says %j", async (_, headers, modern, old) => {
    expect(await csrfReason(post("http://api.test/x", headers), django40)).toBe(modern);
    expect(await csrfReason(post("http://api.test/x", headers), django32)).toBe(old);
  });

  it("3.2 checks the Referer on HTTPS even with a good Origin; Portcullis still refuses a foreign Origin on 3.2", async () => {
    const https = (headers: Record<string, string>) => post("https://api.test/x", { cookie, "x-csrftoken": good, ...headers });
    expect(await csrfReason(https({ origin: "https://api.test" }), django40)).toBeNull();
    expect(await csrfReason(https({ origin: "https://api.test" }), django32)).toBe("Referer checking failed - no Referer.");
    expect(await csrfReason(https({ origin: "https://api.test", referer: "https://api.test/page" }), django32)).toBeNull();
    expect(await csrfReason(https({ origin: "https://evil.test", referer: "https://api.test/page" }), django32)).toBe(
      "Origin checking failed - https://evil.test does not match any trusted origins.",
    );
  });

  it("refuses a compat not built by compat()", () => {
    expect(() => csrfConfig({ compat: { django: "3.2" } as never })).toThrow(ConfigError);
  });
});
