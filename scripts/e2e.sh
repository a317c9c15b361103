#!/usr/bin/env bash
# The network tier: Machina on a local relay chain, with the real binaries.
#   1. zombienet-sdk network tests: zombienet/network/tests/network.rs (registration,
#      block production and finality, a collator killed and restarted, a device
#      registered with an X.509 chain and bonded through signed extrinsics) and
#      zombienet/network/tests/elastic.rs (three cores: 2 s blocks, more than one
#      candidate backed per relay block, finality keeping up, machina_txStatus);
#   2. a network with a light-client full node (machina-zombienet --full-node), and
#      against it: the @polkadot/api smoke and metadata tests on a collator, the
#      polkadot-api + smoldot light client with the chain specs only, and the finality
#      measurements (block rate over 2 minutes, 50 transfers to finality).
# Needs the relay and node release binaries (scripts/zombienet-setup.sh, run first; cold:
# about 1 h 30 min on 2 cores) and Node.js 20. Not in .ci/run: see README "Test tiers".
#
#   scripts/e2e.sh                 # everything
#   E2E_SKIP_SDK_TESTS=1 scripts/e2e.sh   # only part 2
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

bash scripts/zombienet-setup.sh
log "installing the e2e clients (npm ci)"
# npm 11 writes rollup's other-platform optional packages (from polkadot-api's CLI) into the
# lockfile without entries, and then its own `npm ci` refuses the file: fall back to
# `npm install`, which installs the locked versions.
(cd scripts/e2e && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
  npm install --no-audit --no-fund --loglevel=error; })

if [ -z "${E2E_SKIP_SDK_TESTS:-}" ]; then
  log "zombienet-sdk network tests (cargo test -p machina-zombienet)"
  # The tests use the runtime's types only: no wasm build. One network at a time.
  SKIP_WASM_BUILD=1 cargo test --locked -p machina-zombienet --test network --test elastic -- --nocapture
fi

log "a network with a light-client full node (machina-zombienet --full-node)"
cargo build --locked -p machina-zombienet --bin machina-zombienet
work="$(mktemp -d /tmp/machina-e2e.XXXXXX)"
"$CARGO_TARGET_DIR/debug/machina-zombienet" --full-node "${LIGHT_CLIENT_TCP_PORT:-30444}" \
  --base-dir "$work/network" --info "$work/network.json" >"$work/launcher.log" 2>&1 &
launcher=$!
status=1
cleanup() {
  if [ -n "${light:-}" ]; then kill "$light" 2>/dev/null || true; fi
  if kill -0 "$launcher" 2>/dev/null; then kill -TERM "$launcher"; wait "$launcher" 2>/dev/null || true; fi
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "e2e failed: logs kept in $work" >&2; fi
}
trap cleanup EXIT
source scripts/e2e/network.sh
wait_for_network

# The light client starts with the network and follows it while the other clients run;
# it waits for the devices Charlie registers in the smoke test.
log "light client (polkadot-api + smoldot, chain specs only), in the background"
EXPECT_DEVICES_OF=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y LIGHT_TIMEOUT_MS=600000 \
  node scripts/e2e/light-client.mjs "$work/network.json" >"$work/light-client.log" 2>&1 &
light=$!
log "@polkadot/api smoke test on machina-alice ($ws)"
# Without MACHINA_NODE: smoke.sh runs the Rust heartbeat client on --dev. It reads the
# slot at the best head since session 11 (finality here, ~32 s, lags more than a 30 s
# slot); not yet re-run on this network (docs/performance.md).
node scripts/e2e/smoke.mjs "$ws"
log "@polkadot/api metadata decoding on machina-alice"
node scripts/e2e/metadata.mjs "$ws"
light_status=0
wait "$light" || light_status=$?
cat "$work/light-client.log"
[ "$light_status" -eq 0 ] || { echo "the light client failed" >&2; exit 1; }
log "block rate on machina-alice (2 min)"
node scripts/e2e/block-rate.mjs "$ws"
log "finality: 50 transfers through machina-alice"
node scripts/e2e/finality.mjs "$ws"
status=0
log "network tier passed"
