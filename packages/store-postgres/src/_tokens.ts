/**
 * The token methods of `postgresStore` in its own tables (internal), one SQL statement each. A token check
 * (`findToken`) is a single `SELECT ... JOIN` of the token with its user, by the unique digest index.
 * @module
 */
import type { CreateTokenOptions, StoredToken, TokenRecord, User, UserPermissions } from "@portcullis/core";
import type { SqlClient, SqlParam, SqlResult, SqlRow } from "./client.js";
import { OWN_NAMES, toPermissions } from "./_permissions.js";
import { userWithId } from "./_users.js";

export const TOKEN_COLUMNS = "t.id, t.user_id, t.name, t.created_at, t.expires_at";

const FIND_TOKEN = `SELECT ${TOKEN_COLUMNS}, u.username, u.is_active, u.is_staff, u.is_superuser
FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.digest = $1`;
const FIND_TOKEN_WITH_PERMISSIONS = `SELECT ${TOKEN_COLUMNS}, u.username, u.is_active, u.is_staff, u.is_superuser, ${OWN_NAMES}
FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.digest = $1`;

/** What `findToken` answers; `permissions` only when asked for (`permissionsWithUser`). */
export interface FoundToken {
  readonly token: TokenRecord;
  readonly user: User;
  readonly permissions?: UserPermissions;
}

/** A token record from its row (never the digest, which is not even selected). */
export function toRecord(row: SqlRow): TokenRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: row.name === null ? null : String(row.name),
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** The parameters of the create-token functions, in their order. */
export function createTokenParams(token: StoredToken, options: CreateTokenOptions): SqlParam[] {
  const { id, digest, userId, name, createdAt, expiresAt } = token;
  return [id, digest, userId, name, createdAt, expiresAt, options.maxPerUser ?? null, options.now];
}

/** Stores a token in one atomic statement (see `portcullis_create_token`); `false` when the cap was reached. */
export async function createToken(db: SqlClient, token: StoredToken, options: CreateTokenOptions): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT portcullis_create_token($1, $2, $3, $4, $5::bigint, $6::bigint, $7::bigint, $8::float8) AS created",
    createTokenParams(token, options),
  );
  return rows[0]?.created === true;
}

/** The token with this digest and its user (and the user's permissions if asked), in one round trip. */
export function findToken(db: SqlClient, digest: string, withPermissions = false): Promise<FoundToken | null> {
  return queryFound(db, withPermissions ? FIND_TOKEN_WITH_PERMISSIONS : FIND_TOKEN, digest, withPermissions);
}

/**
 * Runs a token lookup and answers the found token (shared with Django mode). Every token check runs through here,
 * so it is one `then` on the query rather than an async function; a client that throws synchronously still answers
 * a rejected promise.
 */
export function queryFound(db: SqlClient, text: string, digest: string, withPermissions: boolean): Promise<FoundToken | null> {
  let pending: Promise<SqlResult>;
  try {
    // `Promise.resolve`: a client answering another thenable still gets a native promise back (free for a promise).
    pending = Promise.resolve(db.query(text, [digest]));
  } catch (error) {
    return Promise.reject(error);
  }
  return pending.then(withPermissions ? foundWithPermissions : found);
}

const found = ({ rows }: SqlResult): FoundToken | null => foundToken(rows[0], false);
const foundWithPermissions = ({ rows }: SqlResult): FoundToken | null => foundToken(rows[0], true);

/** A found token from its row. */
function foundToken(row: SqlRow | undefined, withPermissions: boolean): FoundToken | null {
  if (!row) return null;
  const token = toRecord(row);
  const user = userWithId(row, row.user_id);
  return withPermissions ? { token, user, permissions: toPermissions(row) } : { token, user };
}

/** A user's tokens, oldest first (ties in insertion order). */
export async function listTokens(db: SqlClient, userId: string): Promise<TokenRecord[]> {
  const { rows } = await db.query(
    `SELECT ${TOKEN_COLUMNS} FROM portcullis_tokens AS t WHERE t.user_id = $1 ORDER BY t.created_at, t.position`,
    [userId],
  );
  return rows.map(toRecord);
}

/** Runs a DELETE on the tokens and answers how many rows it deleted. */
export async function deleteWhere(db: SqlClient, where: string, value: SqlParam): Promise<number> {
  return (await db.query(`DELETE FROM portcullis_tokens WHERE ${where}`, [value])).rowCount;
}
