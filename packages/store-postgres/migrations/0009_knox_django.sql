-- portcullis-mode: django
-- Portcullis on a Django database with django-rest-knox 5: tokens live in knox's own knox_authtoken (created by
-- Django's `manage.py migrate`; this migration only adds a function, so it applies whether or not knox is installed).
-- createKnoxToken with TOKEN_LIMIT_PER_USER in one statement (see portcullis_create_knox_token in 0009_knox_tokens.sql).
CREATE FUNCTION portcullis_django_create_knox_token(p_digest text, p_token_key text, p_user_id bigint,
  p_created float8, p_expiry float8, p_max bigint, p_now float8) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF p_max IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('knox_authtoken:' || p_user_id, 0));
    IF (SELECT count(*) FROM knox_authtoken
        WHERE user_id = p_user_id AND expiry > to_timestamp(p_now / 1000)) >= p_max THEN
      RETURN false;
    END IF;
  END IF;
  INSERT INTO knox_authtoken (digest, token_key, user_id, created, expiry)
  VALUES (p_digest, p_token_key, p_user_id, to_timestamp(p_created / 1000), to_timestamp(p_expiry / 1000));
  RETURN true;
END
$fn$;
