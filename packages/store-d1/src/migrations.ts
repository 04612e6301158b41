/**
 * The SQL migrations of `@portcullis/store-d1` as text, for `migrate(db)` on runtimes without a filesystem.
 * GENERATED from `migrations/*.sql` by `node scripts/generate-migrations.mjs`: do not edit by hand.
 * @module
 */

/**
 * One migration: its file name (the name wrangler records in `d1_migrations`) and its SQL.
 * @example
 * ```ts
 * const initial: Migration = { name: "0001_initial.sql", sql: "CREATE TABLE ..." };
 * ```
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/**
 * Every migration of `migrations/`, in the order wrangler applies them.
 * @example
 * ```ts
 * import { migrations } from "@portcullis/store-d1";
 *
 * console.log(migrations.map((migration) => migration.name)); // ["0001_initial.sql", ...]
 * ```
 */
export const migrations: readonly Migration[] = [
  {
    name: "0001_initial.sql",
    sql: `-- Portcullis schema, version 1. Applied by wrangler d1 migrations apply or by migrate(db) from
-- @portcullis/store-d1; both record it as 0001_initial.sql in the d1_migrations table.
-- Times are epoch milliseconds. Table names carry a portcullis_ prefix so they never collide with an
-- application's own users table in a shared database.

-- Users. username compares case-sensitively (BINARY collation), as Django's does.
CREATE TABLE portcullis_users (
  id TEXT PRIMARY KEY NOT NULL,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  is_staff INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
  created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER) * 1000)
);

-- Tokens. Only the SHA-256 digest of a key is stored (lowercase hex); the key itself never is.
CREATE TABLE portcullis_tokens (
  id TEXT PRIMARY KEY NOT NULL,
  digest TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  name TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);

CREATE INDEX portcullis_tokens_user_id ON portcullis_tokens (user_id, created_at);

-- Throttle counters: one sliding log per key, a JSON array of the live hits (epoch ms), never more than the
-- limit of the last hit. last_allowed is the outcome of the last hit (read back through RETURNING);
-- expires_at is the newest hit plus window_ms, when the whole row may be purged.
CREATE TABLE portcullis_counters (
  key TEXT PRIMARY KEY NOT NULL,
  window_ms INTEGER NOT NULL,
  log TEXT NOT NULL DEFAULT '[]',
  last_allowed INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL
);

CREATE INDEX portcullis_counters_expires_at ON portcullis_counters (expires_at);
`,
  },
  {
    name: "0002_jwt_blacklist.sql",
    sql: `-- Portcullis schema, version 2: the JWT blacklist (simplejwt's token_blacklist app in one table).
-- One row per outstanding refresh or sliding token, by jti; the token itself is never stored. family ties the
-- refresh tokens of one login through their rotations; replaced_by is set when a rotation spends the token
-- (presenting it again blacklists the family); blacklisted_at is set by logout, rotation or reuse.
-- user_id has no foreign key: simplejwt's is nullable, and tokens minted by Django may name users not imported.
CREATE TABLE portcullis_jwt_outstanding (
  jti TEXT PRIMARY KEY NOT NULL,
  user_id TEXT,
  family TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  replaced_by TEXT,
  blacklisted_at INTEGER
);

CREATE INDEX portcullis_jwt_outstanding_user_id ON portcullis_jwt_outstanding (user_id);
CREATE INDEX portcullis_jwt_outstanding_family ON portcullis_jwt_outstanding (family);
CREATE INDEX portcullis_jwt_outstanding_expires_at ON portcullis_jwt_outstanding (expires_at);
`,
  },
  {
    name: "0003_sessions.sql",
    sql: `-- Portcullis schema: login sessions of sessionAuth (the session capability). Applied by wrangler d1 migrations
-- apply or by migrate(db); both record it as 0003_sessions.sql in the d1_migrations table.
-- Only the SHA-256 digest of a session key (the sessionid cookie) is stored (lowercase hex); the key never is.
CREATE TABLE portcullis_sessions (
  id TEXT PRIMARY KEY NOT NULL,
  digest TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX portcullis_sessions_user_id ON portcullis_sessions (user_id);
CREATE INDEX portcullis_sessions_expires_at ON portcullis_sessions (expires_at);
`,
  },
  {
    name: "0004_replica_clock.sql",
    sql: `-- Portcullis schema: the replica clock of d1ReplicaStore. One row (id 1) holding the epoch ms of the
-- latest write made for it on the primary (a heartbeat, and every token revocation). A read replica that shows
-- \`at\` has applied every primary write committed before it, so \`now - at\` bounds how stale that replica is.
CREATE TABLE portcullis_replica_clock (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  at REAL NOT NULL
);
`,
  },
  {
    name: "0005_permissions.sql",
    sql: `-- Portcullis on D1: Django-style permissions and groups. A permission is its "app_label.codename" name; a group is
-- its unique name, created by its first grant or member. Granted through the CLI (\`portcullis grant\`) or
-- PermissionAdminStore; read in one statement per request by djangoModelPermissions and hasPerm.

ALTER TABLE portcullis_users ADD COLUMN is_superuser INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1));

CREATE TABLE portcullis_user_permissions (
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  PRIMARY KEY (user_id, permission)
) WITHOUT ROWID;

CREATE TABLE portcullis_group_permissions (
  group_name TEXT NOT NULL,
  permission TEXT NOT NULL,
  PRIMARY KEY (group_name, permission)
) WITHOUT ROWID;

CREATE TABLE portcullis_user_groups (
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  group_name TEXT NOT NULL,
  PRIMARY KEY (user_id, group_name)
) WITHOUT ROWID;

CREATE INDEX portcullis_user_groups_group ON portcullis_user_groups (group_name);
`,
  },
  {
    name: "0006_api_keys.sql",
    sql: `-- Portcullis schema: API keys (the ApiKeyStore capability of @portcullis/core/api-keys). Applied by wrangler d1
-- migrations apply or by migrate(db); both record it as 0006_api_keys.sql in the d1_migrations table.
-- id is the public lookup part of a key; only the SHA-256 digest of the whole key is stored, never the key.
-- owner_id has no foreign key: an owner may be an organisation, or a user kept elsewhere. scopes is a JSON array.
CREATE TABLE portcullis_api_keys (
  id TEXT PRIMARY KEY NOT NULL,
  digest TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  name TEXT,
  scopes TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER
);

CREATE INDEX portcullis_api_keys_owner_id ON portcullis_api_keys (owner_id, created_at);
CREATE INDEX portcullis_api_keys_expires_at ON portcullis_api_keys (expires_at);
`,
  },
  {
    name: "0007_accounts.sql",
    sql: `-- Portcullis schema: accounts (the AccountStore capability of @portcullis/core/accounts) beside portcullis_users.
-- Applied by wrangler d1 migrations apply or by migrate(db); both record it as 0007_accounts.sql in the
-- d1_migrations table. email and the names are empty when none (as Django's); last_login is epoch milliseconds, NULL
-- for never. email_key is the e-mail upper-cased by JavaScript's toUpperCase (SQLite's upper() folds ASCII only),
-- so a lookup is Django's email__iexact on PostgreSQL, upper(email) = upper(?), as an indexed equality (never a
-- LIKE: % and _ are plain characters).
CREATE TABLE portcullis_accounts (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  email TEXT NOT NULL DEFAULT '',
  email_key TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  last_login INTEGER
);

CREATE INDEX portcullis_accounts_email_key ON portcullis_accounts (email_key) WHERE email_key <> '';
`,
  },
  {
    name: "0008_knox.sql",
    sql: `-- Portcullis schema: django-rest-knox 5 tokens (the KnoxTokenStore capability of @portcullis/core/knox), laid out as
-- knox's knox_authtoken. Applied by wrangler d1 migrations apply or by migrate(db); both record it as 0008_knox.sql
-- in the d1_migrations table. digest is the SHA-512 hex of the token (never the token itself), token_key its first
-- 15 characters (looked up; several rows may share one). Times are epoch milliseconds.
CREATE TABLE portcullis_knox_tokens (
  digest TEXT PRIMARY KEY NOT NULL,
  token_key TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);

CREATE INDEX portcullis_knox_tokens_token_key ON portcullis_knox_tokens (token_key);
CREATE INDEX portcullis_knox_tokens_user_id ON portcullis_knox_tokens (user_id, expires_at);
`,
  },
  {
    name: "0009_api_key_rotation.sql",
    sql: `-- Portcullis schema: atomic API key rotation. Applied by wrangler d1 migrations apply or by migrate(db); both record
-- it as 0009_api_key_rotation.sql in the d1_migrations table. replaced_by holds the id of the key that replaced this
-- one; a rotation sets it in the conditional UPDATE that claims the key (WHERE replaced_by IS NULL), in one batch
-- with the replacement's INSERT, so of any number of concurrent rotations of one key exactly one succeeds.
ALTER TABLE portcullis_api_keys ADD COLUMN replaced_by TEXT;
`,
  },
];
