/**
 * The API key methods of `postgresStore` (internal), one SQL statement each, in both modes. `touchApiKey` is one
 * conditional UPDATE (the row lock serialises concurrent ones, and the second re-checks the condition), so
 * `last_used_at` is written once per interval however many requests race. `rotateApiKey` is one statement: the
 * UPDATE that claims the old key (`replaced_by IS NULL`, re-checked after a concurrent writer's row lock) feeds the
 * INSERT of the replacement, so exactly one concurrent rotation wins and none follows a concurrent delete.
 * @module
 */
import type { ApiKeyRecord, ApiKeyRotation, ApiKeyStore } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { attempt, badAnswer } from "./_errors.js";

// Scopes go in as text cast to jsonb: bound as jsonb, postgres.js would JSON-encode the JSON text a second time.
const COLUMNS = "id, owner_id, name, scopes::text AS scopes, created_at, expires_at, last_used_at";
const num = (value: unknown) => (value === null ? null : Number(value));

function toRecord(row: SqlRow): ApiKeyRecord {
  const scopes: unknown = JSON.parse(String(row.scopes));
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string")) throw badAnswer("findApiKey");
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    name: row.name === null ? null : String(row.name),
    scopes,
    createdAt: Number(row.created_at),
    expiresAt: num(row.expires_at),
    lastUsedAt: num(row.last_used_at),
  };
}

/** The API key capability on `db`. */
export function apiKeyStore(db: SqlClient): ApiKeyStore {
  const changes = async (sql: string, params: (string | number)[]) => (await db.query(sql, params)).rowCount;
  return {
    createApiKey: (key) =>
      attempt("createApiKey", async () => {
        await db.query(
          `INSERT INTO portcullis_api_keys (id, digest, owner_id, name, scopes, created_at, expires_at, last_used_at)
           VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::bigint, $7::bigint, $8::bigint)`,
          [key.id, key.digest, key.ownerId, key.name, JSON.stringify(key.scopes), key.createdAt, key.expiresAt, key.lastUsedAt],
        );
      }),
    findApiKey: (id) =>
      attempt("findApiKey", async () => {
        const { rows } = await db.query(`SELECT digest, ${COLUMNS} FROM portcullis_api_keys WHERE id = $1`, [id]);
        const row = rows[0];
        return row ? { ...toRecord(row), digest: String(row.digest) } : null;
      }),
    listApiKeys: (ownerId) =>
      attempt("listApiKeys", async () => {
        const { rows } = await db.query(
          `SELECT ${COLUMNS} FROM portcullis_api_keys WHERE owner_id = $1 ORDER BY created_at, position`,
          [ownerId],
        );
        return rows.map(toRecord);
      }),
    expireApiKey: (id, expiresAt) =>
      attempt("expireApiKey", async () =>
        (await changes(
          "UPDATE portcullis_api_keys SET expires_at = LEAST(coalesce(expires_at, $2::bigint), $2::bigint) WHERE id = $1",
          [id, expiresAt],
        )) > 0),
    rotateApiKey: (id, next, expiresAt, now) =>
      attempt("rotateApiKey", async (): Promise<ApiKeyRotation> => {
        const { rowCount: inserted } = await db.query(
          `WITH claimed AS (
             UPDATE portcullis_api_keys SET replaced_by = $2, expires_at = LEAST(coalesce(expires_at, $10::bigint), $10::bigint)
             WHERE id = $1 AND replaced_by IS NULL AND (expires_at IS NULL OR expires_at > $11::bigint)
             RETURNING id
           )
           INSERT INTO portcullis_api_keys (id, digest, owner_id, name, scopes, created_at, expires_at, last_used_at)
           SELECT $2, $3, $4, $5, $6::text::jsonb, $7::bigint, $8::bigint, $9::bigint FROM claimed`,
          [id, next.id, next.digest, next.ownerId, next.name, JSON.stringify(next.scopes), next.createdAt, next.expiresAt, next.lastUsedAt, expiresAt, now],
        );
        if (inserted > 0) return "rotated";
        // Lost: tell an already rotated live key (conflict) from none (a separate read: the statement's snapshot
        // predates the winner's commit).
        const { rows } = await db.query(
          "SELECT 1 FROM portcullis_api_keys WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2::bigint)",
          [id, now],
        );
        return rows.length > 0 ? "conflict" : "missing";
      }),
    touchApiKey: (id, at, minIntervalMs) =>
      attempt("touchApiKey", async () =>
        (await changes(
          `UPDATE portcullis_api_keys SET last_used_at = $2::bigint
           WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::bigint - $3::bigint)`,
          [id, at, minIntervalMs],
        )) > 0),
    deleteApiKey: (id) =>
      attempt("deleteApiKey", async () => (await changes("DELETE FROM portcullis_api_keys WHERE id = $1", [id])) > 0),
    deleteExpiredApiKeys: (now) =>
      attempt("deleteExpiredApiKeys", () =>
        changes("DELETE FROM portcullis_api_keys WHERE expires_at IS NOT NULL AND expires_at <= $1::float8", [now])),
  };
}
