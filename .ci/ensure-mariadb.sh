#!/usr/bin/env bash
# Starts the machine's MariaDB if it is not accepting connections yet (test/import needs it).
set -euo pipefail
ping() { mysqladmin --host=127.0.0.1 --user=root ping --silent 2>/dev/null; }
if ping; then echo "MariaDB is up"; exit 0; fi
echo "MariaDB is down; starting it"
service mariadb start || service mysql start
for _ in $(seq 1 30); do ping && exit 0; sleep 1; done
echo "MariaDB did not come up within 30 s" >&2
exit 1
