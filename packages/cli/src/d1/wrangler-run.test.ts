import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseWranglerOutput, wranglerCommand } from "./wrangler-run.js";

const root = mkdtempSync(join(tmpdir(), "portcullis-wrangler-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("wranglerCommand", () => {
  it("runs the wrangler installed in the project or above it, with this Node", () => {
    const pkg = join(root, "app", "node_modules", "wrangler");
    mkdirSync(join(root, "app", "src", "deep"), { recursive: true });
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "wrangler", bin: { wrangler: "./bin/wrangler.js", wrangler2: "./x.js" } }));
    expect(wranglerCommand(join(root, "app", "src", "deep"))).toEqual([process.execPath, join(pkg, "bin", "wrangler.js")]);
  });

  it("takes --wrangler relative to the project: a .js file runs with Node, anything else as it is", () => {
    expect(wranglerCommand(root, "tools/wrangler.mjs")).toEqual([process.execPath, join(root, "tools", "wrangler.mjs")]);
    expect(wranglerCommand(root, "/usr/local/bin/wrangler")).toEqual(["/usr/local/bin/wrangler"]);
  });

  it("says how to install it when there is none", () => {
    mkdirSync(join(root, "bare"));
    expect(() => wranglerCommand(join(root, "bare"))).toThrow(/wrangler is not installed in .*bare or above/);
  });
});

describe("parseWranglerOutput", () => {
  const ok = [{ results: [{ n: 1 }], success: true, meta: { duration: 0 } }];

  it("reads the --json answer, skipping anything printed before it", () => {
    expect(parseWranglerOutput({ code: 0, stdout: JSON.stringify(ok), stderr: "" })).toEqual(ok);
    expect(parseWranglerOutput({ code: 0, stdout: `a banner\n${JSON.stringify(ok, null, 2)}`, stderr: "" })).toEqual(ok);
  });

  it("throws wrangler's own error text, so UNIQUE failures keep their meaning", () => {
    const stdout = JSON.stringify({ error: { text: "UNIQUE constraint failed: portcullis_users.username: SQLITE_CONSTRAINT" } });
    expect(() => parseWranglerOutput({ code: 1, stdout, stderr: "" })).toThrow(/^UNIQUE constraint failed: portcullis_users\.username/);
  });

  it("reports a failure without JSON with its exit code and the end of its output", () => {
    expect(() => parseWranglerOutput({ code: 2, stdout: "", stderr: "a\nb\nNot logged in." })).toThrow(
      "wrangler d1 execute failed (exit code 2): a\nb\nNot logged in.",
    );
    expect(() => parseWranglerOutput({ code: 0, stdout: "{ nope", stderr: "" })).toThrow("wrangler d1 execute failed (exit code 0): { nope");
  });
});
