/**
 * The `OAuth2TokenStore` conformance suite: a resource server's read of access tokens by `token_checksum`, with the
 * user joined, client-credentials tokens without a user, expired rows answered as they are, and malformed or
 * near-miss checksums (a shared prefix, upper case, a NUL byte) never found.
 * @module
 */
import { describe, expect, it } from "vitest";
import type { OAuth2TokenStore, User } from "@portcullis/core";
import { T0, randomHex, uniqueName } from "./_fixtures.js";
import { suite } from "./_suite.js";

/** A token to seed: what the store answers, with the user's id instead of the user. */
export interface OAuth2TokenSeed {
  readonly scope: string;
  readonly expiresAt: number;
  readonly userId: string | null;
}

/** How the suite writes into the store under test (a resource-server store has no write of its own). */
export interface OAuth2ConformanceOptions<S> {
  /** A new active (or inactive) user of the store. */
  readonly createUser: (store: S, username: string, isActive: boolean) => Promise<User>;
  /** Stores a token under `checksum` and answers its application's `{ applicationId, clientId }` as stored. */
  readonly insertToken: (store: S, checksum: string, seed: OAuth2TokenSeed) => Promise<{ id: string; applicationId: string | null; clientId: string | null }>;
  readonly dispose?: (store: S) => void | Promise<void>;
}

/**
 * Registers the `OAuth2TokenStore` conformance tests with vitest.
 * @example
 * ```ts
 * runOAuth2TokenStoreConformance("memoryStore", () => memoryStore(), { createUser, insertToken });
 * ```
 */
export function runOAuth2TokenStoreConformance<S extends OAuth2TokenStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: OAuth2ConformanceOptions<S>,
): void {
  suite(`${name} (OAuth2 token store conformance)`, makeStore, options, (store) => {
    describe("OAuth2 access tokens by checksum", () => {
      it("answers a user's token with the user joined, and null for an unknown checksum", async () => {
        const user = await options.createUser(store(), uniqueName("alice"), true);
        const checksum = randomHex(32);
        const row = await options.insertToken(store(), checksum, { scope: "read write", expiresAt: T0 + 3_600_000, userId: user.id });
        expect(await store().findOAuth2AccessToken(checksum)).toEqual({ ...row, scope: "read write", expiresAt: T0 + 3_600_000, user });
        expect(await store().findOAuth2AccessToken(randomHex(32))).toBeNull();
      });

      it("answers a client-credentials token with user null, and an expired or inactive user's token as it is", async () => {
        const cc = randomHex(32);
        await options.insertToken(store(), cc, { scope: "introspection", expiresAt: T0 + 1000, userId: null });
        expect((await store().findOAuth2AccessToken(cc))?.user).toBeNull();
        const inactive = await options.createUser(store(), uniqueName("bob"), false);
        const old = randomHex(32);
        await options.insertToken(store(), old, { scope: "", expiresAt: T0 - 1000, userId: inactive.id });
        const found = await store().findOAuth2AccessToken(old);
        expect(found?.expiresAt).toBe(T0 - 1000);
        expect(found?.scope).toBe("");
        expect(found?.user?.isActive).toBe(false);
      });

      it("finds nothing for a near miss: shared prefix, upper case, truncated, NUL byte, empty", async () => {
        const checksum = randomHex(32);
        await options.insertToken(store(), checksum, { scope: "read", expiresAt: T0 + 1000, userId: null });
        const last = checksum.endsWith("0") ? "1" : "0";
        const misses = [checksum.slice(0, 63) + last, checksum.toUpperCase(), checksum.slice(0, 32), `${checksum}\0`, `${checksum.slice(0, 63)}\0`, "", `${checksum}%`];
        for (const miss of misses) {
          if (miss === checksum) continue;
          expect(await store().findOAuth2AccessToken(miss)).toBeNull();
        }
      });
    });
  });
}
