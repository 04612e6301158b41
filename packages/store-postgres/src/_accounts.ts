/**
 * The account methods of `postgresStore` (internal), one SQL statement each: e-mail, names and last login in
 * `portcullis_accounts` beside `portcullis_users`, or in Django mode the columns of Django's own `auth_user`
 * (`email`, `first_name`, `last_name`, `last_login` as a `timestamptz`, as Django writes it with or without
 * `USE_TZ`). E-mail lookups are Django's `email__iexact` on PostgreSQL, `upper(email) = upper($1)`: an equality,
 * never a `LIKE`, so `%` and `_` in an address are plain characters.
 * @module
 */
import type { AccountStore, UserAccount } from "@portcullis/core";
import type { SqlClient, SqlRow } from "./client.js";
import { attempt, lookup } from "./_errors.js";
import { djangoId } from "./_django-users.js";
import { toUser } from "./_users.js";

/** The SQL of one mode: every statement takes the user id as `$1`. */
interface AccountSql {
  readonly get: string;
  readonly find: string;
  readonly update: string;
  readonly lastLogin: string;
  /** The id as the mode's table keys it, or `null` for an id that names no user. */
  readonly id: (id: string) => string | null;
}

const OWN_COLUMNS = `u.id, u.username, u.is_active, u.is_staff, u.is_superuser, u.password_hash AS password,
  coalesce(a.email, '') AS email, coalesce(a.first_name, '') AS first_name, coalesce(a.last_name, '') AS last_name,
  a.last_login AS last_login_ms`;

const OWN: AccountSql = {
  get: `SELECT ${OWN_COLUMNS} FROM portcullis_users u LEFT JOIN portcullis_accounts a ON a.user_id = u.id WHERE u.id = $1`,
  find: `SELECT ${OWN_COLUMNS} FROM portcullis_users u JOIN portcullis_accounts a ON a.user_id = u.id
    WHERE a.email <> '' AND upper(a.email) = upper($1) AND u.is_active ORDER BY u.id LIMIT $2::integer`,
  // The rename and the account row in one statement; an unknown id updates no user, so inserts no account.
  update: `WITH u AS (UPDATE portcullis_users SET username = coalesce($2, username) WHERE id = $1 RETURNING id)
    INSERT INTO portcullis_accounts (user_id, email, first_name, last_name)
    SELECT id, coalesce($3, ''), coalesce($4, ''), coalesce($5, '') FROM u
    ON CONFLICT (user_id) DO UPDATE SET email = coalesce($3, portcullis_accounts.email),
      first_name = coalesce($4, portcullis_accounts.first_name), last_name = coalesce($5, portcullis_accounts.last_name)`,
  lastLogin: `INSERT INTO portcullis_accounts (user_id, last_login) SELECT id, $2::bigint FROM portcullis_users WHERE id = $1
    ON CONFLICT (user_id) DO UPDATE SET last_login = excluded.last_login`,
  id: (id) => id,
};

// Milliseconds of a timestamptz, rounded down: Django keeps microseconds, which no reset token reads.
const DJANGO_COLUMNS = `id::text AS id, username, is_active, is_staff, is_superuser, password, email, first_name,
  last_name, floor(extract(epoch FROM last_login) * 1000)::float8 AS last_login_ms`;

const DJANGO: AccountSql = {
  get: `SELECT ${DJANGO_COLUMNS} FROM auth_user WHERE id = $1::bigint`,
  find: `SELECT ${DJANGO_COLUMNS} FROM auth_user WHERE email <> '' AND upper(email::text) = upper($1) AND is_active
    ORDER BY id LIMIT $2::integer`,
  update: `UPDATE auth_user SET username = coalesce($2, username), email = coalesce($3, email),
    first_name = coalesce($4, first_name), last_name = coalesce($5, last_name) WHERE id = $1::bigint`,
  lastLogin: "UPDATE auth_user SET last_login = to_timestamp($2::float8 / 1000) WHERE id = $1::bigint",
  id: djangoId,
};

function toAccount(row: SqlRow): UserAccount {
  return {
    user: toUser(row),
    passwordHash: String(row.password),
    email: String(row.email),
    firstName: String(row.first_name),
    lastName: String(row.last_name),
    lastLogin: row.last_login_ms === null || row.last_login_ms === undefined ? null : Number(row.last_login_ms),
  };
}

/** The account capability on `db`: Portcullis's own tables, or Django's `auth_user` in Django mode. */
export function accountStore(db: SqlClient, isDjango: boolean): AccountStore {
  const sql = isDjango ? DJANGO : OWN;
  return {
    getAccount: (userId) =>
      lookup("getAccount", [userId], null, async () => {
        const id = sql.id(userId);
        if (id === null) return null;
        const { rows } = await db.query(sql.get, [id]);
        return rows[0] ? toAccount(rows[0]) : null;
      }),
    findAccountsByEmail: (email, { limit = 10 } = {}) =>
      lookup("findAccountsByEmail", [email], [], async () => {
        if (email === "" || !(limit > 0)) return [];
        const { rows } = await db.query(sql.find, [email, Math.floor(Math.min(limit, 1000))]);
        return rows.map(toAccount);
      }),
    updateAccount: (userId, update) =>
      attempt("updateAccount", async () => {
        const id = sql.id(userId);
        if (id === null) return;
        const { username = null, email = null, firstName = null, lastName = null } = update;
        await db.query(sql.update, [id, username, email, firstName, lastName]);
      }),
    setLastLogin: (userId, at) =>
      lookup("setLastLogin", [userId], undefined, async () => {
        const id = sql.id(userId);
        if (id !== null) await db.query(sql.lastLogin, [id, at]);
      }),
  };
}
