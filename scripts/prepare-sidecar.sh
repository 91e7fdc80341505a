#!/usr/bin/env bash
# Builds the lanparty-unrar sidecar and copies it to where Tauri's `bundle.externalBin` wants
# it: src-tauri/binaries/lanparty-unrar-<target triple>[.exe]. From there tauri-build copies it
# beside the app's executable, where the app looks for it.
#
# `just app` and `just app-build` run this through the before-commands of
# src-tauri/tauri.sidecar.conf.json, which set TAURI_ENV_DEBUG and TAURI_ENV_TARGET_TRIPLE.
# By hand it builds a debug sidecar for this machine; pass --release for a release one.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
if [ "${1:-}" = "--release" ] || [ "${TAURI_ENV_DEBUG:-true}" = "false" ]; then
  profile=release
fi
host=$(rustc -vV | sed -n 's/^host: //p')
triple=${TAURI_ENV_TARGET_TRIPLE:-$host}

args=(build --locked -p lanparty-unrar)
[ "$profile" = release ] && args+=(--release)
out_profile=$profile
if [ "$triple" != "$host" ]; then
  args+=(--target "$triple")
  out_profile="$triple/$profile"
fi
cargo "${args[@]}"

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
ext=
case "$triple" in *windows*) ext=.exe ;; esac
mkdir -p src-tauri/binaries
cp "$target_dir/$out_profile/lanparty-unrar$ext" "src-tauri/binaries/lanparty-unrar-$triple$ext"
echo "prepare-sidecar: src-tauri/binaries/lanparty-unrar-$triple$ext ($profile)" >&2
