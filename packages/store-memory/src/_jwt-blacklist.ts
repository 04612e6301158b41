/**
 * The JWT blacklist capability in memory: outstanding tokens by `jti`, each with its family, whether a rotation
 * spent it, and when it was blacklisted. Every method runs synchronously, so rotation is atomic in the process.
 * @module
 */
import { ConflictError } from "@portcullis/core";
import type { JwtBlacklistStore, JwtRotation, OutstandingJwt } from "@portcullis/core";

interface Row extends OutstandingJwt {
  spent: boolean;
  blacklistedAt: number | null;
}

/** The rows of one `memoryStore()`. */
export class JwtBlacklist {
  readonly #rows = new Map<string, Row>();

  #getOrCreate(token: OutstandingJwt): Row {
    let row = this.#rows.get(token.jti);
    if (row === undefined) {
      row = { ...token, spent: false, blacklistedAt: null };
      this.#rows.set(token.jti, row);
    }
    return row;
  }

  add(token: OutstandingJwt): void {
    if (this.#rows.has(token.jti)) throw new ConflictError("jti");
    this.#getOrCreate(token);
  }

  isBlacklisted(jti: string): boolean {
    return (this.#rows.get(jti)?.blacklistedAt ?? null) !== null;
  }

  blacklist(token: OutstandingJwt, now: number): boolean {
    const row = this.#getOrCreate(token);
    const newly = row.blacklistedAt === null;
    if (newly) row.blacklistedAt = now;
    if (row.spent) this.#revokeFamily(row.family, now); // a spent token at logout: a thief may hold its successor
    return newly;
  }

  #revokeFamily(family: string, now: number): void {
    for (const member of this.#rows.values()) {
      if (member.family === family && member.blacklistedAt === null) member.blacklistedAt = now;
    }
  }

  rotate(old: OutstandingJwt, next: OutstandingJwt, now: number, blacklistOld: boolean): JwtRotation {
    const row = this.#getOrCreate(old);
    if (row.spent) {
      this.#revokeFamily(row.family, now);
      return "reused";
    }
    if (row.blacklistedAt !== null) return "blacklisted";
    row.spent = true;
    if (blacklistOld) row.blacklistedAt = now;
    this.#rows.set(next.jti, { ...next, family: row.family, spent: false, blacklistedAt: null });
    return "rotated";
  }

  blacklistUser(userId: string, now: number): number {
    let count = 0;
    for (const row of this.#rows.values()) {
      if (row.userId === userId && row.blacklistedAt === null && row.expiresAt > now) {
        row.blacklistedAt = now;
        count += 1;
      }
    }
    return count;
  }

  deleteExpired(now: number): number {
    let count = 0;
    for (const [jti, row] of this.#rows) {
      if (row.expiresAt <= now) {
        this.#rows.delete(jti);
        count += 1;
      }
    }
    return count;
  }

  /** The capability's methods over these rows. */
  methods(): JwtBlacklistStore {
    return {
      addOutstandingJwt: async (token) => this.add(token),
      isJwtBlacklisted: async (jti) => this.isBlacklisted(jti),
      blacklistJwt: async (token, now) => this.blacklist(token, now),
      rotateJwt: async (old, next, { now, blacklistOld }) => this.rotate(old, next, now, blacklistOld),
      blacklistUserJwts: async (userId, now) => this.blacklistUser(userId, now),
      deleteExpiredJwts: async (now) => this.deleteExpired(now),
    };
  }
}
