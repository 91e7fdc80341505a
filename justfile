# Lanparty's recipes. On a fresh machine use `./x RECIPE`, which installs what is missing first.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list

# Open the desktop app with a demo: a headless seed peer on this machine serves generated demo
# games (real RAR archives, scripts that run) that the app downloads, installs and plays.
demo: app-build
    cargo build --locked -p lanparty-peer -p lanparty-testkit --bins
    scripts/demo.sh

# Run the headless peer with the given flags (see `just run --help`).
run *args:
    cargo run -q -p lanparty-peer -- {{args}}

# Run the desktop shell in development mode (Vite dev server + Tauri, with the unrar sidecar).
app:
    npm run tauri -- dev --config src-tauri/tauri.sidecar.conf.json

# Build a self-contained debug binary of the desktop app, with lanparty-unrar and the covers
# beside it, in Cargo's target folder (`debug/lanparty`); the end-to-end tests run it.
app-build:
    npm run tauri -- build --debug --no-bundle --config src-tauri/tauri.sidecar.conf.json

# End-to-end test of the real app window under Xvfb (tauri-driver, WebKitWebDriver): first run,
# download from a seed peer, install, Play, uninstall. Screenshots in target/e2e-screenshots.
e2e: app-build
    cargo build --locked -p lanparty-peer -p lanparty-testkit --bins
    xvfb-run -a -s "-screen 0 1280x800x24" npx vitest run --config vitest.e2e.config.ts

# Rewrite src/bindings.ts, the TypeScript side of the shell's commands, events and types.
bindings:
    UPDATE_BINDINGS=1 cargo test --locked -p lanparty --lib bindings_are_up_to_date

# Run every test: formatting and lints, Rust unit/integration/CLI tests, the desktop shell's
# tests (among them: src/bindings.ts is up to date), frontend tests, and the end-to-end test of
# the real window (which builds the frontend and the app).
test: lint
    cargo test --locked --features lanparty-peer/test-faults,lanparty-unrar/test-faults
    cargo test --locked -p lanparty
    npm test
    just e2e

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
# (`cargo test` covers the default members: everything but the shell, which `test` adds.)
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo deny --log-level error check licenses bans sources
    npm run typecheck

# Compile and lint the headless crates for Windows (cross, with MinGW), so Windows-only code
# stays compiling.
check-windows:
    scripts/check-windows.sh

# Check dependencies against the RustSec advisory database (needs to fetch it from the internet).
audit:
    cargo deny check advisories
