#!/usr/bin/env bash
# Installs what building Machina needs, and only what is missing. Safe to run again.
#  - clang, libclang-dev (bindgen for librocksdb-sys), protobuf-compiler (libp2p),
#    pkg-config, make, with apt;
#  - the Rust toolchain named in rust-toolchain.toml, with the wasm target and rust-src.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MACHINA_ROOT"

need_pkgs=()
command -v clang >/dev/null 2>&1 || need_pkgs+=(clang)
command -v protoc >/dev/null 2>&1 || need_pkgs+=(protobuf-compiler)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
# bindgen (librocksdb-sys) loads an unversioned libclang.so or libclang-N.so, which only
# libclang-dev provides; clang alone ships libclang-cpp.so.N and libclang.so.1.
if ! compgen -G '/usr/lib/llvm-*/lib/libclang.so' >/dev/null &&
   ! compgen -G '/usr/lib/llvm-*/lib/libclang-*.so' >/dev/null &&
   ! compgen -G '/usr/lib/*/libclang.so' >/dev/null &&
   ! compgen -G '/usr/lib/*/libclang-*.so' >/dev/null; then
  need_pkgs+=(libclang-dev)
fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing with apt: ${need_pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
else
  log "system packages present"
fi

if ! command -v rustup >/dev/null 2>&1; then
  echo "rustup is required (https://rustup.rs); it is not in PATH" >&2
  exit 1
fi
# `rustup show` installs the toolchain, components and targets of rust-toolchain.toml
# (rustup >= 1.28 needs the explicit `toolchain install`).
rustup toolchain install >/dev/null 2>&1 || rustup show active-toolchain >/dev/null
log "toolchain: $(rustc --version) ($(rustup target list --installed | tr '\n' ' '))"
mkdir -p "$CARGO_TARGET_DIR"
log "setup done; CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
