/**
 * The account columns of `memoryStore` (internal): e-mail, names and last login beside the user table.
 * @module
 */
import type { AccountStore, AccountUpdate, UserAccount } from "@portcullis/core";
import type { Users } from "./_users.js";

interface AccountRow {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly lastLogin: number | null;
}

const EMPTY: AccountRow = { email: "", firstName: "", lastName: "", lastLogin: null };

/** Django's `email__iexact` on PostgreSQL: `UPPER(a) = UPPER(b)`. */
const sameEmail = (a: string, b: string): boolean => a !== "" && a.toUpperCase() === b.toUpperCase();

/** The account capability over `users`. Every method is synchronous under the hood, so each is atomic. */
export function accountMethods(users: Users): AccountStore {
  const rows = new Map<string, AccountRow>();
  const accountOf = (id: string): UserAccount | null => {
    const credentials = users.credentialsById(id);
    return credentials && { ...credentials, ...(rows.get(id) ?? EMPTY) };
  };
  return {
    getAccount: async (userId) => accountOf(userId),
    findAccountsByEmail: async (email, { limit = 10 } = {}) => {
      const found: UserAccount[] = [];
      for (const [id, row] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const account = found.length < limit && sameEmail(row.email, email) ? accountOf(id) : null;
        if (account?.user.isActive) found.push(account);
      }
      return found;
    },
    updateAccount: async (userId, update: AccountUpdate) => {
      if (!users.has(userId)) return;
      if (update.username !== undefined) users.rename(userId, update.username);
      const row = { ...(rows.get(userId) ?? EMPTY) };
      // Only the fields given: `{ lastName: undefined }` leaves the last name as it is.
      rows.set(userId, {
        ...row,
        email: update.email ?? row.email,
        firstName: update.firstName ?? row.firstName,
        lastName: update.lastName ?? row.lastName,
      });
    },
    setLastLogin: async (userId, at) => {
      if (users.has(userId)) rows.set(userId, { ...(rows.get(userId) ?? EMPTY), lastLogin: at });
    },
  };
}
