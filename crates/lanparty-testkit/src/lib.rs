//! Test tooling for Lanparty: it makes the test games that tests and the demo install.
//!
//! Debian ships no tool that creates RAR archives, and games are shared as RAR archives, so
//! this crate writes them itself: uncompressed (stored) RAR 5 archives, single or multi-volume,
//! that rarlab's UnRAR extracts, plus deliberately broken ones to test the extractor's refusals.
//! It is never shipped (`publish = false`) and nothing in the app depends on it at run time.
//!
//! Layout:
//! - [`rar5`]: the RAR 5 writer (`Writer`, `VolumeWriter`, `Entry`) and one-call helpers
//!   (`write_archive`, `pack_dir`, `pack_dir_volumes`).
//! - [`pattern`]: deterministic pseudo-random data, to fill large test files without storing them.
//! - [`rar_fixtures`]: real archives made by RAR and WinRAR (1.5 to 7), with header dumps.
//! - `src/bin/lanparty-mkrar.rs`: `lanparty-mkrar OUT.rar DIR` packs a directory, for scripts.
//! - `src/bin/lanparty-demo-library.rs`: writes a games folder of demo games that install and
//!   run, for the demo and the end-to-end test.

pub mod pattern;
pub mod rar5;

/// The folder of real RAR archives made by RAR/WinRAR, each with a `.exp` dump of its headers
/// (taken from the `rarfile` project's test data, ISC license: see `LICENSE.rarfile` there).
/// Read-only: tests copy what they write near into a temp folder first.
pub fn rar_fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rar")
}
