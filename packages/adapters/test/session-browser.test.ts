/**
 * Session authentication in a REAL browser (Chromium through playwright-core): an example page served by a Hono
 * app on Node logs in through an HTML form; a script's `fetch` POST with `X-CSRFToken` succeeds, and the same POST
 * without the header, with a wrong token, from another origin (a second loopback port) and after logout is refused
 * with Django's reason; the session cookie is never readable from `document.cookie`.
 */
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { hashPassword, tokenAuth } from "@portcullis/core";
import { csrfToken, sessionAuth } from "@portcullis/core/sessions";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSessionEndpoints, routePolicies } from "../src/hono.js";
import { CHROMIUM, chromiumAvailable } from "./_chromium.js";

const available = chromiumAvailable();

async function listen(app: Hono): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({ server, origin: `http://127.0.0.1:${info.port}` }),
    );
  });
}

/** The example app: a login form, a page for logged-in users, and a JSON API behind Token then Session. */
async function exampleApp() {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword("pw-alice", { iterations: 1000 }) });
  const policy = routePolicies({ schemes: [tokenAuth({ store }), sessionAuth({ sessions: store })] });
  const app = new Hono();
  mountSessionEndpoints(app, { store, redirects: { login: "/app" } });
  app.get("/login", (c) => {
    const { token, setCookie } = csrfToken(c.req.raw);
    c.header("Set-Cookie", setCookie, { append: true });
    return c.html(`<form method="post" action="/api/auth/login/">
      <input type="hidden" name="csrfmiddlewaretoken" value="${token}">
      <input name="username"><input name="password" type="password"><button type="submit">Log in</button></form>`);
  });
  app.get("/app", policy(), (c) => c.html(`<h1 id="who">${c.var.user.username}</h1>`));
  app.post("/api/notes", policy(), (c) => c.json({ saved: true, by: c.var.user.username }));
  return app;
}

/** The attacker's page on another origin: a form that posts to the API as soon as it loads. */
function attackerApp(target: string): Hono {
  const app = new Hono();
  app.get("/", (c) =>
    c.html(`<form id="f" method="post" action="${target}/api/notes"><input name="csrfmiddlewaretoken" value="${"a".repeat(64)}"></form>
      <script>document.getElementById("f").submit()</script>`),
  );
  return app;
}

/** In the page: Django's documented pattern, the token read from the `csrftoken` cookie into `X-CSRFToken`. */
const POST_NOTE = async ({ path, token }: { path: string; token: string | null }) => {
  const fromCookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.slice("csrftoken=".length);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== null) headers["X-CSRFToken"] = token === "cookie" ? (fromCookie ?? "") : token;
  const response = await fetch(path, { method: "POST", headers, body: "{}" });
  return { status: response.status, body: await response.text() };
};

describe.skipIf(!available)("session login and CSRF in Chromium", () => {
  let browser: Browser;
  let site: { server: ServerType; origin: string };
  let evil: { server: ServerType; origin: string };

  beforeAll(async () => {
    site = await listen(await exampleApp());
    evil = await listen(attackerApp(site.origin));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    evil?.server.close();
  });

  it("logs in through the form, then only same-origin requests with the token pass", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.origin}/login`);
    await page.fill("input[name=username]", "alice");
    await page.fill("input[name=password]", "pw-alice");
    await Promise.all([page.waitForURL(`${site.origin}/app`), page.click("button[type=submit]")]);
    expect(await page.textContent("#who")).toBe("alice");

    const visible = await page.evaluate(() => document.cookie);
    expect(visible).toMatch(/csrftoken=[a-zA-Z0-9]{32}/);
    expect(visible).not.toContain("sessionid");
    const sessionCookie = (await context.cookies()).find((c) => c.name === "sessionid");
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });

    expect(await page.evaluate(POST_NOTE, { path: "/api/notes", token: "cookie" })).toEqual({ status: 200, body: '{"saved":true,"by":"alice"}' });
    expect(await page.evaluate(POST_NOTE, { path: "/api/notes", token: null })).toEqual({ status: 403, body: '{"detail":"CSRF Failed: CSRF token missing."}' });
    const wrong = await page.evaluate(POST_NOTE, { path: "/api/notes", token: "b".repeat(64) });
    expect(wrong).toEqual({ status: 403, body: `{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."}` });

    const attacker = await context.newPage();
    const response = attacker.waitForResponse(`${site.origin}/api/notes`);
    await attacker.goto(`${evil.origin}/`);
    const refused = await response;
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toEqual({ detail: `CSRF Failed: Origin checking failed - ${evil.origin} does not match any trusted origins.` });

    const logout = await page.evaluate(async () => {
      const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.slice(10) ?? "";
      return (await fetch("/api/auth/logout/", { method: "POST", headers: { "X-CSRFToken": token } })).status;
    });
    expect(logout).toBe(204);
    expect((await context.cookies()).find((c) => c.name === "sessionid")).toBeUndefined();
    const after = await page.evaluate(POST_NOTE, { path: "/api/notes", token: "cookie" });
    expect(after).toEqual({ status: 401, body: '{"detail":"Authentication credentials were not provided."}' });

    // The old session cookie, put back by hand, no longer opens anything: logout deleted the session.
    await context.addCookies([{ ...(sessionCookie as NonNullable<typeof sessionCookie>), expires: -1 }]);
    expect((await context.cookies()).find((c) => c.name === "sessionid")?.value).toBe(sessionCookie?.value);
    expect(await page.evaluate(POST_NOTE, { path: "/api/notes", token: "cookie" })).toMatchObject({ status: 401 });
    await context.close();
  });
});
