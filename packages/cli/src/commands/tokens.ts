/**
 * `portcullis create-token | list-tokens | revoke-tokens <username>` (internal).
 * @module
 */
import { isWithinDateRange, issueToken, listTokens, revokeAllTokens, revokeToken, type TokenRecord } from "@portcullis/core";
import { withBackend } from "../backend.js";
import { CliError } from "../errors.js";
import { parseTtl } from "../ttl.js";
import { requireUser, stringOption, type Command } from "./command.js";

/** `create-token`: prints `Generated token <key> for user <username>`, the only time the key is shown. */
export const createTokenCommand: Command = async ({ args, options, io }) => {
  const username = args[0] as string;
  const ttlText = stringOption(options, "ttl");
  const ttlMs = ttlText === undefined ? null : parseTtl(ttlText);
  const name = stringOption(options, "name") ?? null;
  await withBackend(options, io.cwd, async ({ store }) => {
    const user = await requireUser(store, username, "create the Token");
    if (options.reset) await revokeAllTokens(store, user.id);
    const { key } = await issueToken(store, user.id, { ttlMs, name });
    io.out(`Generated token ${key} for user ${username}`);
    if (!user.isActive) io.err(`Warning: user ${username} is inactive: requests with this token get "User inactive or deleted."`);
  });
};

/** An ISO time without milliseconds (a stored time no Date can hold is shown as its number, never a crash). */
const iso = (ms: number) => (isWithinDateRange(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : `${ms} (out of range)`);

/** A token name for a table cell: `-` for none, control characters escaped. */
const cell = (name: string | null) => (name === null ? "-" : JSON.stringify(name).slice(1, -1));

/** The rows of the `list-tokens` table, columns padded. */
function table(tokens: readonly TokenRecord[], now: number): string[] {
  const rows = tokens.map((t) => [
    t.id,
    cell(t.name),
    iso(t.createdAt),
    t.expiresAt === null ? "never" : `${iso(t.expiresAt)}${t.expiresAt <= now ? " (expired)" : ""}`,
  ]);
  const all = [["ID", "NAME", "CREATED", "EXPIRES"], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((value, i) => value.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** `list-tokens`: ids, names, created and expiry times; never keys (they are not stored). */
export const listTokensCommand: Command = async ({ args, options, io }) => {
  const username = args[0] as string;
  await withBackend(options, io.cwd, async ({ store }) => {
    const user = await requireUser(store, username, "list the tokens");
    const tokens = await listTokens(store, user.id);
    const now = Date.now();
    if (options.json) {
      const json = tokens.map((t) => ({
        id: t.id,
        name: t.name,
        created: new Date(t.createdAt).toISOString(),
        expires: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString(),
        expired: t.expiresAt !== null && t.expiresAt <= now,
      }));
      io.out(JSON.stringify(json, null, 2));
    } else if (tokens.length === 0) {
      io.out(`User ${username} has no tokens.`);
    } else {
      for (const line of table(tokens, now)) io.out(line);
    }
  });
};

/** `revoke-tokens`: every token of the user, or the one of `--id`. */
export const revokeTokensCommand: Command = async ({ args, options, io }) => {
  const username = args[0] as string;
  const id = stringOption(options, "id");
  await withBackend(options, io.cwd, async ({ store }) => {
    const user = await requireUser(store, username, id === undefined ? "revoke the tokens" : "revoke the token");
    if (id === undefined) {
      const count = await revokeAllTokens(store, user.id);
      io.out(`Revoked ${count} token${count === 1 ? "" : "s"} of user ${username}`);
      return;
    }
    const owned = (await listTokens(store, user.id)).some((token) => token.id === id);
    if (!owned || !(await revokeToken(store, id))) {
      throw new CliError(`Cannot revoke the token: user ${username} has no token with id ${id}`);
    }
    io.out(`Revoked token ${id} of user ${username}`);
  });
};
