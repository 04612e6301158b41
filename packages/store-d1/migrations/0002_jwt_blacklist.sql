-- Portcullis schema, version 2: the JWT blacklist (simplejwt's token_blacklist app in one table).
-- One row per outstanding refresh or sliding token, by jti; the token itself is never stored. family ties the
-- refresh tokens of one login through their rotations; replaced_by is set when a rotation spends the token
-- (presenting it again blacklists the family); blacklisted_at is set by logout, rotation or reuse.
-- user_id has no foreign key: simplejwt's is nullable, and tokens minted by Django may name users not imported.
CREATE TABLE portcullis_jwt_outstanding (
  jti TEXT PRIMARY KEY NOT NULL,
  user_id TEXT,
  family TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  replaced_by TEXT,
  blacklisted_at INTEGER
);

CREATE INDEX portcullis_jwt_outstanding_user_id ON portcullis_jwt_outstanding (user_id);
CREATE INDEX portcullis_jwt_outstanding_family ON portcullis_jwt_outstanding (family);
CREATE INDEX portcullis_jwt_outstanding_expires_at ON portcullis_jwt_outstanding (expires_at);
