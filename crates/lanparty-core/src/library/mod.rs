//! The local library: the games folder of this machine.
//!
//! `<games>/<id>/` holds one game: its archives, a root `version.ini` (present = downloaded,
//! written last by a download) and `local/` (present = installed; the player's, never
//! served). The library scans roots into [`LocalGame`]s with a [`Manifest`] each, keeps the
//! [`cache::HashCache`] so unchanged files are never hashed twice, and follows the folder
//! with a file watcher (see [`watch`]).
//!
//! # Layout
//!
//! - [`manifest`]: chunked, hashed manifests and the chunk size.
//! - [`hasher`]: hashing chunks on every core.
//! - [`cache`]: the persistent hash cache.
//! - [`scan`]: classifying roots and building manifests.
//! - [`watch`]: turning file-system events into debounced per-game rescans.

pub mod cache;
pub mod hasher;
pub mod manifest;
pub mod scan;
pub mod watch;

use serde::Serialize;

pub use manifest::{CHUNK_SIZE, FileEntry, Hash, Manifest};
pub use scan::{GamesDirError, LocalGame, MetaSource, Root, ScanStats, check_games_dir};

use crate::catalog::Players;

/// The install folder inside a game root.
pub const LOCAL_DIR: &str = "local";
/// The file whose presence at the root marks a completed download.
pub const VERSION_FILE: &str = "version.ini";
/// A game root's own metadata, for games the catalog lacks.
pub const GAME_JSON: &str = "game.json";
/// Names in a game root starting with this (case-insensitively) belong to the launcher:
/// staging and backup folders, temporary files. They are never scanned or served.
pub const RESERVED_PREFIX: &str = ".lanparty";

/// A game as hosts and the `lanparty-peer` protocol show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GameInfo {
    pub id: String,
    pub title: String,
    pub genre: String,
    pub description: String,
    pub players: Players,
    pub can_host_server: bool,
    /// The version the catalog (or `game.json`) names.
    pub catalog_version: String,
    /// The version of the local copy, from its `version.ini`.
    pub version: Option<String>,
    pub downloaded: bool,
    pub installed: bool,
    pub shareable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub manifest_hash: Option<String>,
    /// Bytes of the local copy when it has a manifest, else the catalog's estimate.
    pub size: u64,
    pub files: usize,
    pub source: MetaSource,
    /// How many connected peers hold `latest_version`.
    pub peers: usize,
    /// The newest version here or on any connected peer.
    pub latest_version: Option<String>,
    /// Downloaded here, and a connected peer has a newer version.
    pub update_available: bool,
    /// Which peer holds which version.
    pub copies: Vec<crate::remote::PeerCopy>,
}

impl GameInfo {
    /// Describes `game`; `unavailable` overrides shareability while the games folder is gone.
    pub fn of(game: &LocalGame, unavailable: Option<&str>) -> GameInfo {
        let reason = unavailable.map(str::to_owned).or_else(|| game.unshareable.clone());
        let manifest = game.manifest.as_deref();
        GameInfo {
            id: game.id.to_string(),
            title: game.meta.title.clone(),
            genre: game.meta.genre.clone(),
            description: game.meta.description.clone(),
            players: game.meta.players,
            can_host_server: game.meta.can_host_server,
            catalog_version: game.meta.version.clone(),
            version: game.version.clone(),
            downloaded: game.is_downloaded,
            installed: game.is_installed,
            shareable: reason.is_none() && game.is_shareable(),
            reason,
            manifest_hash: manifest.map(|m| m.hash.to_hex()),
            size: manifest.map_or(game.meta.approx_size_bytes, Manifest::size),
            files: manifest.map_or(0, |m| m.files.len()),
            source: game.meta_source,
            peers: 0,
            latest_version: game.version.clone(),
            update_available: false,
            copies: Vec::new(),
        }
    }

    /// A game not on this machine, known from `meta`.
    pub fn remote_only(meta: &crate::catalog::GameMeta, source: MetaSource) -> GameInfo {
        GameInfo {
            id: meta.id.to_string(),
            title: meta.title.clone(),
            genre: meta.genre.clone(),
            description: meta.description.clone(),
            players: meta.players,
            can_host_server: meta.can_host_server,
            catalog_version: meta.version.clone(),
            version: None,
            downloaded: false,
            installed: false,
            shareable: false,
            reason: Some("not on this machine".to_owned()),
            manifest_hash: None,
            size: meta.approx_size_bytes,
            files: 0,
            source,
            peers: 0,
            latest_version: None,
            update_available: false,
            copies: Vec::new(),
        }
    }
}

/// Something in the games folder that is not a game, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IgnoredEntry {
    pub name: String,
    pub reason: String,
}
