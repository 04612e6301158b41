/**
 * The API key table of `memoryStore` (internal): keys by id, with a unique digest index. Every method is
 * synchronous under the hood, so each is atomic within the process.
 * @module
 */
import { ConflictError, type ApiKeyRecord, type ApiKeyStore, type StoredApiKey } from "@portcullis/core";

const copy = (key: StoredApiKey): StoredApiKey => ({ ...key, scopes: [...key.scopes] });

/** The API key capability held in a `Map`. */
export class ApiKeys {
  readonly #byId = new Map<string, StoredApiKey>();
  readonly #digests = new Set<string>();
  /** Ids of keys already rotated (a key is rotated at most once). */
  readonly #rotated = new Set<string>();

  methods(): ApiKeyStore {
    return {
      createApiKey: async (key) => this.#create(key),
      findApiKey: async (id) => {
        const key = this.#byId.get(id);
        return key ? copy(key) : null;
      },
      listApiKeys: async (ownerId) =>
        [...this.#byId.values()]
          .filter((key) => key.ownerId === ownerId)
          .sort((a, b) => a.createdAt - b.createdAt)
          .map(({ digest: _digest, ...record }): ApiKeyRecord => ({ ...record, scopes: [...record.scopes] })),
      expireApiKey: async (id, expiresAt) => {
        const key = this.#byId.get(id);
        if (!key) return false;
        if (key.expiresAt === null || key.expiresAt > expiresAt) this.#byId.set(id, { ...key, expiresAt });
        return true;
      },
      rotateApiKey: async (id, replacement, expiresAt, now) => {
        const key = this.#byId.get(id);
        if (!key || (key.expiresAt !== null && key.expiresAt <= now)) return "missing";
        if (this.#rotated.has(id)) return "conflict";
        this.#create(replacement);
        this.#rotated.add(id);
        if (key.expiresAt === null || key.expiresAt > expiresAt) this.#byId.set(id, { ...key, expiresAt });
        return "rotated";
      },
      touchApiKey: async (id, at, minIntervalMs) => {
        const key = this.#byId.get(id);
        if (!key || (key.lastUsedAt !== null && key.lastUsedAt > at - minIntervalMs)) return false;
        this.#byId.set(id, { ...key, lastUsedAt: at });
        return true;
      },
      deleteApiKey: async (id) => this.#delete(id),
      deleteExpiredApiKeys: async (now) => {
        let deleted = 0;
        for (const key of [...this.#byId.values()]) {
          if (key.expiresAt !== null && key.expiresAt <= now && this.#delete(key.id)) deleted += 1;
        }
        return deleted;
      },
    };
  }

  #create(key: StoredApiKey): void {
    if (this.#byId.has(key.id)) throw new ConflictError("id");
    if (this.#digests.has(key.digest)) throw new ConflictError("digest");
    this.#byId.set(key.id, copy(key));
    this.#digests.add(key.digest);
  }

  #delete(id: string): boolean {
    const key = this.#byId.get(id);
    if (!key) return false;
    this.#byId.delete(id);
    this.#digests.delete(key.digest);
    this.#rotated.delete(id);
    return true;
  }
}
