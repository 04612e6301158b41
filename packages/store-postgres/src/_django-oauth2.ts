/**
 * django-oauth-toolkit's access tokens for `postgresStore` in Django mode (internal): a resource server's read of
 * `oauth2_provider_accesstoken` by `token_checksum` (DOT 2+ stores the SHA-256 hex of the token there, unique),
 * with the application's `client_id` and the user joined, in one statement. Read only: DOT issues and revokes.
 * @module
 */
import type { OAuth2TokenStore, StoredOAuth2AccessToken } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { attempt } from "./_errors.js";
import { toUser } from "./_users.js";

const FIND_ACCESS_TOKEN = `SELECT t.id::text AS token_id, t.scope, floor(extract(epoch FROM t.expires) * 1000)::float8 AS expires_at,
  t.application_id::text AS application_id, a.client_id,
  u.id::text AS id, u.username, u.is_active, u.is_staff, u.is_superuser
FROM oauth2_provider_accesstoken AS t
LEFT JOIN oauth2_provider_application AS a ON a.id = t.application_id
LEFT JOIN auth_user AS u ON u.id = t.user_id
WHERE t.token_checksum = $1
LIMIT 1`;

/** A checksum as DOT writes it: 64 lowercase hex characters. Anything else is not found, without a query. */
const CHECKSUM = /^[0-9a-f]{64}$/;

function toAccessToken(row: SqlRow): StoredOAuth2AccessToken {
  const expires = row.expires_at === null ? null : Number(row.expires_at);
  return {
    id: String(row.token_id),
    scope: typeof row.scope === "string" ? row.scope : "",
    expiresAt: expires !== null && Number.isFinite(expires) ? expires : null,
    applicationId: row.application_id === null ? null : String(row.application_id),
    clientId: row.client_id === null ? null : String(row.client_id),
    user: row.id === null ? null : toUser(row),
  };
}

/** The `OAuth2TokenStore` capability on DOT's tables. */
export function djangoOAuth2Store(db: SqlClient): OAuth2TokenStore {
  return {
    findOAuth2AccessToken: async (checksum) => {
      if (typeof checksum !== "string" || !CHECKSUM.test(checksum)) return null;
      const { rows } = await attempt("findOAuth2AccessToken", () => db.query(FIND_ACCESS_TOKEN, [checksum]));
      return rows[0] === undefined ? null : toAccessToken(rows[0]);
    },
  };
}
