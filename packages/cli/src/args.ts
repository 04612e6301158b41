/**
 * The command line of `portcullis` (internal): `portcullis [options] <command> [arguments] [options]`, with
 * `node:util` `parseArgs`. Global options may come before or after the command; each command accepts only its
 * own options besides them.
 * @module
 */
/// <reference types="node" />
import { parseArgs } from "node:util";
import { usageError } from "./errors.js";

type OptionSpec = { readonly type: "string" | "boolean"; readonly short?: string };

/** Options of every command: where the database is, and help. */
export const GLOBAL_OPTIONS = {
  config: { type: "string", short: "c" },
  binding: { type: "string" },
  database: { type: "string" },
  env: { type: "string", short: "e" },
  "persist-to": { type: "string" },
  local: { type: "boolean" },
  remote: { type: "boolean" },
  wrangler: { type: "string" },
  "database-url": { type: "string" },
  django: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const satisfies Record<string, OptionSpec>;

/** Each command: its positional arguments (by name) and its own options. */
export const COMMANDS = {
  migrate: { args: [], options: {} },
  "create-user": {
    args: ["username"],
    options: {
      staff: { type: "boolean" },
      "password-stdin": { type: "boolean" },
      "no-password": { type: "boolean" },
      iterations: { type: "string" },
      "django-version": { type: "string" },
      hashers: { type: "string" },
    },
  },
  "create-token": {
    args: ["username"],
    options: { reset: { type: "boolean", short: "r" }, name: { type: "string" }, ttl: { type: "string" } },
  },
  "list-tokens": { args: ["username"], options: { json: { type: "boolean" } } },
  "revoke-tokens": { args: ["username"], options: { id: { type: "string" } } },
  "import-django": { args: ["dumpdata.json"], options: { "user-model": { type: "string" } } },
  "django-indexes": { args: [], options: {} },
  grant: { args: ["user|group", "permission"], options: { group: { type: "boolean" } } },
  revoke: { args: ["user|group", "permission"], options: { group: { type: "boolean" } } },
  "add-to-group": { args: ["username", "group"], options: {} },
  "remove-from-group": { args: ["username", "group"], options: {} },
  "create-api-key": {
    args: ["owner-id"],
    options: { name: { type: "string" }, scopes: { type: "string" }, ttl: { type: "string" }, prefix: { type: "string" } },
  },
  "list-api-keys": { args: ["owner-id"], options: { json: { type: "boolean" } } },
  "rotate-api-key": { args: ["key-id"], options: { grace: { type: "string" } } },
  "revoke-api-key": { args: ["key-id"], options: {} },
} as const satisfies Record<string, { args: readonly string[]; options: Record<string, OptionSpec> }>;

/** A command's name. */
export type CommandName = keyof typeof COMMANDS;

/** The parsed options: strings for valued options, `true` for flags, absent when not given. */
export type Options = Readonly<Record<string, string | boolean | undefined>>;

/** A parsed command line. `command` is undefined only for a bare `--help` or `--version`. */
export interface CommandLine {
  readonly command: CommandName | undefined;
  readonly args: readonly string[];
  readonly options: Options;
}

const ALL_OPTIONS: Record<string, OptionSpec> = Object.assign({}, GLOBAL_OPTIONS, ...Object.values(COMMANDS).map((c) => c.options));

/** Whether `name` is a command. */
export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** Passwords are never arguments: `--password` is refused before anything else is looked at. */
function refusePasswordArgument(argv: readonly string[]): void {
  const end = argv.indexOf("--");
  for (const arg of end === -1 ? argv : argv.slice(0, end)) {
    if (arg === "--password" || arg.startsWith("--password=")) {
      throw usageError(
        "--password is not accepted: a password in an argument ends up in shell history and the process list. " +
          "Type it at the prompt, or pipe it with --password-stdin.",
      );
    }
  }
}

/** `parseArgs` over every option of every command, with its errors as usage errors. */
function parseAll(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: ALL_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split(". To specify a positional")[0] : String(error);
    throw usageError(message as string);
  }
}

/** Refuses options that belong to another command. */
function checkOptions(command: CommandName, names: Iterable<string>): void {
  const own: Record<string, OptionSpec> = COMMANDS[command].options;
  for (const name of names) {
    if (!Object.hasOwn(GLOBAL_OPTIONS, name) && !Object.hasOwn(own, name)) {
      throw usageError(`The option --${name} does not apply to ${command}.`);
    }
  }
}

/**
 * Parses the arguments after `portcullis`. `help <command>` is read as `<command> --help`. Throws a usage
 * error (exit code 2) for an unknown command or option, a missing or extra argument, or `--password`.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  refusePasswordArgument(argv);
  const { values, positionals, tokens } = parseAll(argv);
  let [name, ...args] = positionals;
  const options: Record<string, string | boolean | undefined> = { ...values };
  if (name === "help") {
    [name, ...args] = args;
    options.help = true;
  }
  if (name === undefined) {
    if (options.help || options.version) return { command: undefined, args: [], options };
    throw usageError("No command given.");
  }
  if (!isCommand(name)) throw usageError(`Unknown command "${name}".`);
  checkOptions(name, tokens.flatMap((token) => (token.kind === "option" ? [token.name] : [])));
  const expected = COMMANDS[name].args;
  if (!options.help && args.length !== expected.length) {
    const usage = [name, ...expected.map((arg) => `<${arg}>`)].join(" ");
    throw usageError(args.length < expected.length ? `Missing argument: ${usage}` : `Too many arguments: ${usage}`);
  }
  return { command: name, args, options };
}
