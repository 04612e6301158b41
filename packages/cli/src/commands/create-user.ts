/**
 * `portcullis create-user <username> [--staff] [--password-stdin | --no-password] [--iterations N]
 * [--django-version RELEASE] [--hashers LIST]` (internal).
 * @module
 */
import { compat, ConfigError, ConflictError, hashPassword, passwordHashers, unusablePasswordHash, type PasswordHashers } from "@portcullis/core";
import { withBackend } from "../backend.js";
import { CliError, usageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { checkPassword, passwordFromStdin } from "../password.js";
import { normalizeUsername } from "../username.js";
import { stringOption, type Command } from "./command.js";
import type { Options } from "../args.js";

/** Reads the password: `--password-stdin`, else a prompt (twice) on a terminal. */
async function readPassword(options: Options, io: CliIo): Promise<string> {
  if (options["password-stdin"]) return checkPassword(passwordFromStdin(await io.readStdin()));
  if (!io.isTerminal) {
    throw new CliError("No terminal to prompt for the password: pipe it with --password-stdin (or use --no-password).");
  }
  const password = checkPassword(await io.promptSecret("Password: "));
  if ((await io.promptSecret("Password (again): ")) !== password) throw new CliError("Your passwords didn't match.");
  return password;
}

/** `--django-version` and `--hashers` as one `passwordHashers` value, or `undefined` when neither is given. */
function hashersOf(options: Options): PasswordHashers | undefined {
  const django = stringOption(options, "django-version");
  const hashers = stringOption(options, "hashers");
  if (django === undefined && hashers === undefined) return undefined;
  if (stringOption(options, "iterations") !== undefined) throw usageError("--iterations cannot be combined with --django-version or --hashers.");
  try {
    const list = hashers?.split(",").map((name) => name.trim());
    return passwordHashers({ compat: compat(django === undefined ? {} : { django }), ...(list ? { hashers: list } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) {
      const flag = error.option === "django" ? "django-version" : "hashers";
      throw usageError(`--${flag}: ${error.message.slice(error.option.length + 2)}`);
    }
    throw error;
  }
}

/** The hash to store: a new Django-format hash, or an unusable one (`!` and 40 random characters, as Django). */
async function passwordHashOf(options: Options, io: CliIo): Promise<string> {
  if (options["no-password"]) {
    if (options["password-stdin"]) throw usageError("--no-password and --password-stdin exclude each other.");
    return unusablePasswordHash();
  }
  const hashers = hashersOf(options);
  if (hashers !== undefined) return hashPassword(await readPassword(options, io), { passwordHashers: hashers });
  const iterationsText = stringOption(options, "iterations");
  const iterations = iterationsText === undefined ? undefined : Number(iterationsText);
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations >= 1 && iterations <= 10_000_000)) {
    throw usageError("--iterations: expected a whole number from 1 to 10000000.");
  }
  return hashPassword(await readPassword(options, io), iterations === undefined ? {} : { iterations });
}

/** Creates a user; a taken username fails with exit code 1. */
export const createUserCommand: Command = async ({ args, options, io }) => {
  const username = normalizeUsername(args[0] as string); // NFKC first, as Django's create_user does
  const passwordHash = await passwordHashOf(options, io);
  const isStaff = options.staff === true;
  await withBackend(options, io.cwd, async ({ store }) => {
    try {
      const user = await store.createUser({ username, passwordHash, isStaff });
      io.out(`Created ${isStaff ? "staff " : ""}user ${username} (id ${user.id})`);
    } catch (error) {
      if (error instanceof ConflictError) throw new CliError(`Cannot create the user: username ${username} already exists`);
      throw error;
    }
  });
};
