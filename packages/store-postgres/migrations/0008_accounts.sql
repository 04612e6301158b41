-- portcullis-mode: native
-- Portcullis on PostgreSQL: accounts (the AccountStore capability of @portcullis/core/accounts) beside the own users
-- table: e-mail, first and last name (empty when none, as Django's), last login (epoch milliseconds, NULL for
-- never). Django mode reads and writes Django's own auth_user columns instead. email is looked up as Django's
-- email__iexact does (upper(email) = upper($1)), so an expression index serves it.
CREATE TABLE portcullis_accounts (
  user_id text PRIMARY KEY REFERENCES portcullis_users (id) ON DELETE CASCADE,
  email text NOT NULL DEFAULT '',
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL DEFAULT '',
  last_login bigint
);

CREATE INDEX portcullis_accounts_email ON portcullis_accounts (upper(email)) WHERE email <> '';
