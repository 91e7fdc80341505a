# Lanparty's recipes. On a fresh machine use `./x RECIPE`, which installs what is missing first.

set shell := ["bash", "-euo", "pipefail", "-c"]

demo_dir := "target/demo"

# List the recipes.
default:
    @just --list

# Open Lanparty with a demo: for now the headless peer serving a generated demo library.
demo:
    cargo build -p lanparty-peer
    python3 scripts/make-demo-library.py {{demo_dir}}/games
    @echo 'Demo peer starting. Type commands, one JSON object per line, for example:' >&2
    @echo '  {"cmd":"list-games"}   {"cmd":"status"}   {"cmd":"rescan"}   {"cmd":"shutdown"}' >&2
    target/debug/lanparty-peer --games-dir {{demo_dir}}/games --state-dir {{demo_dir}}/state --name "Demo peer"

# Run the headless peer with the given flags (see `just run --help`).
run *args:
    cargo run -q -p lanparty-peer -- {{args}}

# Run the desktop shell in development mode (Vite dev server + Tauri).
app:
    npm run tauri dev

# Run every test: formatting and lints, Rust unit/integration/CLI tests, frontend tests and build.
test: lint
    cargo test --locked --features lanparty-peer/test-faults
    npm test
    npm run build

# Print the benchmark figures (release build). Network figures need root (namespaces).
bench:
    cargo bench -p lanparty-core --bench library
    cargo bench -p lanparty-peer --bench network
    cargo bench -p lanparty-peer --bench transfer

# Fuzz the wire frame decoder for SECS seconds (needs cargo-fuzz; stable Rust via RUSTC_BOOTSTRAP).
fuzz secs="60":
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run frame_decoder -- -max_total_time={{secs}}

# Format the Rust code.
fmt:
    cargo fmt --all

# Lints: rustfmt, clippy on every crate including the desktop shell, dependency licenses and
# sources (cargo-deny), TypeScript.
# (`cargo test` covers the default members: everything but the shell, which clippy compiles.)
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo deny --log-level error check licenses bans sources
    npm run typecheck

# Check dependencies against the RustSec advisory database (needs to fetch it from the internet).
audit:
    cargo deny check advisories
