#!/usr/bin/env bash
# Compiles and lints the headless crates for Windows (x86_64-pc-windows-gnu, cross from Linux),
# so `cfg(windows)` code cannot rot unseen. Needs the Rust target and Debian's MinGW compilers;
# installs them when missing (`rustup`, `apt-get` as root).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-pc-windows-gnu

rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
if ! command -v x86_64-w64-mingw32-g++ >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 >/dev/null
fi
# UnRAR includes a few Windows headers in the case Windows uses; MinGW ships them lower-case.
inc="${CARGO_TARGET_DIR:-target}/mingw-include"
mkdir -p "$inc"
for h in PowrProf.h Wbemidl.h; do
  ln -sf "/usr/share/mingw-w64/include/${h,,}" "$inc/$h"
done
export CXXFLAGS_x86_64_pc_windows_gnu="-I$(realpath "$inc")"
cargo clippy --locked --target "$TARGET" --all-targets \
  -p lanparty-core -p lanparty-peer -p lanparty-unrar -p lanparty-testkit -p lanparty-relpath \
  --features lanparty-peer/test-faults,lanparty-unrar/test-faults -- -D warnings
