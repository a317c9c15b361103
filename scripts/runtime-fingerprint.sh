#!/usr/bin/env bash
# Print a fingerprint (sha256) of every source that goes into the runtime's wasm: the
# runtime and pallet crates (without their tests, mocks, benchmarks, fixtures and docs),
# the workspace manifest, Cargo.lock, the toolchain pin and scripts/common.sh (the wasm
# build's flags). Tracked files only, so stray local files do not count.
# scripts/gen-chain-specs.sh records it next to the chain specs' `:code` hash, and
# runtime/tests/chain_specs.rs recomputes it: a runtime change without regenerated chain
# specs fails the CI tier.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
git ls-files --cached --others --exclude-standard -- Cargo.toml Cargo.lock rust-toolchain.toml scripts/common.sh runtime pallets |
  grep -Ev '(^|/)(tests|fixtures|proptest-regressions|benches)/|\.md$|(^|/)(tests|mock|benchmarking)\.rs$' |
  LC_ALL=C sort | while read -r f; do
  printf '%s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"
done | sha256sum | cut -d' ' -f1
