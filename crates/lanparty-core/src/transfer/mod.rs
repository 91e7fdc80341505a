//! Downloads: fetching a game's chunks from every peer that has it, verifying each.
//!
//! A download takes the manifest most of its sources agree on, checks it completely, then
//! fetches chunks from all of them at once ([`plan`] decides who fetches what), hashes each
//! chunk before it is written into the staging folder ([`store`]), records it in the resume
//! journal ([`journal`]) and, when every chunk is in, moves the files into the game root with
//! `version.ini` last. Cancelling removes the partial payload; a crash resumes from the
//! journal at the next start. `docs/DESIGN.md` section 13 has the whole design.
//!
//! # Layout
//!
//! - [`plan`]: the pure planner that decides which chunk to ask which peer for.
//! - [`verify`]: choosing a manifest by plurality and checking one received from the network.
//! - [`journal`]: the resume journal of verified chunks.
//! - [`store`]: the staging folder, preallocated files, and the commit into the game root.
//! - [`progress`]: speed over a sliding window and the time left.
//! - [`client`]: asking a peer for a manifest or a chunk.
//! - `download`: one running download, the task that drives all of the above.

pub mod client;
mod download;
pub mod journal;
pub mod plan;
pub mod progress;
pub mod store;
pub mod verify;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::GameId;
use crate::library::Hash;
use crate::net::Net;
use crate::problem::Explain;
use crate::runtime::{Event, LibraryLink};

pub use verify::ManifestError;

/// Why a download could not start, or stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    #[error("`{0}` is not a game id: use the id shown by list-games")]
    BadId(String),
    #[error("this peer runs offline (no port), so it cannot download")]
    Offline,
    #[error("{game} is busy: a {what} is already running on it; wait for it to end or cancel it")]
    Busy { game: GameId, what: String },
    #[error("no connected peer has {game}: wait for a peer that has it, or add one with add-peer")]
    NoSource { game: GameId },
    #[error("{game} {version} is already downloaded: use update to get a newer version")]
    AlreadyDownloaded { game: GameId, version: String },
    #[error("{game} is not downloaded yet: use download")]
    NotDownloaded { game: GameId },
    #[error("{game} is up to date ({version}): no connected peer has a newer version")]
    UpToDate { game: GameId, version: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("cannot get the manifest of {game} {version} from any peer ({reason}): try again when they answer")]
    ManifestFetch { game: GameId, version: String, reason: String },
    #[error(
        "not enough free space in {dir} for {game} {version}: need {need}, have {have}; free some space or choose another game folder"
    )]
    NoSpace { game: GameId, version: String, dir: String, need: String, have: String },
    #[error(
        "the disk holding {dir} is full (while writing {game} {version}, {left} still to write): free some space, then download again to resume"
    )]
    DiskFull { game: GameId, version: String, dir: String, left: String },
    #[error("cannot write {game} to {path}: {reason}")]
    Io { game: GameId, path: String, reason: String },
    #[error(
        "every peer with {game} {version} left ({done} of {total} verified): download again to resume when one is back"
    )]
    SourcesGone { game: GameId, version: String, done: String, total: String },
    #[error(
        "no peer is left to download {game} {version} from: {dropped} were dropped for sending bad data or refusing ({done} of {total} verified); ask them to check their copy, then download again to resume"
    )]
    SourcesDropped { game: GameId, version: String, dropped: usize, done: String, total: String },
    #[error("the version.ini peers serve for {game} says `{found}`, not {version}: ask them to fix it")]
    VersionMismatch { game: GameId, version: String, found: String },
    #[error("nothing to cancel: {game} is not downloading")]
    NotDownloading { game: GameId },
    #[error("nothing was cancelled: {game} finished installing first (uninstall it instead)")]
    InstallFinishedFirst { game: GameId },
    #[error("nothing was cancelled: {game} finished downloading first (uninstall or remove it instead)")]
    AlreadyFinished { game: GameId },
    /// A cancel arrived while the download was being prepared; its partial payload is gone.
    #[error("the download of {game} was cancelled")]
    Cancelled { game: GameId },
    #[error("the Lanparty runtime has stopped")]
    Stopped,
}

impl DownloadError {
    /// Whether the verified chunks are kept, so `download` resumes instead of starting over.
    pub fn resumable(&self) -> bool {
        matches!(
            self,
            DownloadError::DiskFull { .. }
                | DownloadError::SourcesGone { .. }
                | DownloadError::SourcesDropped { .. }
                | DownloadError::Io { .. }
                | DownloadError::NoSource { .. }
        )
    }
}

/// Bytes as people read them: `1.5 GiB`, `320 MiB`, `12 KiB`, `7 bytes`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 4] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            return format!("{:.1} {unit}", n as f64 / size as f64);
        }
    }
    format!("{n} bytes")
}

/// A peer's rate in a progress event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PeerRate {
    pub peer_id: String,
    pub name: String,
    pub bytes_per_s: u64,
}

/// What one peer delivered, in a finished event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PeerBytes {
    pub peer_id: String,
    pub name: String,
    /// Bytes received from it, verified or not.
    pub bytes: u64,
    /// Chunks it delivered first and that passed verification.
    pub chunks: u64,
}

/// A download as the state dir keeps it: `downloads/<game>/download.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub game: GameId,
    pub version: String,
    pub manifest_hash: Hash,
    pub update: bool,
    /// The game root did not exist before: cancelling removes it when empty.
    pub created_root: bool,
    /// Files of the installed version the new one lacks, removed at commit.
    pub obsolete: Vec<String>,
    /// Running when last written: resumed at the next start.
    pub active: bool,
}

/// The files of a download's state in the state dir.
#[derive(Clone, Debug)]
pub(crate) struct StatePaths {
    pub dir: PathBuf,
}

impl StatePaths {
    pub fn new(downloads: &Path, game: &GameId) -> StatePaths {
        StatePaths { dir: downloads.join(game.as_str()) }
    }
    pub fn record(&self) -> PathBuf {
        self.dir.join("download.json")
    }
    pub fn manifest(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }
    pub fn journal(&self) -> PathBuf {
        self.dir.join("verified.log")
    }
    pub fn commit(&self) -> PathBuf {
        self.dir.join("commit.json")
    }
}

/// What `download`/`update` answer once a download is under way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Started {
    pub game: String,
    pub version: String,
    pub update: bool,
    pub bytes_total: u64,
    /// Bytes already verified by an earlier run.
    pub bytes_done: u64,
}

/// Which command started a download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Download,
    Update,
}

/// An operation running on a game.
#[derive(Debug)]
pub(crate) struct Op {
    /// Tells this claim from a later one on the same game: a guard releases only its own.
    id: u64,
    what: &'static str,
    cancel: CancellationToken,
    /// Cancelled when the operation has settled and said so.
    finished: CancellationToken,
    /// Set when it settled by committing: a cancel that waited for it cancelled nothing.
    completed: Arc<AtomicBool>,
}

/// What downloads need from the runtime.
#[derive(Debug)]
pub(crate) struct Env {
    pub net: Net,
    pub library: LibraryLink,
    pub events: broadcast::Sender<Event>,
    pub games_dir: PathBuf,
    pub downloads_dir: PathBuf,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
    /// Installs each committed download when set (auto-install).
    pub install_after: Option<Arc<crate::install::service::Installs>>,
}

/// Every running operation (download, update, cancel, install, uninstall...), by game: two at
/// once on one game are refused. Shared by downloads and installs.
pub(crate) type OpTable = Arc<Mutex<HashMap<GameId, Op>>>;

/// Claims `game` for an operation `what`, or says which operation already runs on it.
pub(crate) fn claim(ops: &OpTable, game: &GameId, what: &'static str) -> Result<(OpGuard, CancellationToken), String> {
    let mut table = lock(ops);
    if let Some(op) = table.get(game) {
        return Err(op.what.to_owned());
    }
    let (cancel, finished) = (CancellationToken::new(), CancellationToken::new());
    let completed = Arc::new(AtomicBool::new(false));
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let op = Op { id, what, cancel: cancel.clone(), finished: finished.clone(), completed: completed.clone() };
    table.insert(game.clone(), op);
    Ok((OpGuard { ops: ops.clone(), game: game.clone(), id, finished, completed }, cancel))
}

/// Games with an operation running, and what it is.
pub(crate) fn running(ops: &OpTable) -> Vec<(String, String)> {
    let mut list: Vec<_> = lock(ops).iter().map(|(g, op)| (g.to_string(), op.what.to_owned())).collect();
    list.sort();
    list
}

#[derive(Debug)]
pub(crate) struct Downloads {
    env: Arc<Env>,
    ops: OpTable,
}

/// Removes a game's operation from the table when dropped, and says it has settled.
pub(crate) struct OpGuard {
    ops: OpTable,
    game: GameId,
    id: u64,
    finished: CancellationToken,
    completed: Arc<AtomicBool>,
}

impl OpGuard {
    /// Frees the game, if the table still holds this claim (after a release, another
    /// operation may have claimed it: that one stays).
    pub(crate) fn release(&self) {
        let mut table = lock(&self.ops);
        if table.get(&self.game).is_some_and(|op| op.id == self.id) {
            table.remove(&self.game);
        }
    }

    /// Releases the game after its operation committed.
    pub(crate) fn complete(&self) {
        self.completed.store(true, Ordering::SeqCst);
        self.release();
    }
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        self.release();
        self.finished.cancel();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Downloads {
    pub fn new(env: Env, ops: OpTable) -> Downloads {
        Downloads { env: Arc::new(env), ops }
    }

    /// Claims `game` for an operation, or says what already runs on it.
    fn claim(&self, game: &GameId, what: &'static str) -> Result<(OpGuard, CancellationToken), DownloadError> {
        let claimed = claim(&self.ops, game, what).map_err(|what| DownloadError::Busy { game: game.clone(), what })?;
        // A runtime that is stopping starts nothing: its successor may be about to take over.
        if self.env.shutdown.is_cancelled() {
            return Err(DownloadError::Stopped);
        }
        Ok(claimed)
    }

    /// Starts (or resumes) downloading `game`; answers once the transfer is under way.
    pub async fn start(&self, game: &str, kind: Kind) -> Result<Started, DownloadError> {
        let game = GameId::new(game).map_err(|_| DownloadError::BadId(game.to_owned()))?;
        let what = if kind == Kind::Update { "update" } else { "download" };
        let (guard, cancel) = self.claim(&game, what)?;
        let prepared = match download::prepare(&self.env, &game, kind, &cancel, false).await {
            Ok(prepared) => prepared,
            Err(e @ DownloadError::Cancelled { .. }) => {
                cancelled_early(&self.env, &game).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let started = prepared.started();
        let env = self.env.clone();
        self.env.tasks.spawn(download::run(env, prepared, cancel, guard));
        Ok(started)
    }

    /// Cancels the download of `game` and waits until its partial payload is gone. A download
    /// that failed and kept its verified chunks is removed the same way.
    pub async fn cancel(&self, game: &str) -> Result<(), DownloadError> {
        let game = GameId::new(game).map_err(|_| DownloadError::BadId(game.to_owned()))?;
        let running = lock(&self.ops)
            .get(&game)
            .map(|op| (op.what, op.cancel.clone(), op.finished.clone(), op.completed.clone()));
        if let Some((what, cancel, finished, completed)) = running {
            // Transfers and extractions stop on a cancel; the other operations run to their end.
            let install = matches!(what, "install" | "update-install");
            if !install && !matches!(what, "download" | "update") {
                return Err(DownloadError::Busy { game, what: what.to_owned() });
            }
            cancel.cancel();
            finished.cancelled().await;
            // A cancel that arrives while the commit runs is too late: the game is whole.
            if completed.load(Ordering::SeqCst) {
                return Err(if install {
                    DownloadError::InstallFinishedFirst { game }
                } else {
                    DownloadError::AlreadyFinished { game }
                });
            }
            return Ok(());
        }
        let paths = StatePaths::new(&self.env.downloads_dir, &game);
        if !paths.record().exists() {
            return Err(DownloadError::NotDownloading { game });
        }
        let (guard, _) = self.claim(&game, "cancel")?;
        download::discard(&self.env, &game).await;
        guard.release();
        let _ = self.env.events.send(Event::DownloadCancelled { game: game.to_string() });
        Ok(())
    }

    /// At start: finishes commits a crash interrupted and resumes downloads that were running.
    pub async fn resume_all(&self) {
        let Ok(entries) = std::fs::read_dir(&self.env.downloads_dir) else { return };
        let mut games: Vec<GameId> =
            entries.filter_map(|e| e.ok()?.file_name().to_str().and_then(|n| GameId::new(n).ok())).collect();
        games.sort();
        for game in games {
            let Ok((guard, cancel)) = self.claim(&game, "download") else { continue };
            let env = self.env.clone();
            self.env.tasks.spawn(async move {
                match download::recover(&env, &game).await {
                    download::Recovered::Nothing => {}
                    download::Recovered::Resume => {
                        match download::prepare(&env, &game, Kind::Download, &cancel, true).await {
                            Ok(prepared) => download::run(env, prepared, cancel, guard).await,
                            Err(DownloadError::Stopped) => {}
                            Err(DownloadError::Cancelled { .. }) => cancelled_early(&env, &game).await,
                            Err(e) => {
                                download::settle_failed(&env, &game, &e).await;
                                guard.release();
                                let event = Event::DownloadFailed {
                                    game: game.to_string(),
                                    reason: e.to_string(),
                                    problem: e.problem(),
                                    resumable: e.resumable(),
                                };
                                let _ = env.events.send(event);
                            }
                        }
                    }
                }
            });
        }
    }
}

/// Settles a download cancelled before its transfer began, as a cancelled transfer is settled:
/// the partial payload is removed, then `download-cancelled` is sent. The caller still holds
/// the claim, so the cancel command answers after this.
async fn cancelled_early(env: &Env, game: &GameId) {
    download::discard(env, game).await;
    let _ = env.events.send(Event::DownloadCancelled { game: game.to_string() });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_people_write_them() {
        assert_eq!(human_bytes(7), "7 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(2 << 30), "2.0 GiB");
    }

    /// A download releases its game, an install claims it at once, then the download's guard
    /// is dropped: the install's claim must stay.
    #[test]
    fn a_guard_releases_only_its_own_claim() {
        let ops = OpTable::default();
        let game = GameId::new("g").unwrap();
        let (download, _) = claim(&ops, &game, "download").unwrap();
        download.complete();
        let (_install, _) = claim(&ops, &game, "install").unwrap();
        drop(download);
        assert_eq!(running(&ops), [("g".to_owned(), "install".to_owned())]);
        assert_eq!(claim(&ops, &game, "update").err().as_deref(), Some("install"));
    }
}
