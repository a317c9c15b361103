#!/usr/bin/env bash
# One command for a local network: a rococo-local relay chain (validators alice, bob) and
# Machina para 2000 (collators machina-alice, machina-bob), on zombienet-sdk's native
# provider. Prints every node's RPC endpoint and Polkadot.js apps link; Ctrl-C stops
# every node.
#
#   scripts/zombienet.sh                           # zombienet/machina-local.toml
#   scripts/zombienet.sh --full-node 30444         # + machina-full for light clients (TCP 30444 and /ws)
#   scripts/zombienet.sh --info /tmp/network.json  # endpoints and generated specs as JSON
#   scripts/zombienet.sh --base-dir /tmp/zn        # keep databases and logs there
#   scripts/zombienet.sh --rfc163                  # relay with EccRfc163 (bls-host-calls node)
#
# Builds what is missing first (scripts/zombienet-setup.sh: relay binaries and the node in
# release, the launcher in debug).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

bash scripts/zombienet-setup.sh >&2
log "machina-zombienet (the launcher, zombienet/network)"
cargo build --locked -p machina-zombienet --bin machina-zombienet >&2
exec "$CARGO_TARGET_DIR/debug/machina-zombienet" "$@"
