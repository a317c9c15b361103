#!/usr/bin/env bash
# Build what a local relay + Machina network needs, in the project's one target dir:
#   polkadot, polkadot-prepare-worker, polkadot-execute-worker  (zombienet/relay:
#     polkadot-cli with rococo-native and fast-runtime, from crates.io)
#   machina-node
#   machina-runtime-next.compact.compressed.wasm  (the runtime as spec version + 1: what
#     zombienet/network/tests/network.rs upgrades the network to by referendum)
# all in $CARGO_TARGET_DIR/release, side by side: the relay node finds its PVF workers
# next to its own executable. Builds only what is missing or out of date (cargo decides).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"
# The node embeds the runtime wasm: never skip building it.
unset SKIP_WASM_BUILD

log "relay chain: polkadot + PVF workers (release)"
cargo build --locked --release -p machina-relay
log "machina-node (release)"
reproducible_wasm
cargo build --locked --release -p machina-node

BIN="$CARGO_TARGET_DIR/release"
log "the next spec version's runtime wasm (next-spec-version)"
# (With metadata-hash, wasm-builder builds the blob twice, before and after hashing the
# metadata: ~30 min on 2 cores whenever the runtime changed.)
feature_wasm next-spec-version,metadata-hash "$BIN/machina-runtime-next.compact.compressed.wasm"
for b in polkadot polkadot-prepare-worker polkadot-execute-worker machina-node; do
	[ -x "$BIN/$b" ] || { echo "missing $BIN/$b" >&2; exit 1; }
done
# The node refuses workers of another version.
node_version="$("$BIN/polkadot" --version | awk '{print $2}')"
for w in polkadot-prepare-worker polkadot-execute-worker; do
	log "$w $("$BIN/$w" --version) (polkadot $node_version)"
done
echo "export PATH=\"$BIN:\$PATH\"   # polkadot, its workers and machina-node"
