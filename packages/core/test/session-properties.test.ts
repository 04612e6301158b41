/**
 * Property-based tests (fast-check) of session authentication over arbitrary cookie headers, CSRF tokens and
 * Origin/Referer values: nothing throws, and a request is authenticated only when a reference model written here
 * (from Django's rules, not with the code under test) says it passes. The Python URL parser is compared with REAL
 * Python's `urllib.parse.urlparse` on generated values. `PORTCULLIS_FUZZ_RUNS` sets the total number of runs
 * (default 10,000); `PORTCULLIS_FUZZ_SEED` replays a seed.
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import { authenticate, hashPassword, type AnyScheme } from "@portcullis/core";
import { djangoSessionReader, maskCsrfSecret, newCsrfSecret, sessionAuth, sessionDigest, unmaskCsrfToken } from "@portcullis/core/sessions";
import { parsePyUrl } from "../src/internal/py-url.js";
import { djangoAvailable, PYTHON } from "./_django.js";

const TOTAL_RUNS = Number(process.env.PORTCULLIS_FUZZ_RUNS || 10_000);
const SEED = process.env.PORTCULLIS_FUZZ_SEED ? Number(process.env.PORTCULLIS_FUZZ_SEED) : undefined;
const TIMEOUT_MS = Math.max(60_000, TOTAL_RUNS * 20);

function runs<T>(fraction: number): fc.Parameters<T> {
  const numRuns = Math.max(1, Math.round(TOTAL_RUNS * fraction));
  return SEED === undefined ? { numRuns } : { numRuns, seed: SEED };
}

/** Header-safe text (what a `Headers` value can hold): latin-1 without controls other than tab. */
const headerText = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(9)).map((c) => String.fromCharCode(c)), maxLength: 80 });
const junkCookie = headerText.filter((s) => !/csrftoken|sessionid/.test(s));

const SECRET = newCsrfSecret();
const SESSION_KEY = "k".repeat(16) + "0123456789abcdef";
const HOST = "https://app.test";

/** CSRF values: derived from the session's secret (good), from another secret (bad), or junk. */
const csrfValue = fc.oneof(
  fc.constant({ value: SECRET, good: true }),
  fc.constant(null).map(() => ({ value: maskCsrfSecret(SECRET), good: true })),
  fc.constant(null).map(() => ({ value: maskCsrfSecret(newCsrfSecret()), good: false })),
  fc.stringMatching(/^[a-zA-Z0-9]{32}$/).map((value) => ({ value, good: value === SECRET })),
  headerText.map((value) => ({ value, good: false })),
);
const originValue = fc.oneof(fc.constant(null), fc.constant(HOST), fc.constant("https://app.test:443"), fc.constant("http://app.test"), fc.constant("https://evil.test"), fc.constant("null"), headerText);
const refererValue = fc.oneof(fc.constant(null), fc.constant(`${HOST}/page`), fc.constant("http://app.test/page"), fc.constant("https://app.test.evil/"), headerText);

/** The reference model: Django's rules for an HTTPS POST carrying a valid session. */
function expectedPass(origin: string | null, referer: string | null, cookie: { value: string; good: boolean } | null, header: { value: string; good: boolean } | null): boolean {
  if (origin !== null && origin !== HOST) return false;
  if (origin === null) {
    let host: string;
    try {
      const url = new URL(referer ?? "");
      if (url.protocol !== "https:" || !/^https:\/\/app\.test\//.test(referer ?? "")) return false;
      host = url.host;
    } catch {
      return false;
    }
    if (host !== "app.test") return false;
  }
  return cookie !== null && cookie.good && header !== null && header.good;
}

let scheme: AnyScheme;

beforeAll(async () => {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: await hashPassword("x", { iterations: 1000 }) });
  await store.createSession({ id: "s1", digest: sessionDigest(SESSION_KEY), userId: user.id, createdAt: 0, expiresAt: Number.MAX_SAFE_INTEGER });
  scheme = sessionAuth({ sessions: store });
});

describe("session authentication over arbitrary headers", () => {
  it("authenticates an unsafe request only when Django's rules pass it, and never throws", async () => {
    const seen = { authenticated: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(junkCookie, junkCookie, fc.option(csrfValue, { nil: null }), fc.option(csrfValue, { nil: null }), originValue, refererValue, fc.boolean(),
        async (before, after, cookie, header, origin, referer, sessionLast) => {
          const pairs = [before, cookie === null ? "" : `csrftoken=${cookie.value}`, `sessionid=${SESSION_KEY}`];
          if (sessionLast) pairs.push(after);
          else pairs.splice(1, 0, after);
          const headers = new Headers({ cookie: pairs.join(";") });
          if (header !== null) headers.set("x-csrftoken", header.value);
          if (origin !== null) headers.set("origin", origin);
          if (referer !== null) headers.set("referer", referer);
          const result = await authenticate(new Request(`${HOST}/x`, { method: "POST", headers }), [scheme]);
          // A cookie value with ';' or surrounding spaces is not the value Django reads: the model needs the exact pair.
          const cookieSeen = cookie !== null && !/[;"\t \xa0\x85]/.test(cookie.value) ? cookie : cookie === null ? null : { value: cookie.value, good: false };
          const headerSeen = header === null ? null : { value: header.value.trim(), good: header.good && header.value.trim() === header.value };
          const pass = expectedPass(origin === null ? null : origin.trim(), referer === null ? null : referer.trim(), cookieSeen, headerSeen);
          if (result.status === "authenticated") expect(pass).toBe(true);
          if (pass) expect(result.status).toBe("authenticated");
          if (result.status === "failed") expect(result.error.status).toBe(403);
          seen[result.status === "authenticated" ? "authenticated" : "failed"] += 1;
        }),
      runs(0.3),
    );
    // Not vacuous: both outcomes occur.
    expect(seen.authenticated).toBeGreaterThan(0);
    expect(seen.failed).toBeGreaterThan(0);
  }, TIMEOUT_MS);

  it("never authenticates an arbitrary session cookie, native or Django's signed_cookies, and never throws", async () => {
    const django = sessionAuth({
      django: djangoSessionReader({ secretKey: "k", backend: "signed_cookies", users: { getUserCredentialsById: async () => ({ user: { id: "1", username: "a", isActive: true, isStaff: false }, passwordHash: "x" }) } }),
    });
    await fc.assert(
      fc.asyncProperty(headerText, async (value) => {
        fc.pre(value.trim() !== SESSION_KEY);
        const request = new Request(`${HOST}/x`, { headers: new Headers({ cookie: `sessionid=${value}` }) });
        expect((await authenticate(request, [scheme])).status).toBe("anonymous");
        expect((await authenticate(request, [django])).status).toBe("anonymous");
      }),
      runs(0.2),
    );
  }, TIMEOUT_MS);

  it("masking round-trips for every secret", () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z0-9]{32}$/), (secret) => unmaskCsrfToken(maskCsrfSecret(secret)) === secret), runs(0.1));
  });
});

const python = djangoAvailable();

describe.skipIf(python === null)("parsePyUrl against real Python's urlparse", () => {
  it("agrees on scheme, netloc, geturl() and ValueError for generated Origin/Referer values", () => {
    const pieces = fc.constantFrom("https", "http", "HTTPS", "ftp", ":", "//", "/", "?", "#", ";", "[", "]", "@", "a.b", "app.test", ":8443", " ", "\t", "x", "\u00aa", "\uff03", "\u2100", "::", "::1", "1:2", ":ff", "%", "v1.", "1.2.3.4", "256", "01");
    const values = fc.sample(fc.oneof(fc.array(pieces, { maxLength: 12 }).map((p) => p.join("")), headerText), { numRuns: Math.max(200, Math.round(TOTAL_RUNS * 0.1)), seed: SEED });
    const script = `import json, sys
from urllib.parse import urlparse
out = []
for v in json.load(sys.stdin):
    try:
        p = urlparse(v); out.append([p.scheme, p.netloc, p.geturl()])
    except ValueError:
        out.append(None)
print(json.dumps(out))`;
    const expected = JSON.parse(execFileSync(PYTHON, ["-c", script], { input: JSON.stringify(values), encoding: "utf8" })) as ([string, string, string] | null)[];
    const mismatches = values
      .map((value, i) => ({ value, python: expected[i], ours: ((u) => (u === null ? null : [u.scheme, u.netloc, u.url]))(parsePyUrl(value)) }))
      .filter(({ python: p, ours }) => JSON.stringify(p) !== JSON.stringify(ours));
    expect(mismatches).toEqual([]);
  });
});
