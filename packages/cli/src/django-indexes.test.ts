// `portcullis django-indexes`: prints the index SQL (and the Django migration operation) without touching any
// database; a database option is a usage error rather than silently ignored. The index itself is checked against
// the real server in packages/store-postgres/test/django-indexes.test.ts.
import { djangoIndexes } from "@portcullis/store-postgres";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./io.js";
import { main } from "./main.js";

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    cwd: "/nonexistent",
    lines,
    errors,
    isTerminal: false,
    out: (line) => void lines.push(line),
    err: (line) => void errors.push(line),
    readStdin: async () => "",
    promptSecret: async () => "",
  };
}

describe("portcullis django-indexes", () => {
  it("prints the CREATE INDEX of every suggested index and its migrations.RunSQL, and connects to nothing", async () => {
    const out = io();
    expect(await main(["django-indexes"], out)).toBe(0);
    const text = out.lines.join("\n");
    expect(djangoIndexes.length).toBeGreaterThan(0);
    for (const index of djangoIndexes) expect(text).toContain(`${index.sql};`);
    expect(text).toContain("CREATE INDEX portcullis_authtoken_digest ON authtoken_token ((encode(sha256(decode(replace(key, E'\\\\', E'\\\\\\\\'), 'escape')), 'hex')))");
    expect(text).toContain(`migrations.RunSQL("CREATE INDEX portcullis_authtoken_digest ON authtoken_token ((encode(sha256(decode(replace(key, E'\\\\\\\\', E'\\\\\\\\\\\\\\\\'), 'escape')), 'hex')))", "DROP INDEX portcullis_authtoken_digest"),`);
    expect(out.errors).toEqual([]);
  });

  it("refuses a database option instead of applying anything (exit 2)", async () => {
    const out = io();
    expect(await main(["django-indexes", "--database-url", "postgres://127.0.0.1:1/x"], out)).toBe(2);
    expect(out.lines).toEqual([]);
    expect(out.errors.join("\n")).toMatch(/never connects/);
  });

  it("has help", async () => {
    const out = io();
    expect(await main(["django-indexes", "--help"], out)).toBe(0);
    expect(out.lines.join("\n")).toContain("Usage: portcullis django-indexes");
  });
});
