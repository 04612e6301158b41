/**
 * The API key methods of `d1Store` (internal), one SQL statement each. `touchApiKey` is one conditional UPDATE,
 * so concurrent requests write `last_used_at` once per interval. `rotateApiKey` is one batch (a transaction): the
 * UPDATE that claims the old key (`replaced_by IS NULL`), then the replacement's INSERT, made only if the old row now
 * names this replacement, so exactly one concurrent rotation wins and none follows a concurrent delete.
 * @module
 */
import type { ApiKeyRecord, ApiKeyRotation, ApiKeyStore, StoredApiKey } from "@portcullis/core";
import type { D1DatabaseLike, D1ResultLike } from "./d1-types.js";
import type { attempt as Attempt } from "./_errors.js";
import { badAnswer } from "./_errors.js";

interface ApiKeyRow {
  id: string;
  digest: string;
  owner_id: string;
  name: string | null;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

const COLUMNS = "id, owner_id, name, scopes, created_at, expires_at, last_used_at";
const num = (value: number | null) => (value === null ? null : Number(value));

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  const scopes: unknown = JSON.parse(row.scopes);
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string")) throw badAnswer("findApiKey");
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    scopes,
    createdAt: Number(row.created_at),
    expiresAt: num(row.expires_at),
    lastUsedAt: num(row.last_used_at),
  };
}

/** The API key capability on `db`. */
export function apiKeyMethods(db: D1DatabaseLike, attempt: typeof Attempt): ApiKeyStore {
  const changes = async (sql: string, ...values: unknown[]) => (await db.prepare(sql).bind(...values).run()).meta.changes;
  return {
    createApiKey: (key: StoredApiKey) =>
      attempt("createApiKey", async () => {
        await db
          .prepare(`INSERT INTO portcullis_api_keys (digest, ${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`)
          .bind(key.digest, key.id, key.ownerId, key.name, JSON.stringify(key.scopes), key.createdAt, key.expiresAt, key.lastUsedAt)
          .run();
      }),
    findApiKey: (id) =>
      attempt("findApiKey", async () => {
        const row = await db.prepare(`SELECT digest, ${COLUMNS} FROM portcullis_api_keys WHERE id = ?1`).bind(id).first<ApiKeyRow>();
        return row ? { ...toRecord(row), digest: row.digest } : null;
      }),
    listApiKeys: (ownerId) =>
      attempt("listApiKeys", async () => {
        const { results } = await db
          .prepare(`SELECT ${COLUMNS} FROM portcullis_api_keys WHERE owner_id = ?1 ORDER BY created_at, rowid`)
          .bind(ownerId)
          .all<ApiKeyRow>();
        return results.map(toRecord);
      }),
    expireApiKey: (id, expiresAt) =>
      attempt("expireApiKey", async () =>
        (await changes(
          "UPDATE portcullis_api_keys SET expires_at = CASE WHEN expires_at IS NULL OR expires_at > ?2 THEN ?2 ELSE expires_at END WHERE id = ?1",
          id,
          expiresAt,
        )) > 0),
    rotateApiKey: (id, next, expiresAt, now) =>
      attempt("rotateApiKey", async (): Promise<ApiKeyRotation> => {
        const results = (await db.batch([
          db
            .prepare(
              `UPDATE portcullis_api_keys SET replaced_by = ?2, expires_at = CASE WHEN expires_at IS NULL OR expires_at > ?3 THEN ?3 ELSE expires_at END
               WHERE id = ?1 AND replaced_by IS NULL AND (expires_at IS NULL OR expires_at > ?4)`,
            )
            .bind(id, next.id, expiresAt, now),
          db
            .prepare(
              `INSERT INTO portcullis_api_keys (digest, ${COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
               WHERE EXISTS (SELECT 1 FROM portcullis_api_keys WHERE id = ?9 AND replaced_by = ?2)`,
            )
            .bind(next.digest, next.id, next.ownerId, next.name, JSON.stringify(next.scopes), next.createdAt, next.expiresAt, next.lastUsedAt, id),
        ])) as D1ResultLike[];
        if ((results[1]?.meta.changes ?? 0) > 0) return "rotated";
        const live = await db
          .prepare("SELECT 1 AS live FROM portcullis_api_keys WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)")
          .bind(id, now)
          .first();
        return live === null ? "missing" : "conflict";
      }),
    touchApiKey: (id, at, minIntervalMs) =>
      attempt("touchApiKey", async () =>
        (await changes(
          "UPDATE portcullis_api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - ?3)",
          id,
          at,
          minIntervalMs,
        )) > 0),
    deleteApiKey: (id) => attempt("deleteApiKey", async () => (await changes("DELETE FROM portcullis_api_keys WHERE id = ?1", id)) > 0),
    deleteExpiredApiKeys: (now) =>
      attempt("deleteExpiredApiKeys", () => changes("DELETE FROM portcullis_api_keys WHERE expires_at IS NOT NULL AND expires_at <= ?1", now)),
  };
}
