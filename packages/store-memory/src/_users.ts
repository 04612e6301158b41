/**
 * The user table of `memoryStore` (internal).
 * @module
 */
import { ConflictError, randomId, type NewUser, type User, type UserCredentials } from "@portcullis/core";


/** A stored row: the user's fields and its hash. */
interface UserRow extends User {
  readonly passwordHash: string;
}

/** A user without its hash: a fresh object, so callers never hold the store's own rows. */
function publicUser({ id, username, isActive, isStaff, isSuperuser }: UserRow): User {
  return { id, username, isActive, isStaff, ...(isSuperuser === true ? { isSuperuser } : {}) };
}

/** Users by id, with a unique, case-sensitive username index. */
export class Users {
  readonly #byId = new Map<string, UserRow>();
  readonly #idByUsername = new Map<string, string>();

  create(user: NewUser): User {
    const id = user.id ?? randomId();
    if (this.#byId.has(id)) throw new ConflictError("id");
    if (this.#idByUsername.has(user.username)) throw new ConflictError("username");
    const row: UserRow = {
      id,
      username: user.username,
      passwordHash: user.passwordHash,
      isActive: user.isActive ?? true,
      isStaff: user.isStaff ?? false,
      isSuperuser: user.isSuperuser ?? false,
    };
    this.#byId.set(id, row);
    this.#idByUsername.set(row.username, id);
    return publicUser(row);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  byId(id: string): User | null {
    const row = this.#byId.get(id);
    return row ? publicUser(row) : null;
  }

  byUsername(username: string): UserCredentials | null {
    const id = this.#idByUsername.get(username);
    const row = id === undefined ? undefined : this.#byId.get(id);
    return row ? { user: publicUser(row), passwordHash: row.passwordHash } : null;
  }

  credentialsById(id: string): UserCredentials | null {
    const row = this.#byId.get(id);
    return row ? { user: publicUser(row), passwordHash: row.passwordHash } : null;
  }

  /** Changes a username; throws `ConflictError` when another user holds it. */
  rename(id: string, username: string): void {
    const row = this.#byId.get(id);
    if (!row || row.username === username) return;
    if (this.#idByUsername.has(username)) throw new ConflictError("username");
    this.#idByUsername.delete(row.username);
    this.#idByUsername.set(username, id);
    this.#byId.set(id, { ...row, username });
  }

  setPasswordHash(id: string, passwordHash: string): void {
    const row = this.#byId.get(id);
    if (row) this.#byId.set(id, { ...row, passwordHash });
  }
}
