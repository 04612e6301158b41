/**
 * The `portcullis` CLI: user and token administration on the D1 database of a Worker project, local (the
 * state of `wrangler dev`) or remote (through `wrangler d1 execute --remote`). `bin/portcullis.js` runs `main`.
 * @module
 */
/// <reference types="node" />
import { readFileSync } from "node:fs";
import { parseCommandLine, type CommandName } from "./args.js";
import type { Command } from "./commands/command.js";
import { createUserCommand } from "./commands/create-user.js";
import { importDjangoCommand } from "./commands/import-django.js";
import { djangoIndexesCommand } from "./commands/django-indexes.js";
import { migrateCommand } from "./commands/migrate.js";
import { addToGroupCommand, grantCommand, removeFromGroupCommand, revokeCommand } from "./commands/permissions.js";
import { createTokenCommand, listTokensCommand, revokeTokensCommand } from "./commands/tokens.js";
import { createApiKeyCommand, listApiKeysCommand, revokeApiKeyCommand, rotateApiKeyCommand } from "./commands/api-keys.js";
import { describeError, exitCodeOf } from "./describe-error.js";
import { helpText } from "./help.js";
import { processIo, type CliIo } from "./io.js";
import { terminalLine } from "./terminal-text.js";

const COMMANDS: Readonly<Record<CommandName, Command>> = {
  migrate: migrateCommand,
  "create-user": createUserCommand,
  "create-token": createTokenCommand,
  "list-tokens": listTokensCommand,
  "revoke-tokens": revokeTokensCommand,
  "create-api-key": createApiKeyCommand,
  "list-api-keys": listApiKeysCommand,
  "rotate-api-key": rotateApiKeyCommand,
  "revoke-api-key": revokeApiKeyCommand,
  "import-django": importDjangoCommand,
  "django-indexes": djangoIndexesCommand,
  grant: grantCommand,
  revoke: revokeCommand,
  "add-to-group": addToGroupCommand,
  "remove-from-group": removeFromGroupCommand,
};

/** This package's version, for `--version`. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

/** `io` whose output lines go through `terminalLine`. */
function terminalIo(io: CliIo): CliIo {
  return {
    cwd: io.cwd,
    isTerminal: io.isTerminal,
    out: (line) => io.out(terminalLine(line)),
    err: (line) => io.err(terminalLine(line)),
    readStdin: () => io.readStdin(),
    promptSecret: (prompt) => io.promptSecret(terminalLine(prompt)),
  };
}

/**
 * Runs the CLI on `argv` (the arguments after `portcullis`) and answers the exit code: 0 on success, 1 on a
 * failure, 2 on a usage mistake. Results go to stdout, errors (one message, never a secret) to stderr; every line
 * has its control, bidi and invisible format characters escaped (they may come from token names or usernames).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], rawIo: CliIo = processIo()): Promise<number> {
  const io = terminalIo(rawIo);
  try {
    const { command, args, options } = parseCommandLine(argv);
    if (options.help) {
      io.out(helpText(command));
      return 0;
    }
    if (command === undefined) {
      io.out(version());
      return 0;
    }
    await COMMANDS[command]({ args, options, io });
    return 0;
  } catch (error) {
    io.err(describeError(error));
    return exitCodeOf(error);
  }
}
