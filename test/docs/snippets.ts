/**
 * The fenced ```ts blocks of the READMEs and docs/ (internal to docs.test.ts). A block right after the line
 * `<!-- continues -->` is appended to the previous ts block of the same file; a block right after
 * `<!-- not-compiled: reason -->` is left out; a block right after
 * `<!-- runs: node|deno|bun; GET /path → 401; POST /other → 200 -->` starts a server that docs.test.ts runs in
 * that runtime and answers each request (method, path, expected status; `->` works too) in order.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One compilable unit: a block and the blocks that continue it. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** The 1-based line of the first block's first code line. */
  readonly line: number;
  /** The code; each continuing block's lines follow the previous ones. */
  readonly code: string;
  /** For each code line, its line in the Markdown file. */
  readonly lines: readonly number[];
  /** Set when the block is a server to run (`<!-- runs: ... -->`). */
  readonly runs?: Runs;
}

/** A runnable block's runtime and the requests it must answer. */
export interface Runs {
  readonly runtime: "node" | "deno" | "bun";
  readonly requests: readonly { readonly method: string; readonly path: string; readonly status: number }[];
}

/** A block left out with its reason. */
export interface Excluded {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

const CONTINUES = /^<!-- continues -->\s*$/;
const NOT_COMPILED = /^<!-- not-compiled: (.+?) -->\s*$/;
const RUNS = /^<!-- runs: (node|deno|bun)((?:;\s*[A-Z]+ \/\S* (?:→|->) \d{3}\s*)+)-->\s*$/;

/** The `runs` marker of a line, `undefined` when it is not one; throws on a malformed one. */
export function parseRuns(file: string, line: number, text: string): Runs | undefined {
  if (!text.startsWith("<!-- runs:")) return undefined;
  const match = RUNS.exec(text);
  if (!match) throw new Error(`${file}:${line}: malformed marker, expected <!-- runs: node|deno|bun; GET /path → 200 -->`);
  const requests = (match[2] ?? "")
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [method = "", path = "", , status = ""] = part.split(/\s+/);
      return { method, path, status: Number(status) };
    });
  return { runtime: match[1] as Runs["runtime"], requests };
}

/** The snippets and the excluded blocks of one Markdown text. */
export function extractSnippets(file: string, text: string): { snippets: Snippet[]; excluded: Excluded[] } {
  const source = text.split("\n");
  const snippets: { file: string; line: number; code: string[]; lines: number[]; runs?: Runs }[] = [];
  const excluded: Excluded[] = [];
  for (let i = 0; i < source.length; i++) {
    const fence = /^(\s*)```(ts|typescript)\s*$/.exec(source[i] ?? "");
    if (!fence) continue;
    const before = (source[i - 1] ?? "").trim();
    const body: string[] = [];
    const at: number[] = [];
    let j = i + 1;
    for (; j < source.length && !/^\s*```\s*$/.test(source[j] ?? ""); j++) {
      body.push((source[j] ?? "").slice(fence[1]?.length ?? 0));
      at.push(j + 1);
    }
    const reason = NOT_COMPILED.exec(before)?.[1];
    const previous = snippets.at(-1);
    if (reason !== undefined) excluded.push({ file, line: i + 2, reason });
    else if (CONTINUES.test(before)) {
      if (!previous) throw new Error(`${file}:${i + 1}: <!-- continues --> with no earlier ts block`);
      previous.code.push(...body);
      previous.lines.push(...at);
    } else {
      const runs = parseRuns(file, i, before);
      snippets.push({ file, line: i + 2, code: body, lines: at, ...(runs ? { runs } : {}) });
    }
    i = j;
  }
  return { snippets: snippets.map((s) => ({ ...s, code: s.code.join("\n") + "\n" })), excluded };
}

/** The READMEs (root, packages/*, examples/*) and the Markdown under docs/, relative to `root`. */
export function markdownFiles(root: string): string[] {
  const files = ["README.md"];
  for (const dir of ["packages", "examples"]) {
    for (const name of readdirSync(join(root, dir))) {
      if (existsSync(join(root, dir, name, "README.md"))) files.push(join(dir, name, "README.md"));
    }
  }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".md")) files.push(relative(root, join(dir, entry.name)));
    }
  };
  if (existsSync(join(root, "docs"))) walk(join(root, "docs"));
  return files;
}

/** Reads and extracts every Markdown file of `root`. */
export function allSnippets(root: string): { snippets: Snippet[]; excluded: Excluded[] } {
  const snippets: Snippet[] = [];
  const excluded: Excluded[] = [];
  for (const file of markdownFiles(root)) {
    const found = extractSnippets(file, readFileSync(join(root, file), "utf8"));
    snippets.push(...found.snippets);
    excluded.push(...found.excluded);
  }
  return { snippets, excluded };
}
