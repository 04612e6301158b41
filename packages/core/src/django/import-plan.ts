/**
 * What `importDjango` would write (internal): the dump checked against the database with reads only, so a
 * conflict is found before anything is written. Users already present (same id and username) and tokens
 * already present (same digest, same user) are skipped, which makes a second run import nothing.
 * @module
 */
import { sha256Hex } from "../internal/sha256.js";
import type { StoredToken, TokenStore, UserStore } from "../store/types.js";
import { tokenDigest } from "../tokens/tokens.js";
import { DumpError, type Dump, type DumpToken, type DumpUser } from "./dump.js";

/** The capabilities an import reads and writes: users, and tokens beside them. */
export type ImportTarget = Pick<UserStore, "createUser" | "getUserById" | "getUserByUsername"> & Pick<TokenStore, "createToken" | "findToken">;

/** The writes of an import, and what was already there. */
export interface ImportPlan {
  readonly users: readonly DumpUser[];
  readonly tokens: readonly StoredToken[];
  readonly presentUsers: number;
  readonly presentTokens: number;
  /** Users present but different in the dump (left unchanged), for a warning. */
  readonly warnings: readonly string[];
}

/** The name imported tokens carry (shown by `list-tokens`). */
export const IMPORTED_TOKEN_NAME = "django";

/** A token id derived from the digest (so a re-import finds the same id): 24 hex of SHA-256("id:" + digest). */
export function importedTokenId(digest: string): string {
  return sha256Hex(`id:${digest}`).slice(0, 24);
}

/** Classifies one user: new, present, or a problem. */
async function checkUser(store: ImportTarget, user: DumpUser, label: string): Promise<"new" | "present" | { problem?: string; warning?: string }> {
  const [byId, found] = await Promise.all([store.getUserById(user.id), store.getUserByUsername(user.username)]);
  const byName = found?.user ?? null;
  if (byId === null && byName === null) return "new";
  if (byName !== null && byName.id !== user.id) {
    return { problem: `${label}: username ${user.username} already exists with another id (${byName.id})` };
  }
  if (byId !== null && byId.username !== user.username) {
    return { problem: `${label}: id ${user.id} already belongs to user ${byId.username}` };
  }
  const differs = [
    found?.passwordHash !== user.passwordHash && "password",
    byName?.isActive !== user.isActive && "is_active",
    byName?.isStaff !== user.isStaff && "is_staff",
  ].filter(Boolean);
  if (differs.length === 0) return "present";
  return { warning: `Warning: ${label}: user ${user.username} already exists with another ${differs.join(", ")}; left unchanged` };
}

/** The id of a token's user: from the dump, else from the database; `null` when unknown. */
async function ownerOf(store: ImportTarget, token: DumpToken, users: readonly DumpUser[]): Promise<string | null> {
  if ("id" in token.user) {
    const id = token.user.id;
    return users.some((user) => user.id === id) || (await store.getUserById(id)) !== null ? id : null;
  }
  const username = token.user.username;
  const inDump = users.find((user) => user.username === username);
  return inDump?.id ?? (await store.getUserByUsername(username))?.user.id ?? null;
}

/** Classifies one token: a token to store, "present", or a problem. */
async function checkToken(store: ImportTarget, token: DumpToken, users: readonly DumpUser[]): Promise<StoredToken | "present" | string> {
  const owner = "id" in token.user ? token.user.id : token.user.username;
  const label = `dump[${token.index}] (authtoken.token of user ${owner})`;
  const userId = await ownerOf(store, token, users);
  if (userId === null) return `${label}: user ${owner} is neither in the dump nor in the database`;
  const digest = tokenDigest(token.key);
  const found = await store.findToken(digest);
  if (found !== null) return found.user.id === userId ? "present" : `${label}: this key already belongs to user ${found.user.username}`;
  return { id: importedTokenId(digest), digest, userId, name: IMPORTED_TOKEN_NAME, createdAt: token.createdAt, expiresAt: null };
}

/** Checks the whole dump against the store (reads only); throws `DumpError` naming every conflict. */
export async function planImport(store: ImportTarget, dump: Dump): Promise<ImportPlan> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const users: DumpUser[] = [];
  const tokens: StoredToken[] = [];
  let presentUsers = 0;
  let presentTokens = 0;
  for (const user of dump.users) {
    const verdict = await checkUser(store, user, `dump[${user.index}] (auth.user pk ${user.id})`);
    if (verdict === "new") users.push(user);
    else if (verdict === "present") presentUsers++;
    else if (verdict.problem !== undefined) problems.push(verdict.problem);
    else {
      presentUsers++;
      warnings.push(verdict.warning as string);
    }
  }
  for (const token of dump.tokens) {
    const verdict = await checkToken(store, token, dump.users);
    if (verdict === "present") presentTokens++;
    else if (typeof verdict === "string") problems.push(verdict);
    else tokens.push(verdict);
  }
  if (problems.length > 0) throw new DumpError(problems);
  return { users, tokens, presentUsers, presentTokens, warnings };
}
