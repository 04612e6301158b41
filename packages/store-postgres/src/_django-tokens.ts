/**
 * The token methods of `postgresStore` in Django mode (internal), one SQL statement each. Two tables hold tokens:
 * `portcullis_django_tokens` (issued by Portcullis, stored as SHA-256 digests) and DRF's `authtoken_token`
 * (plaintext 40-character keys, one per user, never expiring; its primary key is the key itself, so Portcullis
 * names a DRF token `drf:<user id>`). A token check looks in both and joins `auth_user`, in one round trip.
 * @module
 */
import type { CreateTokenOptions, StoredToken, TokenRecord } from "@portcullis/core";
import type { SqlClient } from "./client.js";
import { djangoId } from "./_django-users.js";
import { DJANGO_NAMES } from "./_permissions.js";
import { TOKEN_COLUMNS, createTokenParams, queryFound, toRecord, type FoundToken } from "./_tokens.js";

/** The digest of a DRF key, as `tokenDigest` computes it (SHA-256 of its UTF-8 bytes, lowercase hex). */
export const DRF_KEY_DIGEST = "encode(sha256(decode(replace(d.key, E'\\\\', E'\\\\\\\\'), 'escape')), 'hex')";

/** DRF's tokens as token rows: id `drf:<user id>`, name `drf`, created at `created`, no expiry. */
const DRF_TOKENS = `SELECT 'drf:' || d.user_id AS id, d.user_id, 'drf' AS name,
  floor(extract(epoch FROM d.created) * 1000)::bigint AS created_at, NULL::bigint AS expires_at, 0::bigint AS position
  FROM authtoken_token AS d`;

// Portcullis's own tokens are found by their unique digest index; DRF's by the digest of the key, computed in SQL
// (an index on that expression, which the Django project may add in a migration of its own, makes it an index
// lookup; see the README). The first branch that finds the key ends the search.
const findTokenSql = (extraColumns: string) => `SELECT t.id, t.user_id::text AS user_id, t.name, t.created_at, t.expires_at,
  u.username, u.is_active, u.is_staff, u.is_superuser${extraColumns}
FROM (
  SELECT id, user_id, name, created_at, expires_at FROM portcullis_django_tokens WHERE digest = $1
  UNION ALL
  SELECT id, user_id, name, created_at, expires_at FROM (${DRF_TOKENS} WHERE ${DRF_KEY_DIGEST} = $1) AS drf
) AS t JOIN auth_user AS u ON u.id = t.user_id
LIMIT 1`;
const FIND_TOKEN = findTokenSql("");
const FIND_TOKEN_WITH_PERMISSIONS = findTokenSql(`, ${DJANGO_NAMES}`);

const LIST_TOKENS = `SELECT ${TOKEN_COLUMNS} FROM (
  SELECT id, user_id::text AS user_id, name, created_at, expires_at, position FROM portcullis_django_tokens
  WHERE user_id = $1::bigint
  UNION ALL
  SELECT id, user_id::text, name, created_at, expires_at, position FROM (${DRF_TOKENS} WHERE d.user_id = $1::bigint) AS drf
) AS t ORDER BY t.created_at, t.position`;

const DELETE_USER_TOKENS = `WITH mine AS (DELETE FROM portcullis_django_tokens WHERE user_id = $1::bigint RETURNING 1),
  drf AS (DELETE FROM authtoken_token WHERE user_id = $1::bigint RETURNING 1)
SELECT (SELECT count(*) FROM mine) + (SELECT count(*) FROM drf) AS deleted`;

/** Stores a token in one atomic statement (see `portcullis_django_create_token`); `false` at the cap. */
export async function createToken(db: SqlClient, token: StoredToken, options: CreateTokenOptions): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT portcullis_django_create_token($1, $2, $3::bigint, $4, $5::bigint, $6::bigint, $7::bigint, $8::float8) AS created",
    createTokenParams(token, options),
  );
  return rows[0]?.created === true;
}

/** The token (Portcullis's or DRF's) whose key has this digest, joined with its user, in one round trip. */
export function findToken(db: SqlClient, digest: string, withPermissions = false): Promise<FoundToken | null> {
  return queryFound(db, withPermissions ? FIND_TOKEN_WITH_PERMISSIONS : FIND_TOKEN, digest, withPermissions);
}

/** A user's tokens, the DRF token among them, oldest first. */
export async function listTokens(db: SqlClient, userId: string): Promise<TokenRecord[]> {
  const id = djangoId(userId);
  return id === null ? [] : (await db.query(LIST_TOKENS, [id])).rows.map(toRecord);
}

/** Deletes one token: `drf:<user id>` is that user's DRF token, any other id one of Portcullis's. */
export async function deleteToken(db: SqlClient, tokenId: string): Promise<boolean> {
  const drfUser = /^drf:(.*)$/.exec(tokenId);
  if (drfUser) {
    const id = djangoId(drfUser[1] as string);
    return id !== null && (await db.query("DELETE FROM authtoken_token WHERE user_id = $1::bigint", [id])).rowCount > 0;
  }
  return (await db.query("DELETE FROM portcullis_django_tokens WHERE id = $1", [tokenId])).rowCount > 0;
}

/** Deletes every token of a user, their DRF token included (as `drf_create_token -r` replaces it); answers how many. */
export async function deleteUserTokens(db: SqlClient, userId: string): Promise<number> {
  const id = djangoId(userId);
  return id === null ? 0 : Number((await db.query(DELETE_USER_TOKENS, [id])).rows[0]?.deleted ?? 0);
}

/** Deletes Portcullis's tokens with `expiresAt <= now` (DRF tokens never expire); answers how many. */
export async function deleteExpiredTokens(db: SqlClient, now: number): Promise<number> {
  const sql = "DELETE FROM portcullis_django_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1::float8";
  return (await db.query(sql, [now])).rowCount;
}
