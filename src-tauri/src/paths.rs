//! Where the app finds its state folder, the bundled covers and the RAR extractor.

use std::path::{Path, PathBuf};

use lanparty_core::install::unpack::Sidecar;
use lanparty_core::settings::Overrides;
use tauri::{AppHandle, Manager};

/// The state folder: `LANPARTY_STATE_DIR`, else the app's data folder.
pub fn state_dir(app: &AppHandle, overrides: &Overrides) -> Result<PathBuf, String> {
    match &overrides.state_dir {
        Some(dir) => Ok(dir.clone()),
        None => app
            .path()
            .app_data_dir()
            .map_err(|e| format!("no data folder is known for this user ({e}): set LANPARTY_STATE_DIR")),
    }
}

/// The folder holding the bundled catalog's `covers/`.
///
/// A bundle has it among its resources (`bundle.resources` in tauri.conf.json). A binary run
/// from a Cargo target folder finds it beside itself, where tauri-build copies the resources
/// (Tauri's resource folder is that only for a target folder named `target`); a debug build
/// also looks in the source tree it was built from.
pub fn bundled_catalog_dir(app: &AppHandle) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(resources) = app.path().resource_dir() {
        candidates.push(resources.join("catalog"));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)) {
        candidates.push(dir.join("catalog"));
    }
    if cfg!(debug_assertions) {
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog"));
    }
    let found = candidates.into_iter().find(|dir| dir.join("covers").is_dir());
    if found.is_none() {
        tracing::warn!("the bundled covers were not found; games show no cover");
    }
    found
}

/// The RAR extractor: `LANPARTY_UNRAR`, else `lanparty-unrar` beside the app's executable,
/// where a bundle (`bundle.externalBin`), `tauri build` and `cargo build -p lanparty-unrar`
/// put it.
pub fn unrar(overrides: &Overrides) -> Option<PathBuf> {
    let found = overrides.unrar.clone().or_else(Sidecar::beside_current_exe);
    if found.is_none() {
        tracing::warn!("lanparty-unrar was not found beside the app: installs are refused until it is there");
    }
    found
}
