-- Portcullis schema: the replica clock of d1ReplicaStore. One row (id 1) holding the epoch ms of the
-- latest write made for it on the primary (a heartbeat, and every token revocation). A read replica that shows
-- `at` has applied every primary write committed before it, so `now - at` bounds how stale that replica is.
CREATE TABLE portcullis_replica_clock (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  at REAL NOT NULL
);
