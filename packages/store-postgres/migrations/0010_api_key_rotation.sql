-- portcullis-mode: both
-- Portcullis on PostgreSQL: atomic API key rotation. replaced_by holds the id of the key that replaced this one; a
-- rotation sets it in the same conditional UPDATE that claims the key (WHERE replaced_by IS NULL), so of any number
-- of concurrent rotations of one key exactly one succeeds. It holds an id, never a key or a digest.
ALTER TABLE portcullis_api_keys ADD COLUMN replaced_by text;
