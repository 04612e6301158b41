# PostgreSQL 15 from Debian: start the cluster (pg_ctlcluster starts it as the postgres user when run as root),
# create a role and a database for the tests, and export PORTCULLIS_PG_URL. A cluster that was already running is
# left running; one this script started is stopped when .ci/run exits.
if [ -z "${PORTCULLIS_PG_URL:-}" ] && command -v pg_ctlcluster >/dev/null; then
  if ! pg_ctlcluster 15 main status >/dev/null 2>&1; then
    pg_ctlcluster 15 main start
    CI_STOP+=("pg_ctlcluster 15 main stop")
  fi
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'portcullis'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE portcullis LOGIN SUPERUSER PASSWORD 'portcullis'\""
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'portcullis_test'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE DATABASE portcullis_test OWNER portcullis\""
  export PORTCULLIS_PG_URL="postgres://portcullis:portcullis@127.0.0.1:5432/portcullis_test"
fi
