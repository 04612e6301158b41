-- Portcullis schema: login sessions of sessionAuth (the session capability). Applied by wrangler d1 migrations
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
