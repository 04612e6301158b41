/**
 * The `ApiKeyStore` conformance suite: create, find by id, list per owner, expire (never extend), the
 * conditional `lastUsedAt` write, delete, purge, and atomicity of `touchApiKey` and `rotateApiKey` under
 * concurrency (also against a racing delete).
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

    describe("API keys: rotate", () => {
      it("rotateApiKey stores the replacement, moves the old expiry earlier only, and rotates a key once", async () => {
        const old = newApiKey({ expiresAt: T0 + 10_000 });
        await store().createApiKey(old);
        const next = newApiKey({ ownerId: old.ownerId });
        expect(await store().rotateApiKey(old.id, next, T0 + 500, T0)).toBe("rotated");
        expect(await store().findApiKey(next.id)).toEqual(next);
        expect((await store().findApiKey(old.id))?.expiresAt).toBe(T0 + 500);
        expect(await store().rotateApiKey(old.id, newApiKey(), T0 + 400, T0 + 1)).toBe("conflict");
        expect((await store().findApiKey(old.id))?.expiresAt).toBe(T0 + 500);
        expect(await store().rotateApiKey(old.id, newApiKey(), T0 + 900, T0 + 500)).toBe("missing");
        const soon = newApiKey({ expiresAt: T0 + 100 });
        await store().createApiKey(soon);
        expect(await store().rotateApiKey(soon.id, newApiKey(), T0 + 500, T0)).toBe("rotated");
        expect((await store().findApiKey(soon.id))?.expiresAt).toBe(T0 + 100);
        expect((await store().listApiKeys(old.ownerId)).map((k) => k.id)).toEqual([old.id, next.id]);
      });

      it("rotateApiKey answers missing for an unknown, expired or deleted key and then stores nothing", async () => {
        const expired = newApiKey({ expiresAt: T0 });
        const deleted = newApiKey();
        await store().createApiKey(expired);
        await store().createApiKey(deleted);
        await store().deleteApiKey(deleted.id);
        for (const id of [randomHex(6), expired.id, deleted.id]) {
          const next = newApiKey();
          expect(await store().rotateApiKey(id, next, T0 + 500, T0)).toBe("missing");
          expect(await store().findApiKey(next.id)).toBeNull();
        }
      });

      it("rotateApiKey is all or nothing: a replacement whose id or digest exists throws ConflictError and claims nothing", async () => {
        const [old, other] = [newApiKey(), newApiKey()];
        await store().createApiKey(old);
        await store().createApiKey(other);
        await expect(store().rotateApiKey(old.id, newApiKey({ id: other.id }), T0 + 500, T0)).rejects.toBeInstanceOf(ConflictError);
        await expect(store().rotateApiKey(old.id, newApiKey({ digest: other.digest }), T0 + 500, T0)).rejects.toBeInstanceOf(ConflictError);
        expect((await store().findApiKey(old.id))?.expiresAt).toBeNull();
        expect(await store().rotateApiKey(old.id, newApiKey(), T0 + 500, T0)).toBe("rotated");
      });

      it("of 20 concurrent rotations of one key exactly one succeeds and only its replacement exists", async () => {
        const old = newApiKey();
        await store().createApiKey(old);
        const nexts = Array.from({ length: 20 }, () => newApiKey({ ownerId: old.ownerId }));
        const outcomes = await Promise.all(nexts.map((next) => store().rotateApiKey(old.id, next, T0 + 500, T0)));
        expect(outcomes.filter((o) => o === "rotated")).toHaveLength(1);
        expect(outcomes.filter((o) => o === "conflict")).toHaveLength(19);
        expect((await store().listApiKeys(old.ownerId)).map((k) => k.id).sort()).toEqual([old.id, nexts[outcomes.indexOf("rotated")]!.id].sort());
      });

      it("a rotation racing a delete never leaves a replacement of a deleted key unless it rotated first", async () => {
        for (let round = 0; round < 10; round += 1) {
          const old = newApiKey();
          const next = newApiKey({ ownerId: old.ownerId });
          await store().createApiKey(old);
          const [outcome, deleted] = await Promise.all([store().rotateApiKey(old.id, next, T0 + 500, T0), store().deleteApiKey(old.id)]);
          expect(deleted).toBe(true);
          expect(outcome === "rotated" || outcome === "missing").toBe(true);
          expect((await store().findApiKey(next.id)) !== null).toBe(outcome === "rotated");
          expect(await store().findApiKey(old.id)).toBeNull();
        }
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
