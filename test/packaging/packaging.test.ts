/**
 * The packages as an outside npm user gets them: `pnpm pack` of every package, `npm install` of the tarballs (and
 * the registry for third-party dependencies) into a new project outside the workspace with vitest 3 and the latest
 * TypeScript, then: no ERESOLVE and no npm warning; no test file in a tarball and every file the manifests name
 * present; a typecheck under moduleResolution "bundler" and "nodenext" with skipLibCheck false; the conformance
 * suites of @portcullis/testing under vitest 3; a Node server (Hono, Express, Fastify and Koa through
 * `@portcullis/adapters/node`, the Next.js route-handler form) answering real requests; the CLI's `--help`. Needs the built `dist` (`pnpm build`) and the npm registry.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const PACKAGES = ["core", "testing", "adapters", "store-memory", "store-d1", "store-postgres", "store-redis", "store-durable-object", "cli"];
const project = mkdtempSync(join(tmpdir(), "portcullis-packed-"));
const tarballs = join(project, "tarballs");

/** Runs a command to completion; answers its output, throwing with it on a non-zero exit. */
function run(command: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false", NO_COLOR: "1", FORCE_COLOR: "0" } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** A GET from a chosen local address (fetch cannot pick one). */
function get(port: number, path: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolveAnswer, reject) => {
    const req = request({ host: "127.0.0.1", port, path, localAddress, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolveAnswer({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const tarballOf = (name: string) => join(tarballs, `portcullis-${name}-0.1.0.tgz`);
let install = { stdout: "", stderr: "" };

beforeAll(() => {
  for (const name of PACKAGES) {
    if (!existsSync(join(root, "packages", name, "dist"))) throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
    run("npx", ["-y", "pnpm@12.4.2", "pack", "--pack-destination", tarballs], join(root, "packages", name));
  }
  const dependency = (name: string) => [`@portcullis/${name}`, `file:${tarballOf(name)}`];
  const manifest = {
    name: "outside-project",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(PACKAGES.map(dependency)),
      "@hono/node-server": "^2.0.0",
      express: "^5.0.0",
      fastify: "^5.0.0",
      hono: "^4.0.0",
      koa: "^3.0.0",
    },
    devDependencies: {
      "@cloudflare/workers-types": "^4.0.0",
      "@types/express": "^5.0.0",
      "@types/koa": "^3.0.0",
      "@types/node": "^24.0.0",
      typescript: "latest",
      vitest: "^3.0.0",
    },
    // the packages' own `@portcullis/*` ranges resolve to these tarballs, never to the registry
    overrides: Object.fromEntries(PACKAGES.map((name) => [`@portcullis/${name}`, `$@portcullis/${name}`])),
  };
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));
  for (const file of ["server.ts", "routes.ts", "koa.ts", "entry-points.ts", "workers.ts"]) copyFileSync(join(here, "outside", file), join(project, file));
  copyFileSync(join(here, "outside", "conformance.ts"), join(project, "conformance.test.ts"));
  const base = { strict: true, skipLibCheck: false, target: "ES2022", lib: ["ES2022"], types: ["node"], noEmit: true, verbatimModuleSyntax: true };
  const node = ["server.ts", "routes.ts", "entry-points.ts", "conformance.test.ts"];
  const tsconfig = (options: object, include = node) => JSON.stringify({ compilerOptions: { ...base, ...options }, include });
  writeFileSync(join(project, "tsconfig.bundler.json"), tsconfig({ module: "ESNext", moduleResolution: "bundler" }));
  writeFileSync(join(project, "tsconfig.nodenext.json"), tsconfig({ module: "NodeNext", moduleResolution: "NodeNext" }));
  const workers = { module: "ESNext", moduleResolution: "bundler", types: ["@cloudflare/workers-types"] };
  writeFileSync(join(project, "tsconfig.workers.json"), tsconfig(workers, ["workers.ts"]));
  // koa.ts with skipLibCheck: @types/koa 3 does not compile beside Express 5's content-disposition (see koa.ts)
  const nodenext = { module: "NodeNext", moduleResolution: "NodeNext" };
  writeFileSync(join(project, "tsconfig.koa.json"), tsconfig({ ...nodenext, skipLibCheck: true }, ["koa.ts"]));
  const build = { ...nodenext, skipLibCheck: true, noEmit: false, outDir: "out", rewriteRelativeImportExtensions: true };
  writeFileSync(join(project, "tsconfig.build.json"), tsconfig(build, [...node, "koa.ts"]));
  install = run("npm", ["install", "--no-audit", "--no-fund"], project);
}, 600_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the packed packages, installed with npm into an outside project", () => {
  it("install with no ERESOLVE and no warning", () => {
    const output = `${install.stdout}\n${install.stderr}`;
    expect(output).not.toMatch(/ERESOLVE/);
    // npm 11 lists every dependency with an install script not yet approved (esbuild, through vitest 3): about
    // the project's own policy, not about these packages
    // and an engine warning about a third-party package (cookie 2, through Fastify's light-my-request, asks for
    // Node 22 while Node 20 runs here) is the frameworks' business: one about a Portcullis package still fails
    expect(output).not.toMatch(/EBADENGINE\s+package: '@portcullis\//);
    const warnings = output.split("\n").filter((line) => /\bwarn/i.test(line) && !/^npm warn (install-scripts|EBADENGINE)/.test(line));
    expect(warnings).toEqual([]);
  });

  it("ship no test and every file their manifests name, and say MIT with a LICENSE", () => {
    for (const name of PACKAGES) {
      const files = run("tar", ["tzf", tarballOf(name)], project).stdout.split("\n").filter(Boolean);
      expect(files.filter((file) => /\.test\.|\/test\//.test(file)), name).toEqual([]);
      expect(files, name).toContain("package/LICENSE");
      const dir = join(project, "node_modules", "@portcullis", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        license: string;
        exports: Record<string, string | Record<string, string>>;
        main?: string;
        types?: string;
        bin?: Record<string, string>;
      };
      expect(manifest.license).toBe("MIT");
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (typeof target === "string") continue; // a pattern such as ./migrations/*
        expect(Object.keys(target), `${name} ${subpath}`).toEqual(["types", "default"]);
        for (const file of Object.values(target)) expect(existsSync(join(dir, file)), `${name} ${file}`).toBe(true);
      }
      for (const file of [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})]) {
        if (file !== undefined) expect(existsSync(join(dir, file)), `${name} ${file}`).toBe(true);
      }
      // declaration maps point at sources that ship
      const maps = files.filter((file) => file.endsWith(".d.ts.map"));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(dir, map.slice("package/".length)), "utf8")) as { sources: string[] };
        for (const source of sources) expect(existsSync(resolve(dirname(join(dir, map.slice(8))), source)), `${map} -> ${source}`).toBe(true);
      }
    }
  });

  it("installs no vitest, Miniflare or workerd for a user of core and the CLI", () => {
    const core = JSON.parse(readFileSync(join(project, "node_modules/@portcullis/core/package.json"), "utf8")) as object;
    expect(JSON.stringify(core)).not.toMatch(/vitest/);
    const names = readdirSync(join(project, "node_modules"));
    expect(names).not.toContain("miniflare");
    expect(names).not.toContain("workerd");
  });

  it.each(["bundler", "nodenext", "workers", "koa"])('typechecks (%s) with skipLibCheck false (but koa)', (mode) => {
    run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", `tsconfig.${mode}.json`], project);
  });

  it("runs @portcullis/testing's conformance suites under vitest 3", () => {
    const { stdout } = run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--reporter=dot"], project);
    expect(stdout).toMatch(/Tests\s+\d+ passed/);
    expect(run(process.execPath, ["node_modules/vitest/vitest.mjs", "--version"], project).stdout).toMatch(/^vitest\/3\./);
  }, 120_000);

  it("serves real requests from Node: Hono; Express through the fetch adapter; Express, Fastify, Koa through the node adapter", async () => {
    run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], project);
    const children = ["out/server.js", "out/koa.js"].map((file) => spawn(process.execPath, [file], { cwd: project, stdio: ["ignore", "pipe", "inherit"] }));
    try {
      const lines = await Promise.all(
        children.map(
          (child) =>
            new Promise<string>((resolveLine, reject) => {
              child.stdout.once("data", (chunk: Buffer) => resolveLine(chunk.toString()));
              child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
            }),
        ),
      );
      const ports = Object.assign({}, ...lines.map((line) => JSON.parse(line) as object)) as Record<"hono" | "express" | "fastify" | "koa", number>;
      const hono = `http://127.0.0.1:${ports.hono}`;
      const login = await fetch(`${hono}/api-token-auth/`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "alice", password: "correct horse battery staple" }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const me = await fetch(`${hono}/api/me`, { headers: { Authorization: `Token ${token}` } });
      expect([me.status, await me.json()]).toEqual([200, { username: "alice" }]);
      const anonymous = await fetch(`${hono}/api/me`);
      expect([anonymous.status, anonymous.headers.get("WWW-Authenticate")]).toEqual([401, "Token"]);
      const forged = await fetch(`${hono}/api/me`, { headers: { Authorization: `Token ${"0".repeat(40)}` } });
      expect(forged.status).toBe(401);

      const express = `http://127.0.0.1:${ports.express}`;
      expect(await (await fetch(`${express}/healthz`)).text()).toBe("ok");
      const viaExpress = await fetch(`${express}/api/me`, { headers: { Authorization: `Token ${token}` } });
      expect([viaExpress.status, await viaExpress.json()]).toEqual([200, { username: "alice" }]);
      const deniedViaExpress = await fetch(`${express}/api/me`, { headers: { Authorization: "Token nope" } });
      expect([deniedViaExpress.status, deniedViaExpress.headers.get("WWW-Authenticate")]).toEqual([401, "Token"]);

      // @portcullis/adapters/node embedded in Express, Fastify and Koa
      for (const framework of ["express", "fastify", "koa"] as const) {
        const port = ports[framework];
        const base = `http://127.0.0.1:${port}`;
        const anonymousMe = await fetch(`${base}/node/me`);
        expect([anonymousMe.status, anonymousMe.headers.get("WWW-Authenticate")], framework).toEqual([401, "Token"]);
        const loginHere = await fetch(`${base}/api-token-auth/`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: "alice", password: "correct horse battery staple" }),
        });
        expect(loginHere.status, framework).toBe(200);
        const { token: key } = (await loginHere.json()) as { token: string };
        const meHere = await fetch(`${base}/node/me`, { headers: { Authorization: `Token ${key}` } });
        expect([meHere.status, await meHere.json()], framework).toEqual([200, { username: "alice" }]);
        // the client IP is the socket's: a spoofed X-Forwarded-For neither shows nor buys a new throttle bucket,
        // another source address does
        const first = await get(port, "/node/ip", "127.0.0.1", { "X-Forwarded-For": "203.0.113.1" });
        expect(first, framework).toEqual({ status: 200, body: JSON.stringify({ clientIp: "127.0.0.1" }) });
        expect((await get(port, "/node/ip", "127.0.0.1", { "X-Forwarded-For": "203.0.113.2" })).status, framework).toBe(429);
        expect(await get(port, "/node/ip", "127.0.0.2"), framework).toEqual({ status: 200, body: JSON.stringify({ clientIp: "127.0.0.2" }) });
      }
    } finally {
      for (const child of children) child.kill();
    }
  }, 60_000);

  it("answers the CLI's --help", () => {
    expect(run(join(project, "node_modules/.bin/portcullis"), ["--help"], project).stdout).toMatch(/create-token/);
  });

  it("has the CLI ask for the project's own wrangler (Miniflare) for a local D1, which it does not install", () => {
    const d1 = { binding: "DB", database_name: "db", database_id: "00000000-0000-0000-0000-000000000000" };
    const config = { name: "w", main: "w.js", compatibility_date: "2026-01-01", d1_databases: [d1] };
    writeFileSync(join(project, "wrangler.json"), JSON.stringify(config));
    const result = spawnSync(join(project, "node_modules/.bin/portcullis"), ["list-tokens", "alice"], { cwd: project, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/needs Miniflare, which comes with wrangler/);
  });
});
