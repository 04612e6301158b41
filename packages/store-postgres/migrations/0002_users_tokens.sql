-- portcullis-mode: native
-- Portcullis on PostgreSQL: users and tokens in Portcullis's own tables (not applied in Django mode, where users
-- live in Django's auth_user). Times of tokens are epoch milliseconds.

-- Users. username compares case-sensitively (a deterministic collation), as Django's does.
CREATE TABLE portcullis_users (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  is_staff boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Tokens. Only the SHA-256 digest of a key is stored (lowercase hex); the key itself never is. position orders
-- tokens created in the same millisecond.
CREATE TABLE portcullis_tokens (
  id text PRIMARY KEY,
  digest text NOT NULL UNIQUE,
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  name text,
  created_at bigint NOT NULL,
  expires_at bigint,
  position bigint GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX portcullis_tokens_user_id ON portcullis_tokens (user_id, created_at);
CREATE INDEX portcullis_tokens_expires_at ON portcullis_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- createToken in one statement. With a cap (p_max), concurrent calls for one user queue on a transaction-scoped
-- advisory lock; a VOLATILE function takes a fresh snapshot per statement, so the count below sees every token
-- committed by the calls before it. (A plain INSERT ... SELECT WHERE count < cap would not: under READ COMMITTED
-- every concurrent statement counts from its own starting snapshot and all of them could insert.)
CREATE FUNCTION portcullis_create_token(p_id text, p_digest text, p_user_id text, p_name text, p_created_at bigint,
  p_expires_at bigint, p_max bigint, p_now float8) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF p_max IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('portcullis_tokens:' || p_user_id, 0));
    IF (SELECT count(*) FROM portcullis_tokens
        WHERE user_id = p_user_id AND (expires_at IS NULL OR expires_at > p_now)) >= p_max THEN
      RETURN false;
    END IF;
  END IF;
  INSERT INTO portcullis_tokens (id, digest, user_id, name, created_at, expires_at)
  VALUES (p_id, p_digest, p_user_id, p_name, p_created_at, p_expires_at);
  RETURN true;
END
$fn$;
