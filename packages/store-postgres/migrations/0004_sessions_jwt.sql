-- portcullis-mode: native
-- Portcullis on PostgreSQL: login sessions of sessionAuth and the JWT blacklist (simplejwt's token_blacklist app
-- in one table), in Portcullis's own tables. Times are epoch milliseconds. (Django mode keeps both in Django's own
-- django_session and token_blacklist_* tables instead: see 0005_django_jwt.sql.)

-- Sessions. Only the SHA-256 digest of a session key (the sessionid cookie) is stored (lowercase hex).
CREATE TABLE portcullis_sessions (
  id text PRIMARY KEY,
  digest text NOT NULL UNIQUE,
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);

CREATE INDEX portcullis_sessions_user_id ON portcullis_sessions (user_id);
CREATE INDEX portcullis_sessions_expires_at ON portcullis_sessions (expires_at);

-- One row per outstanding refresh or sliding token, by jti; the token itself is never stored. family ties the
-- refresh tokens of one login through their rotations; replaced_by is set when a rotation spends the token
-- (presenting it again blacklists the family); blacklisted_at is set by logout, rotation or reuse. user_id has no
-- foreign key: simplejwt's is nullable, and tokens minted elsewhere may name users not imported.
CREATE TABLE portcullis_jwt_outstanding (
  jti text PRIMARY KEY,
  user_id text,
  family text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  replaced_by text,
  blacklisted_at bigint
);

CREATE INDEX portcullis_jwt_outstanding_user_id ON portcullis_jwt_outstanding (user_id);
CREATE INDEX portcullis_jwt_outstanding_family ON portcullis_jwt_outstanding (family);
CREATE INDEX portcullis_jwt_outstanding_expires_at ON portcullis_jwt_outstanding (expires_at);

-- rotateJwt in one statement. The old token is recorded if unknown, then locked (FOR UPDATE), so concurrent
-- rotations of one token queue on its row and each reads the state the one before it committed (a VOLATILE
-- function takes a fresh snapshot per statement): exactly one spends it. Answers 'rotated', 'reused' (the old
-- token had been spent: its whole family is now blacklisted) or 'blacklisted'.
CREATE FUNCTION portcullis_rotate_jwt(p_jti text, p_user_id text, p_family text, p_created_at bigint,
  p_expires_at bigint, p_next_jti text, p_next_user_id text, p_next_created_at bigint, p_next_expires_at bigint,
  p_now bigint, p_blacklist_old boolean) RETURNS text
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_family text;
  v_replaced_by text;
  v_blacklisted_at bigint;
BEGIN
  INSERT INTO portcullis_jwt_outstanding (jti, user_id, family, created_at, expires_at)
  VALUES (p_jti, p_user_id, p_family, p_created_at, p_expires_at) ON CONFLICT (jti) DO NOTHING;
  SELECT family, replaced_by, blacklisted_at INTO v_family, v_replaced_by, v_blacklisted_at
  FROM portcullis_jwt_outstanding WHERE jti = p_jti FOR UPDATE;
  IF v_replaced_by = p_next_jti THEN
    RETURN 'rotated';
  END IF;
  IF v_replaced_by IS NOT NULL THEN
    UPDATE portcullis_jwt_outstanding SET blacklisted_at = p_now WHERE family = v_family AND blacklisted_at IS NULL;
    RETURN 'reused';
  END IF;
  IF v_blacklisted_at IS NOT NULL THEN
    RETURN 'blacklisted';
  END IF;
  UPDATE portcullis_jwt_outstanding
  SET replaced_by = p_next_jti, blacklisted_at = CASE WHEN p_blacklist_old THEN p_now ELSE NULL END
  WHERE jti = p_jti;
  INSERT INTO portcullis_jwt_outstanding (jti, user_id, family, created_at, expires_at)
  VALUES (p_next_jti, p_next_user_id, v_family, p_next_created_at, p_next_expires_at);
  RETURN 'rotated';
END
$fn$;
