/**
 * The knox capability of `d1Store` (internal), one SQL statement each, on `portcullis_knox_tokens` (knox's
 * `knox_authtoken` layout, see `0008_knox.sql`). `createKnoxToken` with a cap is one `INSERT … SELECT … WHERE count
 * < cap`: D1 runs statements one at a time, so the count and the insert cannot interleave with another call's.
 * @module
 */
import type { FoundKnoxToken, KnoxTokenStore } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import type { attempt as Attempt } from "./_errors.js";

interface KnoxRow {
  digest: string;
  token_key: string;
  user_id: string;
  created_at: number;
  expires_at: number | null;
  username: string;
  is_active: number;
  is_staff: number;
  is_superuser: number;
  user_has_expired: number;
}

const INSERT = `INSERT INTO portcullis_knox_tokens (digest, token_key, user_id, created_at, expires_at)
SELECT ?1, ?2, ?3, ?4, ?5
WHERE ?6 IS NULL OR (SELECT count(*) FROM portcullis_knox_tokens WHERE user_id = ?3 AND expires_at > ?7) < ?6`;

const FIND = `SELECT t.digest, t.token_key, t.user_id, t.created_at, t.expires_at, u.username, u.is_active, u.is_staff,
  u.is_superuser, EXISTS (SELECT 1 FROM portcullis_knox_tokens AS o WHERE o.user_id = t.user_id AND o.expires_at < ?2)
  AS user_has_expired
FROM portcullis_knox_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.token_key = ?1`;

function found(row: KnoxRow): FoundKnoxToken {
  const user = { id: row.user_id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 };
  return {
    token: {
      digest: row.digest,
      tokenKey: row.token_key,
      userId: row.user_id,
      createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    },
    user: row.is_superuser === 1 ? { ...user, isSuperuser: true } : user,
    userHasExpired: row.user_has_expired === 1,
  };
}

/** The knox capability on `db`. */
export function knoxMethods(db: D1DatabaseLike, attempt: typeof Attempt): KnoxTokenStore {
  const changes = async (sql: string, ...values: unknown[]) => (await db.prepare(sql).bind(...values).run()).meta.changes;
  return {
    createKnoxToken: (token, { maxPerUser, now }) =>
      attempt("createKnoxToken", async () =>
        (await changes(INSERT, token.digest, token.tokenKey, token.userId, token.createdAt, token.expiresAt, maxPerUser ?? null, now)) === 1),
    findKnoxTokens: (tokenKey, now) =>
      attempt("findKnoxTokens", async () => (await db.prepare(FIND).bind(tokenKey, now).all<KnoxRow>()).results.map(found)),
    deleteExpiredKnoxTokens: (userId, now) =>
      attempt("deleteExpiredKnoxTokens", () => changes("DELETE FROM portcullis_knox_tokens WHERE user_id = ?1 AND expires_at < ?2", userId, now)),
    renewKnoxToken: (digest, expiresAt) =>
      attempt("renewKnoxToken", async () => (await changes("UPDATE portcullis_knox_tokens SET expires_at = ?2 WHERE digest = ?1", digest, expiresAt)) > 0),
    deleteKnoxToken: (digest) =>
      attempt("deleteKnoxToken", async () => (await changes("DELETE FROM portcullis_knox_tokens WHERE digest = ?1", digest)) > 0),
    deleteUserKnoxTokens: (userId) => attempt("deleteUserKnoxTokens", () => changes("DELETE FROM portcullis_knox_tokens WHERE user_id = ?1", userId)),
  };
}
