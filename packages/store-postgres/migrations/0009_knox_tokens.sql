-- portcullis-mode: native
-- Portcullis on PostgreSQL: django-rest-knox 5 tokens (the KnoxTokenStore capability of @portcullis/core/knox) in
-- Portcullis's own tables, laid out as knox's knox_authtoken: digest is the SHA-512 hex of the token (the token
-- itself is never stored), token_key its first 15 characters (looked up; several rows may share one).
CREATE TABLE portcullis_knox_tokens (
  digest varchar(128) PRIMARY KEY,
  token_key varchar(25) NOT NULL,
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  created timestamptz NOT NULL,
  expiry timestamptz
);

CREATE INDEX portcullis_knox_tokens_token_key ON portcullis_knox_tokens (token_key);
CREATE INDEX portcullis_knox_tokens_user_id ON portcullis_knox_tokens (user_id);

-- createKnoxToken with TOKEN_LIMIT_PER_USER in one statement, as portcullis_create_token (see 0002): concurrent calls
-- for one user queue on a transaction-scoped advisory lock, and this VOLATILE function's count takes a fresh snapshot
-- after it, so it sees every token committed before. knox counts tokens with expiry > now only.
CREATE FUNCTION portcullis_create_knox_token(p_digest text, p_token_key text, p_user_id text, p_created float8,
  p_expiry float8, p_max bigint, p_now float8) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF p_max IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('portcullis_knox_tokens:' || p_user_id, 0));
    IF (SELECT count(*) FROM portcullis_knox_tokens
        WHERE user_id = p_user_id AND expiry > to_timestamp(p_now / 1000)) >= p_max THEN
      RETURN false;
    END IF;
  END IF;
  INSERT INTO portcullis_knox_tokens (digest, token_key, user_id, created, expiry)
  VALUES (p_digest, p_token_key, p_user_id, to_timestamp(p_created / 1000), to_timestamp(p_expiry / 1000));
  RETURN true;
END
$fn$;
