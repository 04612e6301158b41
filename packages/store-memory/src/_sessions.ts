/**
 * The session table of `memoryStore` (internal): sessions by id, with a unique digest index.
 * @module
 */
import { ConflictError, type SessionRecord, type StoredSession } from "@portcullis/core";

/** The record of a session: a fresh object without the digest. */
export function sessionRecordOf({ id, userId, createdAt, expiresAt }: StoredSession): SessionRecord {
  return { id, userId, createdAt, expiresAt };
}

/** The session table. Every method is synchronous, so each is atomic within the process. */
export class Sessions {
  readonly #byId = new Map<string, StoredSession>();
  readonly #byDigest = new Map<string, StoredSession>();

  create(session: StoredSession): void {
    if (this.#byId.has(session.id)) throw new ConflictError("id");
    if (this.#byDigest.has(session.digest)) throw new ConflictError("digest");
    const row: StoredSession = { ...sessionRecordOf(session), digest: session.digest };
    this.#byId.set(row.id, row);
    this.#byDigest.set(row.digest, row);
  }

  byDigest(digest: string): StoredSession | null {
    return this.#byDigest.get(digest) ?? null;
  }

  delete(id: string): boolean {
    const session = this.#byId.get(id);
    if (!session) return false;
    this.#byId.delete(id);
    this.#byDigest.delete(session.digest);
    return true;
  }

  /** Deletes the sessions that `matches`; answers how many. */
  deleteWhere(matches: (session: StoredSession) => boolean): number {
    let deleted = 0;
    for (const session of [...this.#byId.values()]) if (matches(session) && this.delete(session.id)) deleted += 1;
    return deleted;
  }
}
