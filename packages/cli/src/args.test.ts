import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./args.js";
import { CliError } from "./errors.js";
import { helpText } from "./help.js";
import { parseTtl } from "./ttl.js";

/** The usage error a command line raises (exit code 2), as its first line. */
function usage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message.split("\n")[0] as string;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parseCommandLine", () => {
  it.each([
    [["migrate"], { command: "migrate", args: [] }],
    [["create-user", "alice", "--staff", "--password-stdin"], { command: "create-user", args: ["alice"], options: { staff: true, "password-stdin": true } }],
    [["create-token", "alice", "-r", "--name", "ci", "--ttl=30d"], { command: "create-token", args: ["alice"], options: { reset: true, name: "ci", ttl: "30d" } }],
    [["--config", "w.toml", "list-tokens", "bob", "--json"], { command: "list-tokens", args: ["bob"], options: { config: "w.toml", json: true } }],
    [["revoke-tokens", "bob", "--id", "abc", "--remote", "--binding", "DB"], { command: "revoke-tokens", args: ["bob"], options: { id: "abc", remote: true, binding: "DB" } }],
    [["import-django", "dump.json", "--user-model", "accounts.user", "-e", "staging"], { command: "import-django", args: ["dump.json"], options: { "user-model": "accounts.user", env: "staging" } }],
    [["--", "create-token", "--weird-name"], { command: "create-token", args: ["--weird-name"] }],
  ])("parses %j", (argv, expected) => {
    expect(parseCommandLine(argv)).toMatchObject(expected);
  });

  it("reads help globally, per command and as `help <command>`", () => {
    expect(parseCommandLine(["--help"])).toMatchObject({ command: undefined, options: { help: true } });
    expect(parseCommandLine(["create-token", "-h"])).toMatchObject({ command: "create-token", options: { help: true } });
    expect(parseCommandLine(["help", "import-django"])).toMatchObject({ command: "import-django", options: { help: true } });
    expect(parseCommandLine(["help"])).toMatchObject({ command: undefined, options: { help: true } });
    expect(helpText(undefined)).toContain("import-django <dumpdata.json>");
    expect(helpText("create-token")).toContain("-r, --reset");
  });

  it.each([
    [["create-user", "alice", "--password", "hunter2"], "--password is not accepted"],
    [["create-user", "alice", "--password=hunter2"], "--password is not accepted"],
    [["--password", "x", "create-user", "alice"], "--password is not accepted"],
    [[], "No command given."],
    [["make-coffee"], 'Unknown command "make-coffee".'],
    [["create-token"], "Missing argument: create-token <username>"],
    [["create-token", "alice", "bob"], "Too many arguments: create-token <username>"],
    [["create-token", "alice", "--staff"], "The option --staff does not apply to create-token."],
    [["migrate", "--reset"], "The option --reset does not apply to migrate."],
    [["create-token", "alice", "--frobnicate"], "Unknown option '--frobnicate'"],
    [["create-token", "alice", "--name"], "Option '--name <value>' argument missing"],
  ])("refuses %j", (argv, message) => {
    expect(usage(argv).startsWith(message)).toBe(true);
  });

  it("never repeats a stray argument (it could be a password)", () => {
    expect(usage(["create-user", "alice", "hunter2"])).not.toContain("hunter2");
  });
});

describe("parseTtl", () => {
  it.each([
    ["45s", 45_000],
    ["15m", 900_000],
    ["12h", 43_200_000],
    ["30d", 2_592_000_000],
    ["1s", 1_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseTtl(text)).toBe(ms);
  });

  it.each(["", "30", "d", "0d", "-1d", "1.5h", "30 d", "30D", "1w", "30dd", "010m", "99999999999999999d"])(
    "refuses %j with a usage error",
    (text) => {
      expect(() => parseTtl(text)).toThrow(/--ttl: expected a positive whole number and a unit s, m, h or d/);
    },
  );
});
