-- Portcullis schema: django-rest-knox 5 tokens (the KnoxTokenStore capability of @portcullis/core/knox), laid out as
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
