# Sourced by every script in scripts/ and by .ci/run: one target dir for the whole
# project, outside the work tree, so that the ~1,400-crate node build is paid once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/machina/target}"
MACHINA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MACHINA_ROOT
# rustup and cargo live here on a machine set up by rustup's installer.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
