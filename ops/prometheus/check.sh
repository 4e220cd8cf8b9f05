#!/usr/bin/env bash
# Checks the Prometheus alert rules (`npm run alerts:check`): their syntax and
# lint, the example scrape config that loads them, and their unit tests
# (alerts.test.yml). Needs promtool, from Debian's `prometheus` package.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null; then
  echo "promtool is missing: install Debian's prometheus package (sudo apt-get install --no-install-recommends prometheus)," >&2
  echo "or put promtool from a Prometheus release (https://prometheus.io/download/) on the PATH." >&2
  exit 127
fi

promtool check rules --lint=all --lint-fatal ops/prometheus/alerts.yml
promtool check config ops/prometheus/prometheus.yml
promtool test rules ops/prometheus/alerts.test.yml
