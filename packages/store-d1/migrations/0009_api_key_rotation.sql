-- Portcullis schema: atomic API key rotation. Applied by wrangler d1 migrations apply or by migrate(db); both record
-- it as 0009_api_key_rotation.sql in the d1_migrations table. replaced_by holds the id of the key that replaced this
-- one; a rotation sets it in the conditional UPDATE that claims the key (WHERE replaced_by IS NULL), in one batch
-- with the replacement's INSERT, so of any number of concurrent rotations of one key exactly one succeeds.
ALTER TABLE portcullis_api_keys ADD COLUMN replaced_by TEXT;
