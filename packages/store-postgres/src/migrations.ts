/**
 * The SQL migrations of `@portcullis/store-postgres` as text, for `migrate(client)` on runtimes without a
 * filesystem. GENERATED from `migrations/*.sql` by `node scripts/generate-migrations.mjs`: do not edit by hand.
 * @module
 */

/**
 * One migration: its file name (recorded in `portcullis_migrations`), the mode it belongs to (`both`,
 * `native`: Portcullis's own users and tokens, `django`: Django mode) and its SQL.
 * @example
 * ```ts
 * const counters: Migration = { name: "0001_counters.sql", mode: "both", sql: "CREATE TABLE ..." };
 * ```
 */
export interface Migration {
  readonly name: string;
  readonly mode: "both" | "native" | "django";
  readonly sql: string;
}

/**
 * Every migration of `migrations/`, in order.
 * @example
 * ```ts
 * import { migrations } from "@portcullis/store-postgres";
 *
 * console.log(migrations.map((migration) => migration.name)); // ["0001_counters.sql", ...]
 * ```
 */
export const migrations: readonly Migration[] = [
  {
    name: "0001_counters.sql",
    mode: "both",
    sql: `-- portcullis-mode: both
-- Portcullis on PostgreSQL: throttle counters. Applied by migrate(client) from @portcullis/store-postgres, which
-- records it in portcullis_migrations. Table names carry a portcullis_ prefix so they never collide with an
-- application's own tables (or Django's).

-- One sliding log per key: the live hits (epoch ms, float8 holds every integer ms exactly), never more than the
-- limit of the last hit. last_allowed is the outcome of the last hit (read back through RETURNING); expires_at
-- is the newest hit plus window_ms, when the whole row may be purged.
CREATE TABLE portcullis_counters (
  key text PRIMARY KEY,
  window_ms float8 NOT NULL,
  log float8[] NOT NULL DEFAULT '{}',
  last_allowed boolean NOT NULL DEFAULT false,
  expires_at float8 NOT NULL
);

CREATE INDEX portcullis_counters_expires_at ON portcullis_counters (expires_at);
`,
  },
  {
    name: "0002_users_tokens.sql",
    mode: "native",
    sql: `-- portcullis-mode: native
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
`,
  },
  {
    name: "0003_django_tokens.sql",
    mode: "django",
    sql: `-- portcullis-mode: django
-- Portcullis on a Django database (postgresStore(client, { django: true })): the tokens Portcullis issues, hashed,
-- referencing Django's auth_user. Apply after Django's own \`manage.py migrate\` (auth_user must exist). Django's
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
`,
  },
  {
    name: "0004_sessions_jwt.sql",
    mode: "native",
    sql: `-- portcullis-mode: native
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
`,
  },
  {
    name: "0005_django_jwt.sql",
    mode: "django",
    sql: `-- portcullis-mode: django
-- Portcullis on a Django database: the JWT blacklist in simplejwt's own tables (token_blacklist_outstandingtoken
-- and token_blacklist_blacklistedtoken, read and written row by row as simplejwt does, never altered), plus what
-- simplejwt does not keep: the family of each refresh token (the jti of its login's first token) and the token a
-- rotation replaced it with, for reuse detection. Apply after Django's own \`manage.py migrate\`. Its functions
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
`,
  },
  {
    name: "0006_permissions.sql",
    mode: "native",
    sql: `-- portcullis-mode: native
-- Portcullis on PostgreSQL: Django-style permissions and groups in Portcullis's own tables (Django mode reads
-- Django's five auth tables instead). A permission is its "app_label.codename" name; a group is its unique name,
-- created by its first grant or member. Granted through the CLI (\`portcullis grant\`) or PermissionAdminStore.

ALTER TABLE portcullis_users ADD COLUMN is_superuser boolean NOT NULL DEFAULT false;

CREATE TABLE portcullis_user_permissions (
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  permission text NOT NULL,
  PRIMARY KEY (user_id, permission)
);

CREATE TABLE portcullis_group_permissions (
  group_name text NOT NULL,
  permission text NOT NULL,
  PRIMARY KEY (group_name, permission)
);

CREATE TABLE portcullis_user_groups (
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  group_name text NOT NULL,
  PRIMARY KEY (user_id, group_name)
);

CREATE INDEX portcullis_user_groups_group ON portcullis_user_groups (group_name);
`,
  },
  {
    name: "0007_api_keys.sql",
    mode: "both",
    sql: `-- portcullis-mode: both
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
`,
  },
  {
    name: "0008_accounts.sql",
    mode: "native",
    sql: `-- portcullis-mode: native
-- Portcullis on PostgreSQL: accounts (the AccountStore capability of @portcullis/core/accounts) beside the own users
-- table: e-mail, first and last name (empty when none, as Django's), last login (epoch milliseconds, NULL for
-- never). Django mode reads and writes Django's own auth_user columns instead. email is looked up as Django's
-- email__iexact does (upper(email) = upper($1)), so an expression index serves it.
CREATE TABLE portcullis_accounts (
  user_id text PRIMARY KEY REFERENCES portcullis_users (id) ON DELETE CASCADE,
  email text NOT NULL DEFAULT '',
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL DEFAULT '',
  last_login bigint
);

CREATE INDEX portcullis_accounts_email ON portcullis_accounts (upper(email)) WHERE email <> '';
`,
  },
  {
    name: "0009_knox_django.sql",
    mode: "django",
    sql: `-- portcullis-mode: django
-- Portcullis on a Django database with django-rest-knox 5: tokens live in knox's own knox_authtoken (created by
-- Django's \`manage.py migrate\`; this migration only adds a function, so it applies whether or not knox is installed).
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
`,
  },
  {
    name: "0009_knox_tokens.sql",
    mode: "native",
    sql: `-- portcullis-mode: native
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
`,
  },
  {
    name: "0010_api_key_rotation.sql",
    mode: "both",
    sql: `-- portcullis-mode: both
-- Portcullis on PostgreSQL: atomic API key rotation. replaced_by holds the id of the key that replaced this one; a
-- rotation sets it in the same conditional UPDATE that claims the key (WHERE replaced_by IS NULL), so of any number
-- of concurrent rotations of one key exactly one succeeds. It holds an id, never a key or a digest.
ALTER TABLE portcullis_api_keys ADD COLUMN replaced_by text;
`,
  },
];
