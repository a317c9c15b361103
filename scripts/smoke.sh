#!/usr/bin/env bash
# The node tier: build machina-node (release), start `--dev`, and run the @polkadot/api
# smoke test against it: 3 finalized blocks, machina_nodeInfo, a signed transfer seen
# finalized with its fee, the chain specs' :code against the node's runtime; then the
# intents test with the Rust solver (intents.mjs), the metadata decoding test
# (metadata.mjs) and the finality measurement (finality.mjs). Cold: about an hour on 2
# cores (the node build); warm: ~6 min.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"
# The node embeds the runtime wasm: never skip building it.
unset SKIP_WASM_BUILD

RPC_PORT="${RPC_PORT:-9944}"
NODE="${MACHINA_NODE:-$CARGO_TARGET_DIR/release/machina-node}"

bash scripts/setup.sh
if [ -z "${MACHINA_NODE:-}" ]; then
  log "building machina-node (release)"
  reproducible_wasm
  cargo build --locked --release -p machina-node
else
  # A node built elsewhere: the chain-spec check below still ties it to these sources.
  log "using MACHINA_NODE=$NODE"
fi
log "node binary: $(du -h "$NODE" | cut -f1)"

log "the committed chain specs hold this node's runtime, byte for byte"
MACHINA_NODE="$NODE" bash scripts/gen-chain-specs.sh --check

log "installing the e2e client (npm ci)"
# npm 11 writes rollup's other-platform optional packages (from polkadot-api's CLI) into the
# lockfile without entries, and then its own `npm ci` refuses the file: fall back to
# `npm install`, which installs the locked versions.
(cd scripts/e2e && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
  npm install --no-audit --no-fund --loglevel=error; })

workdir="$(mktemp -d)"
cleanup() {
  if [ -n "${node_pid:-}" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid"; wait "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

log "starting machina-node --dev on port $RPC_PORT (log: $workdir/node.log)"
"$NODE" --dev --base-path "$workdir/db" --rpc-port "$RPC_PORT" --no-hardware-benchmarks \
  --no-prometheus --no-telemetry >"$workdir/node.log" 2>&1 &
node_pid=$!

# Wait until the RPC server answers.
wait_for_rpc() {
  for _ in $(seq 1 60); do
    if curl -sf -H 'Content-Type: application/json' \
        -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
        "http://127.0.0.1:$RPC_PORT" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$node_pid" 2>/dev/null || { tail -n 40 "$workdir"/node*.log; echo "the node exited" >&2; exit 1; }
    sleep 1
  done
}
wait_for_rpc

status=0
MACHINA_NODE="$NODE" node scripts/e2e/smoke.mjs "ws://127.0.0.1:$RPC_PORT" || status=$?
# Intents with the Rust reference solver: a swap batch and a service order settle.
MACHINA_SOLVER="$(dirname "$NODE")/machina-solver" node scripts/e2e/intents.mjs "ws://127.0.0.1:$RPC_PORT" || status=$?
# Every call, event, storage item, constant and Machina runtime API decodes.
node scripts/e2e/metadata.mjs "ws://127.0.0.1:$RPC_PORT" || status=$?
# Submission to inclusion and finality, 50 transfers (docs/performance.md).
node scripts/e2e/finality.mjs "ws://127.0.0.1:$RPC_PORT" || status=$?
# Chain time after the smoke test's minutes of blocks, at the default 2 s block time.
node scripts/e2e/dev-clock.mjs "ws://127.0.0.1:$RPC_PORT" 2000 15 || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- node log (last 60 lines) ---"; tail -n 60 "$workdir/node.log"
fi
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true

# And at a very short block time: 300 blocks of 100 ms.
log "machina-node --dev --dev-block-time 100 (log: $workdir/node-fast.log)"
"$NODE" --dev --dev-block-time 100 --base-path "$workdir/db-fast" --rpc-port "$RPC_PORT" --no-hardware-benchmarks \
  --no-prometheus --no-telemetry >"$workdir/node-fast.log" 2>&1 &
node_pid=$!
wait_for_rpc
node scripts/e2e/dev-clock.mjs "ws://127.0.0.1:$RPC_PORT" 100 300 || { status=1; tail -n 40 "$workdir/node-fast.log"; }
exit "$status"
