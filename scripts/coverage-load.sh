#!/usr/bin/env bash
# Aggregated heartbeats live: start `machina-node --dev` (release build, as smoke.sh
# builds it), register DEVICES devices with BLS keys, and submit their aggregated
# heartbeat every slot for SLOTS slots (30 s each on the runtime); prints finalized
# device-heartbeats per second and block fullness.
#
#   DEVICES=1000 SLOTS=4 ./scripts/coverage-load.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

DEVICES="${DEVICES:-1000}"
SLOTS="${SLOTS:-4}"
RPC_PORT="${RPC_PORT:-9944}"
NODE="${MACHINA_NODE:-$CARGO_TARGET_DIR/release/machina-node}"
[ -x "$NODE" ] || { echo "no node at $NODE: run scripts/smoke.sh (or build machina-node --release) first" >&2; exit 1; }
(cd scripts/e2e && npm ci --no-audit --no-fund --loglevel=error)

workdir="$(mktemp -d)"
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; rm -rf "$workdir"' EXIT
log "starting machina-node --dev (log: $workdir/node.log)"
"$NODE" --dev --base-path "$workdir/db" --rpc-port "$RPC_PORT" --no-hardware-benchmarks \
  --no-prometheus --no-telemetry --pool-limit 20000 >"$workdir/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 60); do
  curl -sf -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$RPC_PORT" >/dev/null 2>&1 && break
  sleep 1
done
node scripts/e2e/coverage-load.mjs "ws://127.0.0.1:$RPC_PORT" "$DEVICES" "$SLOTS" ||
  { tail -n 40 "$workdir/node.log"; exit 1; }
