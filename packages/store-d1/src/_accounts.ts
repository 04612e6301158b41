/**
 * The account methods of `d1Store` (internal): e-mail, names and last login in `portcullis_accounts` beside
 * `portcullis_users`. Lookups by e-mail compare `email_key` (the address upper-cased by JavaScript, as PostgreSQL's
 * `upper()` does under Django's `email__iexact`) by equality, so `%` and `_` are plain characters.
 * @module
 */
import type { AccountStore, UserAccount } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import type { attempt as Attempt } from "./_errors.js";

interface AccountRow {
  id: string;
  username: string;
  password_hash: string;
  is_active: number;
  is_staff: number;
  is_superuser: number;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  last_login: number | null;
}

const COLUMNS = `u.id, u.username, u.password_hash, u.is_active, u.is_staff, u.is_superuser, a.email, a.first_name,
  a.last_name, a.last_login`;

function toAccount(row: AccountRow): UserAccount {
  const user = { id: row.id, username: row.username, isActive: row.is_active === 1, isStaff: row.is_staff === 1 };
  return {
    user: row.is_superuser === 1 ? { ...user, isSuperuser: true } : user,
    passwordHash: row.password_hash,
    email: row.email ?? "",
    firstName: row.first_name ?? "",
    lastName: row.last_name ?? "",
    lastLogin: row.last_login === null ? null : Number(row.last_login),
  };
}

/** The account capability on `db`. */
export function accountMethods(db: D1DatabaseLike, attempt: typeof Attempt): AccountStore {
  return {
    getAccount: (userId) =>
      attempt("getAccount", async () => {
        const row = await db
          .prepare(`SELECT ${COLUMNS} FROM portcullis_users u LEFT JOIN portcullis_accounts a ON a.user_id = u.id WHERE u.id = ?1`)
          .bind(userId)
          .first<AccountRow>();
        return row ? toAccount(row) : null;
      }),
    findAccountsByEmail: (email, { limit = 10 } = {}) =>
      attempt("findAccountsByEmail", async () => {
        if (email === "" || !(limit > 0)) return [];
        const { results } = await db
          .prepare(
            `SELECT ${COLUMNS} FROM portcullis_users u JOIN portcullis_accounts a ON a.user_id = u.id
             WHERE a.email_key = ?1 AND a.email_key <> '' AND u.is_active = 1 ORDER BY u.id LIMIT ?2`,
          )
          .bind(email.toUpperCase(), Math.floor(Math.min(limit, 1000)))
          .all<AccountRow>();
        return results.map(toAccount);
      }),
    updateAccount: (userId, update) =>
      attempt("updateAccount", async () => {
        const { username = null, email = null, firstName = null, lastName = null } = update;
        // One batch (one transaction): a taken username rolls the account change back too.
        await db.batch([
          db.prepare("UPDATE portcullis_users SET username = coalesce(?2, username) WHERE id = ?1").bind(userId, username),
          db
            .prepare(
              `INSERT INTO portcullis_accounts (user_id, email, email_key, first_name, last_name)
               SELECT id, coalesce(?2, ''), coalesce(?3, ''), coalesce(?4, ''), coalesce(?5, '') FROM portcullis_users WHERE id = ?1
               ON CONFLICT (user_id) DO UPDATE SET email = coalesce(?2, email), email_key = coalesce(?3, email_key),
                 first_name = coalesce(?4, first_name), last_name = coalesce(?5, last_name)`,
            )
            .bind(userId, email, email === null ? null : email.toUpperCase(), firstName, lastName),
        ]);
      }),
    setLastLogin: (userId, at) =>
      attempt("setLastLogin", async () => {
        await db
          .prepare(
            `INSERT INTO portcullis_accounts (user_id, last_login) SELECT id, ?2 FROM portcullis_users WHERE id = ?1
             ON CONFLICT (user_id) DO UPDATE SET last_login = excluded.last_login`,
          )
          .bind(userId, at)
          .run();
      }),
  };
}
