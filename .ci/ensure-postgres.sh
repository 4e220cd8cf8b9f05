#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster if it is not accepting connections yet.
set -euo pipefail
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "PostgreSQL is up"
  exit 0
fi
echo "PostgreSQL is down; starting it"
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && exit 0
  sleep 1
done
echo "PostgreSQL did not come up within 30 s" >&2
exit 1
