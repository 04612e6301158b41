-- portcullis-mode: both
-- Portcullis on PostgreSQL: API keys (the ApiKeyStore capability of @portcullis/core/api-keys), in both modes.
-- id is the public lookup part of a key; only the SHA-256 digest of the whole key is stored (lowercase hex),
-- never the key. owner_id has no foreign key: an owner may be an organisation, or a user kept elsewhere. Times
-- are epoch milliseconds; position orders keys created in the same millisecond.
CREATE TABLE portcullis_api_keys (
  id text PRIMARY KEY,
  digest text NOT NULL UNIQUE,
  owner_id text NOT NULL,
  name text,
  scopes jsonb NOT NULL DEFAULT '[]',
  created_at bigint NOT NULL,
  expires_at bigint,
  last_used_at bigint,
  position bigint GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX portcullis_api_keys_owner_id ON portcullis_api_keys (owner_id, created_at);
CREATE INDEX portcullis_api_keys_expires_at ON portcullis_api_keys (expires_at) WHERE expires_at IS NOT NULL;
