#!/usr/bin/env bash
# Regenerate chain-specs/ from the runtime's presets with the node's `build-spec`:
#   machina-dev.json, machina-dev-raw.json      (preset `development`, for --dev)
#   machina-local.json, machina-local-raw.json  (preset `local_testnet`, for zombienet)
# runtime/tests/chain_specs.rs fails when these no longer match the runtime.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"
# The node embeds the runtime wasm: never skip building it.
unset SKIP_WASM_BUILD

NODE="${MACHINA_NODE:-$CARGO_TARGET_DIR/release/machina-node}"
if [ ! -x "$NODE" ]; then
  log "building machina-node (release)"
  cargo build --locked --release -p machina-node
fi

for chain in dev local; do
  log "chain-specs/machina-$chain.json and machina-$chain-raw.json"
  "$NODE" build-spec --chain "$chain" --disable-default-bootnode 2>/dev/null >"chain-specs/machina-$chain.json"
  "$NODE" build-spec --chain "$chain" --disable-default-bootnode --raw 2>/dev/null >"chain-specs/machina-$chain-raw.json"
done
ls -l chain-specs/
