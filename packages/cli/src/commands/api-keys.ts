/**
 * `portcullis create-api-key <owner-id> | list-api-keys <owner-id> | rotate-api-key <key-id> |
 * revoke-api-key <key-id>` (internal).
 * @module
 */
import { ConfigError, ConflictError, isWithinDateRange, type ApiKeyRecord } from "@portcullis/core";
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from "@portcullis/core/api-keys";
import { withBackend } from "../backend.js";
import { CliError, usageError } from "../errors.js";
import { escapeForTerminal } from "../terminal-text.js";
import { parseTtl } from "../ttl.js";
import { stringOption, type Command } from "./command.js";

const iso = (ms: number | null) =>
  ms === null ? null : isWithinDateRange(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : `${ms} (out of range)`;

const OPTION_NAMES: Readonly<Record<string, string>> = { ownerId: "<owner-id>", ttlMs: "--ttl", graceMs: "--grace" };

/** A library `ConfigError` (a bad scope, prefix or name) as a usage mistake naming the option. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConfigError) {
      const option = OPTION_NAMES[error.option] ?? `--${error.option}`;
      throw usageError(`${option}: ${error.message.slice(error.option.length + 2)}`);
    }
    throw error;
  }
}

function describeKey(key: ApiKeyRecord): string {
  const scopes = key.scopes.length === 0 ? "no scopes" : `scopes ${key.scopes.map(escapeForTerminal).join(" ")}`;
  return `${key.id} of ${escapeForTerminal(key.ownerId)} (${scopes}; expires ${iso(key.expiresAt) ?? "never"})`;
}

/** `create-api-key`: prints the key once (only its digest is stored). */
export const createApiKeyCommand: Command = async ({ args, options, io }) => {
  const ownerId = args[0] as string;
  const scopesText = stringOption(options, "scopes");
  const ttlText = stringOption(options, "ttl");
  const prefix = stringOption(options, "prefix");
  await withBackend(options, io.cwd, async ({ store }) => {
    const { key, apiKey } = await asUsage(() =>
      issueApiKey(store, {
        ownerId,
        name: stringOption(options, "name") ?? null,
        scopes: scopesText === undefined ? [] : scopesText.split(",").filter((scope) => scope !== ""),
        ttlMs: ttlText === undefined ? null : parseTtl(ttlText),
        ...(prefix === undefined ? {} : { prefix }),
      }),
    );
    io.out(`Generated API key ${key}`);
    io.err(`Key ${describeKey(apiKey)}. It is shown only now.`);
  });
};

/** `list-api-keys`: ids, names, scopes and times of an owner's keys; never keys. */
export const listApiKeysCommand: Command = async ({ args, options, io }) => {
  const ownerId = args[0] as string;
  await withBackend(options, io.cwd, async ({ store }) => {
    const keys = await listApiKeys(store, ownerId);
    const rows = keys.map((k) => ({
      id: k.id,
      name: k.name,
      scopes: k.scopes,
      created: iso(k.createdAt),
      expires: iso(k.expiresAt),
      last_used: iso(k.lastUsedAt),
    }));
    if (options.json) io.out(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) io.out(`Owner ${escapeForTerminal(ownerId)} has no API keys.`);
    else for (const k of keys) io.out(`${describeKey(k)}  name ${k.name === null ? "-" : escapeForTerminal(k.name)}  last used ${iso(k.lastUsedAt) ?? "never"}`);
  });
};

/** `rotate-api-key`: a new key with the same owner and scopes; the old one works for the grace period. */
export const rotateApiKeyCommand: Command = async ({ args, options, io }) => {
  const id = args[0] as string;
  const graceText = stringOption(options, "grace");
  const graceMs = graceText === undefined ? undefined : graceText === "0" ? 0 : parseTtl(graceText);
  await withBackend(options, io.cwd, async ({ store }) => {
    const rotated = await asUsage(() => rotateApiKey(store, id, graceMs === undefined ? {} : { graceMs })).catch((error: unknown) => {
      if (error instanceof ConflictError && error.field === "rotation") {
        throw new CliError(`Cannot rotate the API key ${escapeForTerminal(id)}: it has already been rotated (revoke it, or rotate its replacement)`);
      }
      throw error;
    });
    if (rotated === null) throw new CliError(`Cannot rotate the API key: no live key with id ${escapeForTerminal(id)}`);
    io.out(`Generated API key ${rotated.key}`);
    io.err(`Key ${describeKey(rotated.apiKey)}. The old key ${id} stops working at ${iso(rotated.previous.expiresAt)}.`);
  });
};

/** `revoke-api-key`: the key stops working at once. */
export const revokeApiKeyCommand: Command = async ({ args, options, io }) => {
  const id = args[0] as string;
  await withBackend(options, io.cwd, async ({ store }) => {
    if (!(await revokeApiKey(store, id))) throw new CliError(`Cannot revoke the API key: no key with id ${escapeForTerminal(id)}`);
    io.out(`Revoked API key ${id}`);
  });
};
