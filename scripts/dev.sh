#!/usr/bin/env bash
# Set up, build and run a single-node Machina dev chain on ws://127.0.0.1:9944.
# Extra arguments go to machina-node (e.g. --dev-block-time 6000, --tmp).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

bash scripts/setup.sh
log "building machina-node (release; about an hour the first time on 2 cores)"
reproducible_wasm
cargo build --locked --release -p machina-node
log "starting the dev chain: ws://127.0.0.1:9944 (Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/machina-node" --dev --rpc-cors all "$@"
