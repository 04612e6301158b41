/**
 * The `JwtBlacklistStore` conformance suite: outstanding tokens, the blacklist, atomic rotation with reuse
 * detection, logout everywhere and the expiry purge.
 * @module
 */
import { expect, it } from "vitest";
import { ConflictError, type JwtBlacklistStore, type OutstandingJwt } from "@portcullis/core";
import { T0, randomHex } from "./_fixtures.js";
import { suite } from "./_suite.js";

/** Options of `runJwtBlacklistStoreConformance`. */
export interface JwtBlacklistConformanceOptions<S> {
  /** Called after each test with that test's store. */
  readonly dispose?: (store: S) => void | Promise<void>;
  /** Concurrent rotations of one token in the atomicity test. Defaults to 20. */
  readonly concurrentRotations?: number;
  /** An existing user id to own the tokens (for stores whose `userId` is a foreign key). Defaults to a random one. */
  readonly userId?: (store: S) => Promise<string> | string;
}

const DAY = 86_400_000;

function outstanding(userId: string | null, overrides: Partial<OutstandingJwt> = {}): OutstandingJwt {
  const jti = randomHex(16);
  return { jti, userId, family: jti, createdAt: T0, expiresAt: T0 + DAY, ...overrides };
}

function register(store: () => JwtBlacklistStore, user: () => Promise<string>, parallel: number): void {
  it("records outstanding tokens; a duplicate jti is a ConflictError; nothing is blacklisted at first", async () => {
    const token = outstanding(await user());
    await store().addOutstandingJwt(token);
    expect(await store().isJwtBlacklisted(token.jti)).toBe(false);
    await expect(store().addOutstandingJwt(token)).rejects.toBeInstanceOf(ConflictError);
    expect(await store().isJwtBlacklisted(randomHex(16))).toBe(false);
  });

  it("blacklists known and unknown tokens once (get-or-create)", async () => {
    const known = outstanding(await user());
    await store().addOutstandingJwt(known);
    expect(await store().blacklistJwt(known, T0)).toBe(true);
    expect(await store().blacklistJwt(known, T0 + 1)).toBe(false);
    expect(await store().isJwtBlacklisted(known.jti)).toBe(true);
    const unknown = outstanding(null);
    expect(await store().blacklistJwt(unknown, T0)).toBe(true);
    expect(await store().isJwtBlacklisted(unknown.jti)).toBe(true);
  });

  it("rotates a live token once; presenting it again revokes the whole family", async () => {
    const userId = await user();
    const first = outstanding(userId);
    await store().addOutstandingJwt(first);
    const second = outstanding(userId, { family: "ignored" });
    expect(await store().rotateJwt(first, second, { now: T0, blacklistOld: false })).toBe("rotated");
    expect(await store().isJwtBlacklisted(first.jti)).toBe(false);
    expect(await store().isJwtBlacklisted(second.jti)).toBe(false);
    const third = outstanding(userId);
    expect(await store().rotateJwt(first, third, { now: T0 + 1, blacklistOld: false })).toBe("reused");
    expect(await store().isJwtBlacklisted(second.jti)).toBe(true);
    expect(await store().isJwtBlacklisted(first.jti)).toBe(true);
    expect(await store().isJwtBlacklisted(third.jti)).toBe(false);
    expect(await store().rotateJwt(second, outstanding(userId), { now: T0 + 2, blacklistOld: false })).toBe("blacklisted");
  });

  it("records an unknown token on rotation and blacklists it with blacklistOld", async () => {
    const userId = await user();
    const old = outstanding(userId);
    const next = outstanding(userId);
    expect(await store().rotateJwt(old, next, { now: T0, blacklistOld: true })).toBe("rotated");
    expect(await store().isJwtBlacklisted(old.jti)).toBe(true);
    expect(await store().rotateJwt(next, outstanding(userId), { now: T0, blacklistOld: true })).toBe("rotated");
    expect(await store().rotateJwt(old, outstanding(userId), { now: T0, blacklistOld: true })).toBe("reused");
    expect(await store().isJwtBlacklisted(next.jti)).toBe(true);
  });

  it("answers blacklisted for a logged-out token, changing nothing", async () => {
    const old = outstanding(await user());
    await store().blacklistJwt(old, T0);
    const next = outstanding(old.userId);
    expect(await store().rotateJwt(old, next, { now: T0, blacklistOld: false })).toBe("blacklisted");
    await store().addOutstandingJwt(next); // `next` was never recorded
  });

  it("blacklisting a spent token (logout after a thief rotated it) blacklists its whole family", async () => {
    for (const blacklistOld of [false, true]) {
      const first = outstanding(await user());
      const second = outstanding(first.userId);
      const third = outstanding(first.userId);
      expect(await store().rotateJwt(first, second, { now: T0, blacklistOld })).toBe("rotated");
      expect(await store().rotateJwt(second, third, { now: T0, blacklistOld })).toBe("rotated"); // the thief's
      expect(await store().blacklistJwt(first, T0 + 1)).toBe(!blacklistOld);
      expect(await store().isJwtBlacklisted(third.jti)).toBe(true);
      expect(await store().isJwtBlacklisted(second.jti)).toBe(true);
    }
    // A live token's logout revokes only that token (another family of the same user is untouched).
    const live = outstanding(await user());
    const other = outstanding(live.userId);
    await store().addOutstandingJwt(other);
    expect(await store().blacklistJwt(live, T0)).toBe(true);
    expect(await store().isJwtBlacklisted(other.jti)).toBe(false);
  });

  it(`lets exactly one of ${parallel} concurrent rotations of one token succeed`, async () => {
    const userId = await user();
    const old = outstanding(userId);
    await store().addOutstandingJwt(old);
    const nexts = Array.from({ length: parallel }, () => outstanding(userId));
    const outcomes = await Promise.all(nexts.map((next) => store().rotateJwt(old, next, { now: T0, blacklistOld: false })));
    expect(outcomes.filter((outcome) => outcome === "rotated")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "reused")).toHaveLength(parallel - 1);
    const winner = nexts[outcomes.indexOf("rotated")] as OutstandingJwt;
    expect(await store().isJwtBlacklisted(winner.jti)).toBe(true); // a reuse revoked the family
  });

  it("blacklists a user's unexpired tokens (logout everywhere) and purges expired ones", async () => {
    const [userId, otherId] = [await user(), await user()];
    const live = [outstanding(userId), outstanding(userId)];
    const expired = outstanding(userId, { expiresAt: T0 });
    const other = outstanding(otherId);
    for (const token of [...live, expired, other]) await store().addOutstandingJwt(token);
    await store().blacklistJwt(live[0] as OutstandingJwt, T0);
    expect(await store().blacklistUserJwts(userId, T0)).toBe(1);
    expect(await store().isJwtBlacklisted((live[1] as OutstandingJwt).jti)).toBe(true);
    expect(await store().isJwtBlacklisted(other.jti)).toBe(false);
    expect(await store().deleteExpiredJwts(T0)).toBeGreaterThanOrEqual(1);
    await store().addOutstandingJwt(expired); // deleted, so its jti is free again
    expect(await store().isJwtBlacklisted(expired.jti)).toBe(false);
  });
}

/**
 * Registers the `JwtBlacklistStore` conformance tests; `makeStore` is called before every test.
 * @example
 * ```ts
 * runJwtBlacklistStoreConformance("memoryStore", () => memoryStore());
 * ```
 */
export function runJwtBlacklistStoreConformance<S extends JwtBlacklistStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: JwtBlacklistConformanceOptions<S> = {},
): void {
  suite(`${name} (JWT blacklist store conformance)`, makeStore, options, (store) => {
    const user = async (): Promise<string> => (options.userId ? options.userId(store()) : randomHex(8));
    register(store, user, options.concurrentRotations ?? 20);
  });
}
