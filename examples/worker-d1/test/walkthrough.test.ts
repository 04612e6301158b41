// The walkthrough `pnpm start` prints, run as printed: start.mjs on free ports (--port, --inspector-port) with its
// own --persist-to directory, then every command line of the walkthrough through `sh`, each placeholder replaced
// by what an earlier line answered, as a reader copying the lines would. Needs the built dist (the CLI).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../packages/core/test/_django-server.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "portcullis-walkthrough-"));
let server: ChildProcess | undefined;
let printed = "";

beforeAll(async () => {
  // `pnpm` as the README says to run it when pnpm is not installed globally
  const bin = join(work, "bin");
  spawnSync("mkdir", ["-p", bin]);
  writeFileSync(join(bin, "pnpm"), '#!/bin/sh\nexec npx -y pnpm@12.4.2 "$@"\n');
  chmodSync(join(bin, "pnpm"), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH ?? ""}`;
  const [port, inspector] = [await freePort(), await freePort()];
  const args = ["examples/worker-d1/start.mjs", "--", "--port", String(port), "--inspector-port", String(inspector)];
  server = spawn(process.execPath, [...args, "--persist-to", join(work, "state")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    server?.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes("blacklist/")) resolve();
    });
    server?.once("exit", (code) => reject(new Error(`start.mjs exited ${code}:\n${printed}`)));
  });
}, 180_000);

afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

/** The command lines of the walkthrough, continuation lines joined, comments left out. */
function commands(text: string): string[] {
  const lines = text.slice(text.indexOf("In another terminal")).split("\n").map((line) => line.trim());
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? "";
    if (!/^(printf|curl|pnpm) /.test(line)) continue;
    while (line.endsWith("\\")) line = `${line.slice(0, -1).trimEnd()} ${lines[++i] ?? ""}`;
    out.push(line);
  }
  return out;
}

function sh(line: string): string {
  const result = spawnSync("sh", ["-c", line], { cwd: ROOT, encoding: "utf8" });
  expect(result.status, `${line}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe("the walkthrough pnpm start prints", () => {
  it("runs end to end as printed", () => {
    const lines = commands(printed);
    expect(lines).toHaveLength(8);
    const [createUser, login, me, anonymous, pair, bearer, refresh, blacklist] = lines as [string, ...string[]];
    expect(sh(createUser)).toMatch(/alice/);
    const { token } = JSON.parse(sh(login ?? "")) as { token: string };
    expect(JSON.parse(sh((me ?? "").replace("<the token from step 2>", token)))).toMatchObject({ username: "alice" });
    const denied = sh(anonymous ?? "");
    expect(denied).toMatch(/^HTTP\/1\.1 401/);
    expect(denied).toMatch(/^www-authenticate: Token/im);
    const tokens = JSON.parse(sh(pair ?? "")) as { access: string; refresh: string };
    expect(JSON.parse(sh((bearer ?? "").replace("<access>", tokens.access)))).toMatchObject({ username: "alice", scheme: "jwt" });
    const rotated = JSON.parse(sh((refresh ?? "").replace("<refresh>", tokens.refresh))) as { access: string; refresh: string };
    expect(rotated.refresh).toEqual(expect.any(String));
    expect(JSON.parse(sh((blacklist ?? "").replace("<the refresh from step 5>", rotated.refresh)))).toEqual({});
  }, 180_000);
});
