#!/bin/sh
# Patroni's bootstrap.post_bootstrap (deploy/patroni/*.yml): run once, on the node that
# bootstraps the cluster, with a superuser connection string as $1. Creates the
# application's role and its database (the services migrate it; README "Configuration":
# "create the two databases first").
set -eu
: "${EMSHOP_DB_NAME:?EMSHOP_DB_NAME is not set}"
: "${EMSHOP_DB_USER:?EMSHOP_DB_USER is not set}"
: "${EMSHOP_DB_PASSWORD:?EMSHOP_DB_PASSWORD is not set}"
psql "$1" --no-psqlrc --set=ON_ERROR_STOP=1 \
  --set=db="$EMSHOP_DB_NAME" --set=role="$EMSHOP_DB_USER" --set=password="$EMSHOP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
-- The services' DB_STATEMENT_TIMEOUT_MS and DB_IDLE_IN_TRANSACTION_TIMEOUT_MS defaults, set
-- on the server: through PgBouncer they are not sent as startup parameters
-- (deploy/pgbouncer/pgbouncer.ini, ignore_startup_parameters). Migrations lift them with
-- SET LOCAL, as they do anyway.
ALTER ROLE :"role" SET statement_timeout = '5s';
ALTER ROLE :"role" SET idle_in_transaction_session_timeout = '10s';
CREATE DATABASE :"db" OWNER :"role";
SQL
