/**
 * The `ApiKeyStore` conformance suite: create, find by id, list per owner, expire (never extend), the
 * conditional `lastUsedAt` write, delete, purge, and atomicity of `touchApiKey` under concurrency.
 * @module
 */
import { describe, expect, it } from "vitest";
import { ConflictError } from "@portcullis/core";
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey } from "@portcullis/core";
import { T0, randomHex, uniqueName } from "./_fixtures.js";
import { suite } from "./_suite.js";
import type { ConformanceOptions } from "./conformance.js";

function newApiKey(overrides: Partial<StoredApiKey> = {}): StoredApiKey {
  return {
    id: randomHex(6),
    digest: randomHex(32),
    ownerId: uniqueName("owner"),
    name: null,
    scopes: [],
    createdAt: T0,
    expiresAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

function recordOf({ digest: _digest, ...record }: StoredApiKey): ApiKeyRecord {
  return record;
}

/**
 * Registers the `ApiKeyStore` conformance tests with vitest. `makeStore` answers a store without earlier state
 * (or one where unique ids suffice).
 * @example
 * ```ts
 * runApiKeyStoreConformance("memoryStore", () => memoryStore());
 * ```
 */
export function runApiKeyStoreConformance<S extends ApiKeyStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: ConformanceOptions<S> = {},
): void {
  suite(`${name} (API key store conformance)`, makeStore, options, (store) => {
    describe("API keys: create, find, list", () => {
      it("createApiKey stores a key that findApiKey answers with its digest, scopes in order", async () => {
        const key = newApiKey({ name: "ci", scopes: ["b:write", "a:read"], expiresAt: T0 + 1000 });
        await store().createApiKey(key);
        expect(await store().findApiKey(key.id)).toEqual(key);
        expect(await store().findApiKey(randomHex(6))).toBeNull();
      });

      it("createApiKey throws ConflictError on a duplicate id or digest", async () => {
        const key = newApiKey();
        await store().createApiKey(key);
        await expect(store().createApiKey(newApiKey({ id: key.id }))).rejects.toBeInstanceOf(ConflictError);
        await expect(store().createApiKey(newApiKey({ digest: key.digest }))).rejects.toBeInstanceOf(ConflictError);
      });

      it("listApiKeys answers the owner's keys oldest first, without digests", async () => {
        const ownerId = uniqueName("owner");
        const later = newApiKey({ ownerId, createdAt: T0 + 5 });
        const first = newApiKey({ ownerId, createdAt: T0 });
        await store().createApiKey(later);
        await store().createApiKey(first);
        await store().createApiKey(newApiKey());
        const listed = await store().listApiKeys(ownerId);
        expect(listed).toEqual([recordOf(first), recordOf(later)]);
        for (const record of listed) expect(record).not.toHaveProperty("digest");
        expect(await store().listApiKeys(uniqueName("nobody"))).toEqual([]);
      });
    });

    describe("API keys: expire, touch, delete", () => {
      it("expireApiKey moves the expiry earlier, never later, and answers whether the key exists", async () => {
        const forever = newApiKey();
        const soon = newApiKey({ expiresAt: T0 + 100 });
        await store().createApiKey(forever);
        await store().createApiKey(soon);
        expect(await store().expireApiKey(forever.id, T0 + 500)).toBe(true);
        expect(await store().expireApiKey(soon.id, T0 + 500)).toBe(true);
        expect((await store().findApiKey(forever.id))?.expiresAt).toBe(T0 + 500);
        expect((await store().findApiKey(soon.id))?.expiresAt).toBe(T0 + 100);
        expect(await store().expireApiKey(randomHex(6), T0)).toBe(false);
      });

      it("touchApiKey writes lastUsedAt only when it is null or at least the interval old", async () => {
        const key = newApiKey();
        await store().createApiKey(key);
        expect(await store().touchApiKey(key.id, T0 + 10, 1000)).toBe(true);
        expect(await store().touchApiKey(key.id, T0 + 500, 1000)).toBe(false);
        expect((await store().findApiKey(key.id))?.lastUsedAt).toBe(T0 + 10);
        expect(await store().touchApiKey(key.id, T0 + 1010, 1000)).toBe(true);
        expect((await store().findApiKey(key.id))?.lastUsedAt).toBe(T0 + 1010);
        expect(await store().touchApiKey(randomHex(6), T0, 1000)).toBe(false);
      });

      it("of 50 concurrent touchApiKey calls in one interval exactly one writes", async () => {
        const key = newApiKey();
        await store().createApiKey(key);
        const writes = await Promise.all(Array.from({ length: 50 }, (_, i) => store().touchApiKey(key.id, T0 + i, 60_000)));
        expect(writes.filter(Boolean)).toHaveLength(1);
      });

      it("deleteApiKey deletes one key; deleteExpiredApiKeys those with expiresAt <= now", async () => {
        const key = newApiKey();
        const [dead, edge, live] = [T0 - 1, T0, T0 + 1].map((expiresAt) => newApiKey({ expiresAt }));
        for (const k of [key, dead!, edge!, live!]) await store().createApiKey(k);
        expect(await store().deleteApiKey(key.id)).toBe(true);
        expect(await store().deleteApiKey(key.id)).toBe(false);
        expect(await store().findApiKey(key.id)).toBeNull();
        expect(await store().deleteExpiredApiKeys(T0)).toBeGreaterThanOrEqual(2);
        expect(await store().findApiKey(dead!.id)).toBeNull();
        expect(await store().findApiKey(edge!.id)).toBeNull();
        expect(await store().findApiKey(live!.id)).toEqual(live);
      });
    });
  });
}
