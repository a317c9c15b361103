# Sourced by every script in scripts/ and by .ci/run: one target dir for the whole
# project, outside the work tree, so that the ~1,400-crate node build is paid once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/machina/target}"
MACHINA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MACHINA_ROOT
# rustup and cargo live here on a machine set up by rustup's installer.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

# substrate-wasm-builder runs a nested cargo inside the target dir, which is outside the
# work tree, so rust-toolchain.toml does not reach it and rustup would pick its default
# toolchain. Pin the nested build to the project's toolchain.
if [ -z "${WASM_BUILD_TOOLCHAIN:-}" ]; then
  WASM_BUILD_TOOLCHAIN="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$MACHINA_ROOT/rust-toolchain.toml")"
  export WASM_BUILD_TOOLCHAIN
fi

# The same nested build looks for Cargo.lock upwards from the target dir and, finding
# none, would resolve the runtime's dependencies afresh: point it at ours.
export WASM_BUILD_WORKSPACE_HINT="${WASM_BUILD_WORKSPACE_HINT:-$MACHINA_ROOT}"

# Reproducible release wasm (the node's embedded runtime and the chain specs' `:code`): the
# nested wasm build embeds source paths (panic locations), so map every machine-specific
# prefix to a fixed one; the same sources then give the same `:code` in any checkout
# (docs/runtime-versions.md). Called by the scripts that build the release node only: the
# debug and benchmark wasms never ship, and changing these flags rebuilds every wasm crate.
reproducible_wasm() {
  local toolchain
  toolchain="$(dirname "$(dirname "$(rustup which --toolchain "$WASM_BUILD_TOOLCHAIN" rustc)")")"
  WASM_BUILD_RUSTFLAGS="--remap-path-prefix=$MACHINA_ROOT=/machina"
  WASM_BUILD_RUSTFLAGS+=" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
  WASM_BUILD_RUSTFLAGS+=" --remap-path-prefix=$toolchain=/toolchain"
  WASM_BUILD_RUSTFLAGS+=" --remap-path-prefix=$CARGO_TARGET_DIR=/target"
  export WASM_BUILD_RUSTFLAGS
}

# Build the runtime's wasm with extra features ($1, comma-separated) and copy the compact,
# compressed blob to $2. A debug `check`: its wasm project (target/debug/wbuild) is not the
# release node's, so switching features never rebuilds the node's embedded runtime.
# WASM_BUILD_TYPE=release, because a debug outer build would leave the blob uncompacted.
feature_wasm() {
  local built="$CARGO_TARGET_DIR/debug/wbuild/machina-runtime/machina_runtime.compact.compressed.wasm"
  # The release node's flags too: the nested build's crates are then shared by every
  # feature set, not rebuilt whenever a script without them runs.
  (unset SKIP_WASM_BUILD; reproducible_wasm; WASM_BUILD_TYPE=release cargo check --locked -p machina-runtime --features "$1")
  [ -s "$built" ] || { echo "no $built" >&2; return 1; }
  cp "$built" "$2"
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
