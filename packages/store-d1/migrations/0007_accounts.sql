-- Portcullis schema: accounts (the AccountStore capability of @portcullis/core/accounts) beside portcullis_users.
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
