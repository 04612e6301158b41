/**
 * `oauth2Auth` + `introspectionSource` in real workerd (Miniflare), from the built `@portcullis/core/oauth2`: the
 * Worker asks an RFC 7662 endpoint (a Node HTTP server on 127.0.0.1 standing in for DOT's `/o/introspect/`), so
 * `fetch` with a timeout signal and manual redirects, `btoa` and the bounded body read all run on Workers' runtime.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers, workspaceInputs, type WorkerBundle } from "../../adapters/test/_workerd.js";

const WORKER = `
import { guard, toResponse, errorToResponse } from "@portcullis/core";
import { introspectionSource, oauth2Auth, tokenHasScope } from "@portcullis/core/oauth2";
let check;
export default {
  async fetch(request, env) {
    check ??= guard({
      schemes: [oauth2Auth({ introspection: introspectionSource({ url: env.INTROSPECTION_URL, clientId: "rs", clientSecret: "s3cret", timeoutMs: 1000 }) })],
      permissions: [tokenHasScope(["read"])],
      onEvent: () => {},
    });
    try {
      const decision = await check(request);
      if (!decision.allowed) return toResponse(decision.error);
      return Response.json({ user: decision.user && decision.user.username, scope: decision.auth.scope });
    } catch (error) {
      return errorToResponse(error);
    }
  },
};
`;

let server: Server;
let mf: Miniflare;
let worker: WorkerBundle;
const authorizations: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      authorizations.push(req.headers.authorization ?? "");
      const token = new URLSearchParams(body).get("token");
      const answers: Record<string, [number, string]> = {
        good: [200, JSON.stringify({ active: true, scope: "read", exp: Math.floor(Date.now() / 1000) + 600, username: "alice" })],
        string: [200, '{"active":"true","scope":"read"}'],
        broken: [500, "oops"],
        moved: [302, '{"active":true}'],
      };
      const [status, answer] = answers[token ?? ""] ?? [200, '{"active":false}'];
      res.writeHead(status, { "Content-Type": "application/json", ...(status === 302 ? { Location: "http://127.0.0.1:1/" } : {}) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/o/introspect/`;
  const result = await build({
    stdin: { contents: WORKER, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"], // never `portcullis-source`: the built dist
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output");
  worker = { code: output.text, inputs: Object.keys(result.metafile.inputs) };
  mf = startWorkers({ oauth2: { code: worker.code, compatibilityDate: "2026-04-01", d1Databases: {}, bindings: { INTROSPECTION_URL: url } } });
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const call = (token: string) => mf.dispatchFetch("https://api.test/", { headers: { authorization: `Bearer ${token}` } });

describe("oauth2Auth with introspection in workerd", () => {
  it("bundles the built core", () => {
    const core = workspaceInputs(worker).core ?? [];
    expect(core).toContain("dist/oauth2/introspection.js");
    expect(core.filter((file) => !file.startsWith("dist/"))).toEqual([]);
  });

  it("active: 200; inactive: 401 with DOT's challenge; a string active, a 5xx, a redirect: 503", async () => {
    const good = await call("good");
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ user: "alice", scope: "read" });
    expect(authorizations[0]).toBe(`Basic ${btoa("rs:s3cret")}`);
    const inactive = await call("nope");
    expect(inactive.status).toBe(401);
    expect(inactive.headers.get("www-authenticate")).toBe('Bearer realm="api",error="invalid_token",error_description="The access token is invalid."');
    for (const token of ["string", "broken", "moved"]) {
      const response = await call(token);
      expect(response.status, token).toBe(503);
      await response.arrayBuffer();
    }
  });
});
