#!/usr/bin/env bash
# Regenerate chain-specs/ from the runtime's presets with the node's `build-spec`:
#   machina-dev.json, machina-dev-raw.json      (preset `development`, for --dev)
#   machina-local.json, machina-local-raw.json  (preset `local_testnet`, for zombienet)
#   runtime-code.txt                            (the raw specs' `:code` hash, and the
#                                                fingerprint of the sources it was built from)
# runtime/tests/chain_specs.rs (CI tier) fails when these no longer match the runtime.
#
#   scripts/gen-chain-specs.sh --check   compare instead of writing: the `:code` the node
#                                        embeds must equal the committed one, byte for byte
#                                        (by blake2-256), and so must the fingerprint.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"
# The node embeds the runtime wasm: never skip building it.
unset SKIP_WASM_BUILD
check=false
[ "${1:-}" = "--check" ] && check=true

NODE="${MACHINA_NODE:-}"
if [ -z "$NODE" ]; then
  # Always through cargo, so the specs are never written from a stale binary (no-op when
  # the node is current).
  log "building machina-node (release)"
  reproducible_wasm
  cargo build --locked --release -p machina-node
  NODE="$CARGO_TARGET_DIR/release/machina-node"
fi

# blake2-256 of the raw spec's `:code`, as the runtime sees it (the compressed blob).
code_hash() {
  python3 -c 'import json,sys,hashlib
code=json.load(open(sys.argv[1]))["genesis"]["raw"]["top"]["0x3a636f6465"]
print("0x"+hashlib.blake2b(bytes.fromhex(code[2:]),digest_size=32).hexdigest())' "$1"
}

out="chain-specs"
$check && out="$(mktemp -d)"
for chain in dev local; do
  "$NODE" build-spec --chain "$chain" --disable-default-bootnode 2>/dev/null >"$out/machina-$chain.json"
  "$NODE" build-spec --chain "$chain" --disable-default-bootnode --raw 2>/dev/null >"$out/machina-$chain-raw.json"
done
{
  echo "# Written by scripts/gen-chain-specs.sh; checked by runtime/tests/chain_specs.rs."
  echo "code_blake2_256=$(code_hash "$out/machina-dev-raw.json")"
  echo "sources_sha256=$(bash scripts/runtime-fingerprint.sh)"
} >"$out/runtime-code.txt"

if $check; then
  status=0
  for f in runtime-code.txt machina-dev.json machina-dev-raw.json machina-local.json machina-local-raw.json; do
    if cmp -s "$out/$f" "chain-specs/$f"; then log "$f matches"; else log "$f DIFFERS"; status=1; fi
  done
  [ $status -eq 0 ] || log "the committed chain specs are stale: run scripts/gen-chain-specs.sh"
  rm -rf "$out"
  exit $status
fi
log "wrote chain-specs/ ($(grep code_ chain-specs/runtime-code.txt))"
