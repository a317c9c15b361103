#!/usr/bin/env bash
# The CI tier: pallet and runtime tests (native, against the real runtime), plus the
# runtime's wasm build, so a std-only dependency cannot slip into the chain.
# Cold on a 2-core machine: see README ("Tests"). The node is not built here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

bash scripts/setup.sh

log "cargo fmt --check (rustfmt.toml)"
cargo fmt --all --check

log "cargo test: primitives, pallets, runtime (target dir: $CARGO_TARGET_DIR)"
# The wasm is built only to prove the runtime compiles for the chain (no_std). The
# nested build ignores the workspace's profiles and would compile it with thin LTO at
# opt-level 3 (about 20 min of one core after any pallet change); a debug wasm is
# incremental and takes minutes. Releases and chain specs keep the optimised wasm:
# this is set here only, never in common.sh.
export WASM_BUILD_TYPE="${WASM_BUILD_TYPE:-debug}"
# default-members: everything but the node.
cargo test --locked

log "benchmarks execute (each pallet's benchmark test suite, runtime-benchmarks feature)"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-micro-bonds -p pallet-device-registry -p pallet-coverage -p pallet-intents \
	--features pallet-micro-bonds/runtime-benchmarks,pallet-device-registry/runtime-benchmarks,pallet-coverage/runtime-benchmarks,pallet-intents/runtime-benchmarks \
	benchmarking

log "BLS pairings through the RFC-163 host functions agree with the runtime's (feature ec-host-calls)"
SKIP_WASM_BUILD=1 cargo test --locked -p machina-primitives --features ec-host-calls bls

log "the runtime with try-runtime: the upgrade's migrations with their pre/post checks and every pallet's try_state"
SKIP_WASM_BUILD=1 cargo test --locked -p machina-runtime --features try-runtime --test migrations

log "cargo clippy, warnings denied (check build, no wasm)"
SKIP_WASM_BUILD=1 cargo clippy --locked --all-targets -- -D warnings
