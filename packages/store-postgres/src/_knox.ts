/**
 * The knox capability of `postgresStore` (internal), one SQL statement each, in both modes on one layout: Django
 * mode reads and writes django-rest-knox's own `knox_authtoken` rows (the SHA-512 `digest` is knox's primary key, as
 * knox stores it, so Django and Portcullis share tokens) joined with `auth_user`; Portcullis's own mode keeps the
 * same columns in `portcullis_knox_tokens` (see `0009_knox_tokens.sql`). Times are timestamptz, read back as epoch ms.
 * @module
 */
import type { FoundKnoxToken, KnoxTokenStore } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { attempt } from "./_errors.js";
import { djangoId } from "./_django-users.js";
import { toUser } from "./_users.js";

const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
const ts = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

interface Layout {
  readonly tokens: string;
  readonly users: string;
  /** The user id parameter's cast. */
  readonly userType: string;
  readonly create: string;
  /** The user id as the table holds it, or `null` when it cannot name a user. */
  readonly userId: (id: string) => string | null;
}

const OWN: Layout = { tokens: "portcullis_knox_tokens", users: "portcullis_users", userType: "text", create: "portcullis_create_knox_token", userId: (id) => id };
const DJANGO: Layout = { tokens: "knox_authtoken", users: "auth_user", userType: "bigint", create: "portcullis_django_create_knox_token", userId: djangoId };

function found(row: SqlRow): FoundKnoxToken {
  return {
    token: {
      digest: String(row.digest),
      tokenKey: String(row.token_key),
      userId: String(row.user_id),
      createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    },
    user: toUser({ ...row, id: row.user_id }),
    userHasExpired: row.user_has_expired === true,
  };
}

/** The knox capability on `db`: knox's own table in Django mode, Portcullis's otherwise. */
export function knoxTokenStore(db: SqlClient, isDjango: boolean): KnoxTokenStore {
  const { tokens, users, userType, create, userId } = isDjango ? DJANGO : OWN;
  const find = `SELECT t.digest, t.token_key, t.user_id::text AS user_id, ${ms("t.created")} AS created_at,
    ${ms("t.expiry")} AS expires_at, u.username, u.is_active, u.is_staff, u.is_superuser,
    EXISTS (SELECT 1 FROM ${tokens} AS o WHERE o.user_id = t.user_id AND o.expiry < ${ts("$2")}) AS user_has_expired
    FROM ${tokens} AS t JOIN ${users} AS u ON u.id = t.user_id WHERE t.token_key = $1`;
  const changes = async (sql: string, params: (string | number)[]) => (await db.query(sql, params)).rowCount;
  return {
    createKnoxToken: (token, { maxPerUser, now }) =>
      attempt("createKnoxToken", async () => {
        const id = userId(token.userId);
        const params = [token.digest, token.tokenKey, id, token.createdAt, token.expiresAt, maxPerUser ?? null, now];
        const sql = `SELECT ${create}($1, $2, $3::${userType}, $4::float8, $5::float8, $6::bigint, $7::float8) AS created`;
        const { rows } = await db.query(sql, params);
        return rows[0]?.created === true;
      }),
    findKnoxTokens: (tokenKey, now) => attempt("findKnoxTokens", async () => (await db.query(find, [tokenKey, now])).rows.map(found)),
    deleteExpiredKnoxTokens: (user, now) =>
      attempt("deleteExpiredKnoxTokens", async () => {
        const id = userId(user);
        return id === null ? 0 : changes(`DELETE FROM ${tokens} WHERE user_id = $1::${userType} AND expiry < ${ts("$2")}`, [id, now]);
      }),
    renewKnoxToken: (digest, expiresAt) =>
      attempt("renewKnoxToken", async () => (await changes(`UPDATE ${tokens} SET expiry = ${ts("$2")} WHERE digest = $1`, [digest, expiresAt])) > 0),
    deleteKnoxToken: (digest) => attempt("deleteKnoxToken", async () => (await changes(`DELETE FROM ${tokens} WHERE digest = $1`, [digest])) > 0),
    deleteUserKnoxTokens: (user) =>
      attempt("deleteUserKnoxTokens", async () => {
        const id = userId(user);
        return id === null ? 0 : changes(`DELETE FROM ${tokens} WHERE user_id = $1::${userType}`, [id]);
      }),
  };
}
