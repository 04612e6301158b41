/**
 * The token methods of `d1Store` (internal), one SQL statement each. A token check (`findToken`) is a single
 * `SELECT ... JOIN` of the token with its user.
 * @module
 */
import type { CreateTokenOptions, StoredToken, TokenRecord, User } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";

interface TokenRow {
  id: string;
  user_id: string;
  name: string | null;
  created_at: number;
  expires_at: number | null;
}

interface TokenUserRow extends TokenRow {
  username: string;
  is_active: number;
  is_staff: number;
}

const TOKEN_COLUMNS = "t.id, t.user_id, t.name, t.created_at, t.expires_at";

/** Inserts only while the user holds fewer than `?7` unexpired tokens (no cap when `?7` is NULL). */
const INSERT_TOKEN = `INSERT INTO portcullis_tokens (id, digest, user_id, name, created_at, expires_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6
WHERE ?7 IS NULL OR (
  SELECT count(*) FROM portcullis_tokens WHERE user_id = ?3 AND (expires_at IS NULL OR expires_at > ?8)
) < ?7`;

const FIND_TOKEN = `SELECT ${TOKEN_COLUMNS}, u.username, u.is_active, u.is_staff
FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.digest = ?1`;

/** A token record from its row (never the digest, which is not even selected). */
function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** Stores a token in one atomic statement; `false` when the cap was reached (no row inserted). */
export async function createToken(db: D1DatabaseLike, token: StoredToken, options: CreateTokenOptions): Promise<boolean> {
  const { id, digest, userId, name, createdAt, expiresAt } = token;
  const result = await db
    .prepare(INSERT_TOKEN)
    .bind(id, digest, userId, name, createdAt, expiresAt, options.maxPerUser ?? null, options.now)
    .run();
  return result.meta.changes === 1;
}

/** The token with this digest and its user, in one round trip. */
export async function findToken(db: D1DatabaseLike, digest: string): Promise<{ token: TokenRecord; user: User } | null> {
  const row = await db.prepare(FIND_TOKEN).bind(digest).first<TokenUserRow>();
  if (!row) return null;
  const user = { id: row.user_id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 };
  return { token: toRecord(row), user };
}

/** A user's tokens, oldest first (ties in insertion order). */
export async function listTokens(db: D1DatabaseLike, userId: string): Promise<TokenRecord[]> {
  const { results } = await db
    .prepare(`SELECT ${TOKEN_COLUMNS} FROM portcullis_tokens AS t WHERE t.user_id = ?1 ORDER BY t.created_at, t.rowid`)
    .bind(userId)
    .all<TokenRow>();
  return results.map(toRecord);
}

/** Runs a DELETE and answers how many rows it deleted. */
export async function deleteWhere(db: D1DatabaseLike, where: string, value: unknown): Promise<number> {
  const result = await db.prepare(`DELETE FROM portcullis_tokens WHERE ${where}`).bind(value).run();
  return result.meta.changes;
}
