-- portcullis-mode: both
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
