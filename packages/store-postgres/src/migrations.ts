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
];
