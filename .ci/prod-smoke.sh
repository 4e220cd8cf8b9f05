#!/usr/bin/env bash
# The production path, after the tests: compile, drop every dev dependency
# (tsx, vitest, codegen, composition, the tools' CLIs), start the three compiled
# services with plain node on fresh embedded databases, query through the
# gateway, then SIGTERM and expect a clean exit. Run it last: it prunes node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
npm prune --omit=dev --no-audit --no-fund
for dev_only in tsx vitest turbo @graphql-codegen/cli @graphql-inspector/core commander; do
  if [ -e "node_modules/$dev_only" ]; then echo "✗ $dev_only is still installed after npm prune --omit=dev"; exit 1; fi
done

data_dir="$(mktemp -d)"
log="$(mktemp)"
EMSHOP_DATA_DIR="$data_dir" GATEWAY_PORT=4400 GOODS_PORT=4401 INVENTORY_PORT=4402 \
  GOODS_URL=http://127.0.0.1:4401/graphql INVENTORY_URL=http://127.0.0.1:4402/graphql \
  node tools/scripts/supervise.mjs prod >"$log" 2>&1 & # what `npm run start:prod` runs, without npm in between
pid=$!
query='{"query":"{ goodsList(pageSize: 3) { total items { id name stocks } } }"}'
for _ in $(seq 1 120); do
  answer="$(curl -s localhost:4400/graphql -H 'content-type: application/json' -d "$query" || true)"
  if echo "$answer" | grep -q '"stocks":[0-9]'; then break; fi
  sleep 0.5
done
echo "$answer"
if ! echo "$answer" | grep -q '"total":1200' || echo "$answer" | grep -q '"errors"'; then
  cat "$log"; kill -TERM "$pid" || true; echo "✗ the compiled services did not answer the catalog query"; exit 1
fi
kill -TERM "$pid"
wait "$pid"
echo "✓ compiled services served the catalog with stocks on production dependencies only, and stopped cleanly"
rm -rf "$data_dir" "$log"
