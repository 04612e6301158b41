-- Portcullis schema: API keys (the ApiKeyStore capability of @portcullis/core/api-keys). Applied by wrangler d1
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
