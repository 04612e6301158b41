/**
 * CSRF failure reasons against Django's own `CsrfViewMiddleware` on both stacks, Portcullis stating the matching
 * `compat()` (`csrf.compat`): Django 3.2's one generic reason and its Referer rule, 4.0+'s specific reasons. The
 * one deliberate difference (Portcullis checks `Origin` on 3.2 too) is asserted as a difference.
 */
import { describe, expect, it } from "vitest";
import { csrfConfig, csrfReason, maskCsrfSecret, newCsrfSecret } from "../src/sessions/index.js";
import { stackCompat } from "./_compat.js";
import { djangoStacks, runPython } from "./_stacks.js";

const SCRIPT = new URL("./django/csrf_reasons.py", import.meta.url).pathname;
const secret = newCsrfSecret();
const good = maskCsrfSecret(secret);

interface Case {
  readonly url: string;
  readonly cookie?: string;
  readonly header?: string;
  readonly form?: string;
  readonly origin?: string;
  readonly referer?: string;
}

const same: [string, Case][] = [
  ["no cookie", { url: "http://app.test/", header: good }],
  ["no token", { url: "http://app.test/", cookie: secret }],
  ["a wrong header token", { url: "http://app.test/", cookie: secret, header: maskCsrfSecret(newCsrfSecret()) }],
  ["a wrong form token", { url: "http://app.test/", cookie: secret, form: maskCsrfSecret(newCsrfSecret()) }],
  ["a short header token", { url: "http://app.test/", cookie: secret, header: "abc" }],
  ["a token with bad characters", { url: "http://app.test/", cookie: secret, header: "!".repeat(64) }],
  ["a good header token", { url: "http://app.test/", cookie: secret, header: good }],
  ["a good form token", { url: "http://app.test/", cookie: secret, form: good }],
  ["HTTPS without a Referer", { url: "https://app.test/", cookie: secret, header: good }],
  ["HTTPS with an insecure Referer", { url: "https://app.test/", cookie: secret, header: good, referer: "http://app.test/" }],
  ["HTTPS with a foreign Referer", { url: "https://app.test/", cookie: secret, header: good, referer: "https://evil.test/" }],
  ["HTTPS with a good Referer", { url: "https://app.test/", cookie: secret, header: good, referer: "https://app.test/page" }],
  ["HTTPS, same Origin, no Referer", { url: "https://app.test/", cookie: secret, header: good, origin: "https://app.test" }],
];
/** Django 3.2 ignores Origin; Portcullis refuses an untrusted one whatever the release. */
const foreignOrigin: Case = { url: "http://app.test/", cookie: secret, header: good, origin: "http://evil.test" };

describe.each(djangoStacks([], "the CSRF reason parity").map((stack) => [stack.name, stack] as const))("CSRF reasons, %s stack", (_name, stack) => {
  const config = csrfConfig({ trustedOrigins: ["https://app.test"], compat: stackCompat(stack) });
  const theirs = runPython<(string | null)[]>(stack, SCRIPT, [...same.map(([, c]) => c), foreignOrigin]);
  const ours = (c: Case) => {
    const headers: Record<string, string> = { host: "app.test" };
    if (c.cookie !== undefined) headers.cookie = `csrftoken=${c.cookie}`;
    if (c.header !== undefined) headers["x-csrftoken"] = c.header;
    if (c.origin !== undefined) headers.origin = c.origin;
    if (c.referer !== undefined) headers.referer = c.referer;
    if (c.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const body = c.form === undefined ? undefined : `csrfmiddlewaretoken=${c.form}`;
    return csrfReason(new Request(c.url, { method: "POST", headers, body }), config);
  };

  it.each(same.map(([name, c], index) => [name, c, index] as const))("%s: the same reason", async (_label, c, index) => {
    expect(await ours(c)).toBe(theirs[index]);
  });

  it("a foreign Origin: refused by Portcullis on every release; Django 3.2 lets it through to the token check", async () => {
    expect(await ours(foreignOrigin)).toBe("Origin checking failed - http://evil.test does not match any trusted origins.");
    expect(theirs[same.length]).toBe(stackCompat(stack).csrf === "3.2" ? null : "Origin checking failed - http://evil.test does not match any trusted origins.");
  });
});
