#!/usr/bin/env bash
# The demo: a headless seed peer on this machine serves generated demo games (real RAR archives
# whose scripts run), and the desktop app opens with that peer added by address, so a new player
# can download, install and play at once, without mDNS or a second machine.
#
# `just demo` builds the app (`just app-build`), lanparty-peer and lanparty-demo-library first.
# Everything lives in target/demo: seed-games and seed-state (the seed's), app-state and
# my-games (the app's). The app keeps its state between runs; delete target/demo to start over.
set -euo pipefail
cd "$(dirname "$0")/.."

# Preferred port of the seed; when it is taken the peer takes the next free one and says so.
SEED_PORT=47475
# The seed's upload limit: the demo games download in a few seconds, so their progress shows.
SEED_UPLOAD_LIMIT_MIB_S=10

say() { printf 'demo: %s\n' "$*" >&2; }

bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug
demo=$PWD/target/demo
for b in lanparty lanparty-peer lanparty-demo-library; do
  [ -x "$bin/$b" ] || { say "$bin/$b is missing: run \`just demo\`, which builds it"; exit 1; }
done
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  say "no display (DISPLAY and WAYLAND_DISPLAY are empty): the app needs a desktop session"
  exit 1
fi

mkdir -p "$demo/my-games"
"$bin/lanparty-demo-library" "$demo/seed-games" >&2

out=$demo/seed-peer.jsonl
log=$demo/seed-peer.log
: >"$out"
"$bin/lanparty-peer" --games-dir "$demo/seed-games" --state-dir "$demo/seed-state" --name "Demo seed" \
  --port "$SEED_PORT" --no-mdns --upload-limit "$SEED_UPLOAD_LIMIT_MIB_S" </dev/null >"$out" 2>"$log" &
seed=$!
stop_seed() {
  kill "$seed" 2>/dev/null || true
  wait "$seed" 2>/dev/null || true
}
trap stop_seed EXIT

port=
for _ in $(seq 200); do
  port=$(grep -m1 '"type":"ready"' "$out" | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
  [ -n "$port" ] && break
  if ! kill -0 "$seed" 2>/dev/null; then
    say "the seed peer stopped:"; cat "$out" "$log" >&2; exit 1
  fi
  sleep 0.1
done
[ -n "$port" ] || { say "the seed peer did not start within 20 s; its log: $log"; exit 1; }

say "the seed peer \"Demo seed\" serves $(find "$demo/seed-games" -mindepth 1 -maxdepth 1 -type d -not -name '.*' | wc -l) games on 127.0.0.1:$port, at most $SEED_UPLOAD_LIMIT_MIB_S MiB/s"
say "opening Lanparty; your games go to $demo/my-games (delete $demo to start over)"
LANPARTY_STATE_DIR=$demo/app-state \
LANPARTY_GAMES_DIR=$demo/my-games \
LANPARTY_PEERS=127.0.0.1:$port \
  "$bin/lanparty"
