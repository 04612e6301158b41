-- portcullis-mode: django
-- Portcullis on a Django database: the JWT blacklist in simplejwt's own tables (token_blacklist_outstandingtoken
-- and token_blacklist_blacklistedtoken, read and written row by row as simplejwt does, never altered), plus what
-- simplejwt does not keep: the family of each refresh token (the jti of its login's first token) and the token a
-- rotation replaced it with, for reuse detection. Apply after Django's own `manage.py migrate`. Its functions
-- name simplejwt's tables only when called, so a Django project without the token_blacklist app can still migrate.

-- One row per outstanding token Portcullis has seen, by jti (no foreign key to simplejwt's table, which may be
-- absent; rows whose outstanding token is gone are purged by deleteExpiredJwts).
CREATE TABLE portcullis_django_jwt (
  jti text PRIMARY KEY,
  family text NOT NULL,
  replaced_by text
);

CREATE INDEX portcullis_django_jwt_family ON portcullis_django_jwt (family);

-- rotateJwt in one statement, as portcullis_rotate_jwt (0004) on simplejwt's tables: the old token's outstanding
-- row is recorded if unknown (the token text itself is never stored: ''), then locked, so concurrent rotations
-- queue on it and exactly one spends it. Times are epoch milliseconds; user ids Django's integer ids (or NULL); a
-- user who no longer exists is recorded as NULL, as simplejwt's blacklist() does (User.DoesNotExist -> None).
CREATE FUNCTION portcullis_django_rotate_jwt(p_jti text, p_user_id bigint, p_family text, p_created_at float8,
  p_expires_at float8, p_next_jti text, p_next_user_id bigint, p_next_created_at float8, p_next_expires_at float8,
  p_now float8, p_blacklist_old boolean) RETURNS text
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_id bigint;
  v_family text;
  v_replaced_by text;
BEGIN
  INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at, user_id)
  VALUES (p_jti, '', to_timestamp(p_created_at / 1000), to_timestamp(p_expires_at / 1000),
    (SELECT id FROM auth_user WHERE id = p_user_id))
  ON CONFLICT (jti) DO NOTHING;
  SELECT id INTO v_id FROM token_blacklist_outstandingtoken WHERE jti = p_jti FOR UPDATE;
  INSERT INTO portcullis_django_jwt (jti, family) VALUES (p_jti, p_family) ON CONFLICT (jti) DO NOTHING;
  SELECT family, replaced_by INTO v_family, v_replaced_by FROM portcullis_django_jwt WHERE jti = p_jti;
  IF v_replaced_by = p_next_jti THEN
    RETURN 'rotated';
  END IF;
  IF v_replaced_by IS NOT NULL THEN
    INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at)
    SELECT o.id, to_timestamp(p_now / 1000) FROM token_blacklist_outstandingtoken AS o
    JOIN portcullis_django_jwt AS f ON f.jti = o.jti WHERE f.family = v_family
    ON CONFLICT (token_id) DO NOTHING;
    RETURN 'reused';
  END IF;
  IF EXISTS (SELECT 1 FROM token_blacklist_blacklistedtoken WHERE token_id = v_id) THEN
    RETURN 'blacklisted';
  END IF;
  UPDATE portcullis_django_jwt SET replaced_by = p_next_jti WHERE jti = p_jti;
  IF p_blacklist_old THEN
    INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (v_id, to_timestamp(p_now / 1000));
  END IF;
  INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at, user_id)
  VALUES (p_next_jti, '', to_timestamp(p_next_created_at / 1000), to_timestamp(p_next_expires_at / 1000),
    (SELECT id FROM auth_user WHERE id = p_next_user_id));
  INSERT INTO portcullis_django_jwt (jti, family) VALUES (p_next_jti, v_family);
  RETURN 'rotated';
END
$fn$;
