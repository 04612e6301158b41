/**
 * The session methods of `d1Store` (internal), one SQL statement each. A session check (`findSession`) is a
 * single `SELECT ... JOIN` of the session with its user.
 * @module
 */
import type { SessionRecord, StoredSession, User } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";

interface SessionUserRow {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  username: string;
  is_active: number;
  is_staff: number;
}

const FIND_SESSION = `SELECT s.id, s.user_id, s.created_at, s.expires_at, u.username, u.is_active, u.is_staff
FROM portcullis_sessions AS s JOIN portcullis_users AS u ON u.id = s.user_id
WHERE s.digest = ?1`;

/** Stores a session (a foreign-key failure for an unknown user, a UNIQUE failure for a taken id or digest). */
export async function createSession(db: D1DatabaseLike, session: StoredSession): Promise<void> {
  const { id, digest, userId, createdAt, expiresAt } = session;
  await db
    .prepare("INSERT INTO portcullis_sessions (id, digest, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(id, digest, userId, createdAt, expiresAt)
    .run();
}

/** The session with this digest and its user, in one round trip (the digest is not even selected). */
export async function findSession(db: D1DatabaseLike, digest: string): Promise<{ session: SessionRecord; user: User } | null> {
  const row = await db.prepare(FIND_SESSION).bind(digest).first<SessionUserRow>();
  if (!row) return null;
  const session = { id: row.id, userId: row.user_id, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) };
  const user = { id: row.user_id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 };
  return { session, user };
}

/** Runs a DELETE on the sessions and answers how many rows it deleted. */
export async function deleteSessionsWhere(db: D1DatabaseLike, where: string, value: unknown): Promise<number> {
  const result = await db.prepare(`DELETE FROM portcullis_sessions WHERE ${where}`).bind(value).run();
  return result.meta.changes;
}
