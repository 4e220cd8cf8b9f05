#!/bin/sh
# PgBouncer's container entrypoint (deploy/pgbouncer/Dockerfile): writes the auth_file
# of pgbouncer.ini from the environment (so no password is ever in a file of this
# repository), then runs PgBouncer in the foreground as PID 1 (SIGTERM/SIGINT stop it).
set -eu
: "${EMSHOP_GOODS_DB_PASSWORD:?EMSHOP_GOODS_DB_PASSWORD is not set}"
: "${EMSHOP_INVENTORY_DB_PASSWORD:?EMSHOP_INVENTORY_DB_PASSWORD is not set}"
: "${PGBOUNCER_ADMIN_PASSWORD:?PGBOUNCER_ADMIN_PASSWORD is not set}"
umask 077
mkdir -p /tmp/pgbouncer
# One `"user" "password"` line per user; a double quote inside is doubled. With plain
# passwords PgBouncer can answer SCRAM itself and log in to PostgreSQL with them.
entry() { printf '"%s" "%s"\n' "$1" "$(printf '%s' "$2" | sed 's/"/""/g')"; }
{
  entry emshop_goods "$EMSHOP_GOODS_DB_PASSWORD"
  entry emshop_inventory "$EMSHOP_INVENTORY_DB_PASSWORD"
  entry pgbouncer_admin "$PGBOUNCER_ADMIN_PASSWORD"
} >/tmp/pgbouncer/userlist.txt
exec pgbouncer "${PGBOUNCER_CONFIG:-/etc/pgbouncer/pgbouncer.ini}"
