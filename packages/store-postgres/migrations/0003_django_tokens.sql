-- portcullis-mode: django
-- Portcullis on a Django database (postgresStore(client, { django: true })): the tokens Portcullis issues, hashed,
-- referencing Django's auth_user. Apply after Django's own `manage.py migrate` (auth_user must exist). Django's
-- tables are read and written row by row, never altered: this migration only creates Portcullis's own objects.

-- Tokens. Only the SHA-256 digest of a key is stored (lowercase hex). DRF's own tokens stay in authtoken_token.
CREATE TABLE portcullis_django_tokens (
  id text PRIMARY KEY,
  digest text NOT NULL UNIQUE,
  user_id bigint NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
  name text,
  created_at bigint NOT NULL,
  expires_at bigint,
  position bigint GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX portcullis_django_tokens_user_id ON portcullis_django_tokens (user_id, created_at);
CREATE INDEX portcullis_django_tokens_expires_at ON portcullis_django_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- createToken in one statement, as portcullis_create_token (see 0002): the cap counts the user's unexpired
-- Portcullis tokens plus their DRF token (one per user, never expiring), as listTokens lists them.
CREATE FUNCTION portcullis_django_create_token(p_id text, p_digest text, p_user_id bigint, p_name text,
  p_created_at bigint, p_expires_at bigint, p_max bigint, p_now float8) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF p_max IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('portcullis_django_tokens:' || p_user_id, 0));
    IF (SELECT count(*) FROM portcullis_django_tokens
        WHERE user_id = p_user_id AND (expires_at IS NULL OR expires_at > p_now))
       + (SELECT count(*) FROM authtoken_token WHERE user_id = p_user_id) >= p_max THEN
      RETURN false;
    END IF;
  END IF;
  INSERT INTO portcullis_django_tokens (id, digest, user_id, name, created_at, expires_at)
  VALUES (p_id, p_digest, p_user_id, p_name, p_created_at, p_expires_at);
  RETURN true;
END
$fn$;
