#!/usr/bin/env bash
# Block time, submission to inclusion and submission to finality on a local relay +
# Machina network (docs/performance.md, "Block time and finality"): launches
# machina-zombienet with the given options, then runs scripts/e2e/block-rate.mjs
# (DURATION_S, default 120) and scripts/e2e/finality.mjs (COUNT transfers, default 50)
# against machina-alice, and stops the network. Needs the binaries of
# scripts/zombienet-setup.sh (not rebuilt here: measure what is built).
#
#   scripts/measure.sh                          # the default network (machina-local.toml)
#   scripts/measure.sh --authoring lookahead    # lookahead collators
#   scripts/measure.sh --elastic                # 3 cores (machina-elastic.toml)
#   scripts/measure.sh --block-time-500ms       # 1 core, the runtime at velocity 12 (500 ms
#       blocks, bundled): builds that runtime's wasm (feature block-time-500ms, ~20 min cold)
#       and starts Machina with it in place of the chain spec's; the node is the same
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

args=()
for arg in "$@"; do
  if [ "$arg" = --block-time-500ms ]; then
    trial="$CARGO_TARGET_DIR/release/machina-runtime-500ms.compact.compressed.wasm"
    log "the block-time-500ms runtime (velocity 12, no metadata hash) -> $trial"
    feature_wasm fast-runtime,block-time-500ms "$trial"
    args+=(--runtime-wasm "$trial")
  else
    args+=("$arg")
  fi
done
set -- "${args[@]}"

cargo build --locked -p machina-zombienet --bin machina-zombienet
(cd scripts/e2e && [ -d node_modules/@polkadot/api ] || npm ci --no-audit --no-fund --loglevel=error)
work="$(mktemp -d /tmp/machina-measure.XXXXXX)"
"$CARGO_TARGET_DIR/debug/machina-zombienet" "$@" --base-dir "$work/network" --info "$work/network.json" \
  >"$work/launcher.log" 2>&1 &
launcher=$!
status=1
cleanup() {
  if kill -0 "$launcher" 2>/dev/null; then kill -TERM "$launcher"; wait "$launcher" 2>/dev/null || true; fi
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "measurement failed: logs kept in $work" >&2; fi
}
trap cleanup EXIT
source scripts/e2e/network.sh
wait_for_network
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); network: $*"
log "block rate on machina-alice ($ws)"
node scripts/e2e/block-rate.mjs "$ws"
log "finality: ${COUNT:-50} transfers through machina-alice"
node scripts/e2e/finality.mjs "$ws"
status=0
