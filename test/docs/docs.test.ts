/**
 * Docs as tests: every fenced ```ts block of every README and of docs/ compiles as written, against the
 * workspace's packages (their TypeScript sources, like the other tests). Each Markdown file's blocks are written
 * to a `.docs-snippets/` folder beside the package the file documents (so its dependencies resolve), one file per
 * block (with the blocks that continue it), and typechecked with the repository's compiler options in one program
 * with Node's types; a block that starts with `/// <reference types="@cloudflare/workers-types" />` is checked
 * in a second program with Workers' types instead. Blocks marked `<!-- runs: deno; ... -->` are checked by
 * `deno check` instead; blocks marked `<!-- runs: bun; ... -->` are checked in a third program with Bun's types
 * (`@types/bun`, pinned to the `bun-bin` release that runs them) instead of Node's.
 *
 * Runnable blocks (`<!-- runs: node|deno|bun; GET /path → 401; ... -->` right before the fence) are servers: each
 * is started in its runtime on a free 127.0.0.1 port, asked the stated requests in order after a readiness probe
 * (`HEAD /`), and stopped (see `run-snippets.ts` for how the port reaches it: `PORT`, or `DENO_SERVE_ADDRESS`).
 * They load the packages' built `dist`, so run `pnpm build` first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compileForNode, DENO_CONFIG, denoCheck, runSnippet } from "./run-snippets.js";
import { allSnippets, extractSnippets, parseRuns, type Snippet } from "./snippets.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FOLDER = ".docs-snippets";
const written = new Set<string>();

afterAll(() => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

/** The folder a Markdown file's snippets are written to: its package's or example's, else the root's. */
function folderOf(file: string): string {
  const match = /^((?:packages|examples)\/[^/]+)\//.exec(file);
  return join(root, match?.[1] ?? "", FOLDER);
}

/** A snippet that starts with Workers' types reference compiles with them, apart from Node's. */
const isWorkers = (snippet: Snippet) => snippet.code.startsWith('/// <reference types="@cloudflare/workers-types" />');
/** Deno and Bun blocks are not Node programs: Deno's are checked by `deno check`, Bun's with Bun's types. */
const isNodeOrWorkers = (snippet: Snippet) => snippet.runs === undefined || snippet.runs.runtime === "node";

/** Writes a snippet's code beside the package it documents; answers the path. */
function write(snippet: Snippet, prefix: string, code: string, extension = "ts"): string {
  const dir = folderOf(snippet.file);
  mkdirSync(dir, { recursive: true });
  written.add(dir);
  const path = join(dir, `${prefix}-${basename(snippet.file, ".md")}-L${snippet.line}.${extension}`);
  writeFileSync(path, code);
  return path;
}

/** The Deno configuration file for the snippets (in the root's snippet folder). */
function denoConfig(): string {
  const dir = join(root, FOLDER);
  mkdirSync(dir, { recursive: true });
  written.add(dir);
  const path = join(dir, "deno.json");
  if (!existsSync(path)) writeFileSync(path, JSON.stringify(DENO_CONFIG, null, 2));
  return path;
}

/**
 * Typechecks snippets in one program (each file resolves its imports from its own folder); answers each error as
 * `file.md:line: message`.
 */
function typecheck(program: string, snippets: readonly Snippet[], types: string[]): string[] {
  const byPath = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const dir = folderOf(snippet.file);
    mkdirSync(dir, { recursive: true });
    written.add(dir);
    const name = `${program}-${basename(snippet.file, ".md")}-L${snippet.line}.ts`;
    byPath.set(join(dir, name), snippet);
    writeFileSync(join(dir, name), snippet.code);
  }
  const dir = join(root, FOLDER);
  mkdirSync(dir, { recursive: true });
  written.add(dir);
  const compilerOptions = {
    noEmit: true,
    types,
    moduleDetection: "force",
    sourceMap: false,
    declaration: false,
    declarationMap: false,
  };
  const files = [...byPath.keys()].map((path) => relative(dir, path));
  const config = join(dir, `tsconfig.${program}.json`);
  writeFileSync(config, JSON.stringify({ extends: "../tsconfig.base.json", compilerOptions, files }, null, 2));
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", config, "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  const errors: string[] = [];
  for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
    const error = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    const snippet = error ? byPath.get(resolve(dir, error[1] ?? "")) : undefined;
    if (error && snippet) errors.push(`${snippet.file}:${snippet.lines[Number(error[2]) - 1] ?? snippet.line}: ${error[3]}`);
    else if (line.trim() !== "") errors.push(line);
  }
  if (result.status !== 0 && errors.length === 0) errors.push(`tsc exited ${result.status} (${program})`);
  return errors;
}

const runnable = allSnippets(root).snippets.filter((snippet) => snippet.runs !== undefined);

describe("the runnable blocks of the READMEs and docs/", () => {
  it("include the root README's Node, Bun and Deno quick starts", () => {
    const runtimes = runnable.filter((snippet) => snippet.file === "README.md").map((snippet) => snippet.runs?.runtime);
    expect(new Set(runtimes)).toEqual(new Set(["node", "bun", "deno"]));
  });

  it.each(runnable.map((snippet) => [`${snippet.file}:${snippet.line} (${snippet.runs?.runtime})`, snippet] as const))(
    "%s answers its requests",
    async (_name, snippet) => {
      const runs = snippet.runs!;
      const file =
        runs.runtime === "node" ? write(snippet, "run", compileForNode(snippet.code), "mjs") : write(snippet, `run-${runs.runtime}`, snippet.code);
      const answers = await runSnippet(root, runs, file, denoConfig());
      expect(answers).toEqual(runs.requests.map(({ method, path, status }) => [`${method} ${path}`, status]));
    },
    90_000,
  );
});

describe("the ts blocks of the READMEs and docs/", () => {
  it("compile as written", () => {
    const { snippets } = allSnippets(root);
    expect(snippets.length).toBeGreaterThan(20);
    const errors = [
      ...typecheck("node", snippets.filter((snippet) => isNodeOrWorkers(snippet) && !isWorkers(snippet)), ["node"]),
      ...typecheck("workers", snippets.filter((snippet) => isNodeOrWorkers(snippet) && isWorkers(snippet)), []),
      ...typecheck("bun", snippets.filter((snippet) => snippet.runs?.runtime === "bun"), ["bun"]),
    ];
    expect(errors).toEqual([]);
  }, 300_000);

  it("include Bun blocks, typechecked with Bun's types", () => {
    const bun = allSnippets(root).snippets.filter((snippet) => snippet.runs?.runtime === "bun");
    expect(bun.length).toBeGreaterThan(0);
    // A Bun-only API that Node's types lack compiles there, and a misuse of it does not.
    const probe = (code: string): Snippet => ({ file: "README.md", line: 0, code, lines: [0], runs: { runtime: "bun", requests: [] } });
    expect(typecheck("bun-probe", [probe('export const server = Bun.serve({ fetch: () => new Response("ok") });\n')], ["bun"])).toEqual([]);
    expect(typecheck("bun-probe", [probe("export const server = Bun.serve({ fetch: 42 });\n")], ["bun"]).length).toBeGreaterThan(0);
  }, 120_000);

  it("Deno blocks pass deno check", () => {
    const deno = allSnippets(root).snippets.filter((snippet) => snippet.runs?.runtime === "deno");
    expect(deno.length).toBeGreaterThan(0);
    const files = deno.map((snippet) => write(snippet, "deno", snippet.code));
    expect(denoCheck(root, denoConfig(), files)).toBe("");
  }, 120_000);

  it("follow the markers: continues appends to the previous block, not-compiled leaves one out", () => {
    const text = [
      "```ts",
      "const a = 1;",
      "```",
      "<!-- continues -->",
      "```ts",
      "const b = a + 1;",
      "```",
      "<!-- not-compiled: pseudo-code -->",
      "```ts",
      "nope(",
      "```",
      "```typescript",
      "export {};",
      "```",
    ].join("\n");
    const { snippets, excluded } = extractSnippets("x.md", text);
    expect(snippets.map((s) => [s.line, s.code, s.lines])).toEqual([
      [2, "const a = 1;\nconst b = a + 1;\n", [2, 6]],
      [13, "export {};\n", [13]],
    ]);
    expect(excluded).toEqual([{ file: "x.md", line: 10, reason: "pseudo-code" }]);
    expect(() => extractSnippets("y.md", "<!-- continues -->\n```ts\nx\n```")).toThrow(/no earlier ts block/);
  });

  it("read the runs marker: the runtime and each request's method, path and status", () => {
    const { snippets } = extractSnippets("z.md", "<!-- runs: deno; GET /api/me → 401; POST /x?y=1 -> 200 -->\n```ts\nserve();\n```");
    expect(snippets[0]?.runs).toEqual({
      runtime: "deno",
      requests: [
        { method: "GET", path: "/api/me", status: 401 },
        { method: "POST", path: "/x?y=1", status: 200 },
      ],
    });
    expect(() => parseRuns("z.md", 1, "<!-- runs: python; GET / → 200 -->")).toThrow(/malformed marker/);
    expect(() => parseRuns("z.md", 1, "<!-- runs: node -->")).toThrow(/malformed marker/);
    expect(parseRuns("z.md", 1, "<!-- continues -->")).toBeUndefined();
  });
});
