# PostgreSQL 15 from Debian: start the cluster (pg_ctlcluster starts it as the postgres user when run as root),
# create a role and a database for the tests, and export PORTCULLIS_PG_URL.
if [ -z "${PORTCULLIS_PG_URL:-}" ] && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
  CI_STOP+=("pg_ctlcluster 15 main stop")
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'portcullis'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE portcullis LOGIN SUPERUSER PASSWORD 'portcullis'\""
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'portcullis_test'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE DATABASE portcullis_test OWNER portcullis\""
  export PORTCULLIS_PG_URL="postgres://portcullis:portcullis@127.0.0.1:5432/portcullis_test"
fi
