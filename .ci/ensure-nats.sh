#!/usr/bin/env bash
# Starts NATS with JetStream on 127.0.0.1:4222 if nothing answers there yet (test/events needs it):
# the machine's service when it has one, else a nats-server of CI's own with a throwaway store.
set -euo pipefail
ping() { (exec 3<>/dev/tcp/127.0.0.1/4222 && head -c 4 <&3 | grep -q INFO) 2>/dev/null; }
if ping; then echo "NATS is up"; exit 0; fi
echo "NATS is down; starting it"
service nats-server start 2>/dev/null || {
  command -v nats-server >/dev/null || PATH="$PATH:/usr/sbin"
  command -v nats-server >/dev/null || { echo "nats-server is missing (Debian package nats-server)" >&2; exit 1; }
  store="$(mktemp -d)"
  nohup nats-server -a 127.0.0.1 -p 4222 -js -sd "$store" >"$store/nats.log" 2>&1 &
}
for _ in $(seq 1 30); do ping && exit 0; sleep 1; done
echo "NATS did not come up within 30 s" >&2
exit 1
