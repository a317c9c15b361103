#!/usr/bin/env bash
# Generate each Machina pallet's `src/weights.rs` from its benchmarks, executed on the
# wasm runtime (as validators run it) by the node's `benchmark pallet` command.
#
#   ./scripts/benchmark.sh                      # every Machina pallet, and pallet_xcm
#   ./scripts/benchmark.sh pallet_device_registry
#   STEPS=20 REPEAT=10 ./scripts/benchmark.sh pallet_coverage   # batch setup signs for 65,536 devices
#   ./scripts/benchmark.sh pallet_xcm           # -> runtime/src/weights/pallet_xcm.rs
#   STEPS=10 REPEAT=5 ./scripts/benchmark.sh    # quicker, noisier
#   EXTRINSICS=pay_reward ./scripts/benchmark.sh pallet_micro_bonds   # one benchmark, for comparison
#   BLS_HOST_CALLS=1 EXTRINSICS=heartbeat_batch ./scripts/benchmark.sh pallet_coverage
#       # the runtime built with `bls-host-calls` (pairings on the RFC-163 host functions);
#       # writes $CARGO_TARGET_DIR/weights-<pallet>-bls-host-calls.rs for comparison only:
#       # the committed weights stay the pure-Rust ones, an upper bound for both builds.
#
# Needs the release node (any features: the benchmarks run in the runtime passed with
# --runtime) and builds the runtime with `runtime-benchmarks` (debug profile for the
# native part; the wasm is always optimised).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
NODE="${MACHINA_NODE:-$CARGO_TARGET_DIR/release/machina-node}"
# Machina's pallets: `src/weights.rs` in the pallet, from our template (a `WeightInfo`
# trait and `SubstrateWeight`).
declare -A PALLET_DIR=(
	[pallet_micro_bonds]=pallets/micro-bonds
	[pallet_device_registry]=pallets/device-registry
	[pallet_coverage]=pallets/coverage
	[pallet_intents]=pallets/intents
)
# Upstream pallets: `runtime/src/weights/<pallet>.rs`, from the CLI's default template (an
# implementation of the pallet's own `WeightInfo`).
declare -A RUNTIME_WEIGHTS=(
	[pallet_xcm]=runtime/src/weights/pallet_xcm.rs
)
PALLETS=("$@")
[ ${#PALLETS[@]} -eq 0 ] && PALLETS=(pallet_micro_bonds pallet_device_registry pallet_coverage pallet_intents pallet_xcm)

if [ ! -x "$NODE" ]; then
	log "building machina-node (release)"
	(reproducible_wasm && cargo build --locked --release -p machina-node)
fi
log "building the runtime with runtime-benchmarks"
# The benchmarks run the wasm: never skip building it, whatever the caller exported.
unset SKIP_WASM_BUILD
# Weights are measured on the optimised wasm, whatever the caller's environment says
# (the test tier builds a debug wasm into the same place).
FEATURES=runtime-benchmarks
[ -n "${BLS_HOST_CALLS:-}" ] && FEATURES+=",bls-host-calls"
WASM_BUILD_TYPE=release cargo build --locked -p machina-runtime --features "$FEATURES"
# A debug-profile build writes the optimised (release) wasm but skips wasm-opt
# compaction: the code executed is the same.
# The optimised wasm itself: the copies in wbuild/ are whichever profile built last (the
# test tier's debug wasm, or an older compacted one).
WASM="$CARGO_TARGET_DIR/debug/wbuild/machina-runtime/target/wasm32-unknown-unknown/release/machina_runtime.wasm"
[ -f "$WASM" ] || { echo "no optimised wasm at $WASM" >&2; exit 1; }
# A copy of its own: another build (the other feature set) may overwrite the original
# while these benchmarks run.
copy="$CARGO_TARGET_DIR/benchmark-runtime${BLS_HOST_CALLS:+-bls-host-calls}.wasm"
cp "$WASM" "$copy"
log "benchmarking $copy, built $(stat -c %y "$WASM" | cut -d. -f1) with $FEATURES"
WASM="$copy"

for pallet in "${PALLETS[@]}"; do
	template=(--template scripts/benchmark/weights.hbs)
	if [ -n "${PALLET_DIR[$pallet]:-}" ]; then
		dest="${PALLET_DIR[$pallet]}/src/weights.rs"
	else
		dest="${RUNTIME_WEIGHTS[$pallet]:?unknown pallet $pallet}"
		template=()
	fi
	log "$pallet -> $dest ($STEPS steps, $REPEAT repeats)"
	out="$CARGO_TARGET_DIR/weights-$pallet.rs"
	rm -f "$out"
	"$NODE" benchmark pallet \
		--runtime "$WASM" \
		--genesis-builder runtime \
		--genesis-builder-preset development \
		--pallet "$pallet" --extrinsic "${EXTRINSICS:-*}" \
		--steps "$STEPS" --repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		"${template[@]}" \
		--output "$out" \
		>"$CARGO_TARGET_DIR/benchmark-$pallet.log" 2>&1 ||
		{ tail -5 "$CARGO_TARGET_DIR/benchmark-$pallet.log" >&2; exit 1; }
	[ -s "$out" ] || { echo "no weights written for $pallet" >&2; exit 1; }
	if [ -n "${BLS_HOST_CALLS:-}" ] || [ -n "${EXTRINSICS:-}" ]; then
		# A partial or host-call run is for comparison: it never replaces the weights.
		log "wrote $CARGO_TARGET_DIR/weights-$pallet${BLS_HOST_CALLS:+-bls-host-calls}.rs"
		mv "$out" "$CARGO_TARGET_DIR/weights-$pallet${BLS_HOST_CALLS:+-bls-host-calls}.rs"
	else
		mv "$out" "$dest"
	fi
done
