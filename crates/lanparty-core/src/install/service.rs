//! Installs as runtime operations: claiming the game in the operation table shared with
//! downloads, running the transaction on the blocking pool, progress and terminal events,
//! recovery at start, and the install that follows a download.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::recovery::{INTENTS_DIR, Kind, Outcome};
use super::run::{Extract, InstallError, Txn, new_op_id};
use super::unpack::{UnpackError, UnpackLog, UnpackRun, Unpacker};
use crate::catalog::GameId;
use crate::library::{LOCAL_DIR, VERSION_FILE};
use crate::problem::Explain;
use crate::runtime::{Event, LibraryLink};
use crate::transfer::{OpTable, claim};

/// Progress events at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Why an install command was refused before it started.
#[derive(Debug, thiserror::Error)]
pub enum InstallCommandError {
    #[error("`{0}` is not a game id")]
    BadId(String),
    #[error("{game} is busy: {what} is running")]
    Busy { game: GameId, what: String },
    #[error("{game} is not downloaded: download it first")]
    NotDownloaded { game: GameId },
    #[error("no unpacker: lanparty-unrar was not found beside this program; reinstall Lanparty, or pass --unrar PATH")]
    NoUnpacker,
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Launch(#[from] crate::launch::play::LaunchError),
    #[error("{game} is installed: uninstall it before removing its files")]
    Installed { game: GameId },
    #[error("{} is not a game folder Lanparty may remove ({why}); remove it yourself if you mean to", path.display())]
    NotRemovable { path: PathBuf, why: &'static str },
    #[error("cannot remove {}: {source}; close the game and any window showing its files, then try again", path.display())]
    Remove { path: PathBuf, source: std::io::Error },
    #[error("the Lanparty runtime has stopped")]
    Stopped,
}

/// What installs need from the runtime.
#[derive(Debug)]
pub(crate) struct Installs {
    pub ops: OpTable,
    pub games_dir: PathBuf,
    pub state_root: PathBuf,
    pub unpacker: Option<Arc<dyn Unpacker>>,
    pub log: Option<Arc<UnpackLog>>,
    pub events: broadcast::Sender<Event>,
    pub library: LibraryLink,
    pub tasks: TaskTracker,
    /// Cancelled when the runtime stops: a running extraction is stopped and undone.
    pub shutdown: CancellationToken,
    pub catalog: Arc<crate::catalog::Catalog>,
    pub username: String,
    pub language: String,
}

impl Installs {
    /// Claims `game` for an operation `what`, or says what already runs on it. A runtime that is
    /// stopping starts nothing: its successor may be about to recover the same games.
    fn claim(
        &self,
        game: &GameId,
        what: &'static str,
    ) -> Result<(crate::transfer::OpGuard, CancellationToken), InstallCommandError> {
        let claimed =
            claim(&self.ops, game, what).map_err(|what| InstallCommandError::Busy { game: game.clone(), what })?;
        if self.shutdown.is_cancelled() {
            return Err(InstallCommandError::Stopped);
        }
        Ok(claimed)
    }

    fn txn(&self, game: &GameId) -> Txn {
        Txn::new(game.clone(), &self.games_dir, &self.state_root)
    }

    /// Installs `game`, or updates its installation if it has one, from the archives in its
    /// root. Answers once the game is claimed; `install-finished`, `install-failed` or (after a
    /// cancel) `install-cancelled` follow.
    pub async fn install(self: &Arc<Self>, game: &str) -> Result<bool, InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        let unpacker = self.unpacker.clone().ok_or(InstallCommandError::NoUnpacker)?;
        let root = self.games_dir.join(game.as_str());
        // Downloaded means a root `version.ini` that is a plain file (section 3).
        if !std::fs::symlink_metadata(root.join(VERSION_FILE)).is_ok_and(|m| m.is_file()) {
            return Err(InstallCommandError::NotDownloaded { game });
        }
        let update = std::fs::symlink_metadata(root.join(LOCAL_DIR)).is_ok_and(|m| m.is_dir());
        let (guard, cancel) = self.claim(&game, if update { "update-install" } else { "install" })?;
        let kind = if update { Kind::Update } else { Kind::Install };
        let this = self.clone();
        self.tasks.spawn(async move {
            let _ = this.events.send(Event::InstallStarted { game: game.to_string(), update });
            let started = Instant::now();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let txn = this.txn(&game);
            let op = new_op_id(&game);
            // The extraction stops on a cancel of this operation or when the runtime stops.
            let stop = this.shutdown.child_token();
            let relay = tokio::spawn({
                let stop = stop.clone();
                async move {
                    tokio::select! {
                        _ = cancel.cancelled() => stop.cancel(),
                        _ = stop.cancelled() => {}
                    }
                }
            });
            let job = tokio::task::spawn_blocking({
                let stop = stop.clone();
                move || {
                    let mut last: Option<std::time::Instant> = None;
                    let progress = &mut |p: super::unpack::UnpackProgress| {
                        let now = std::time::Instant::now();
                        if last.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY) || p.bytes_done == p.bytes_total
                        {
                            last = Some(now);
                            let _ = tx.send(p);
                        }
                    };
                    txn.run(kind, op, Some(Extract { unpacker: unpacker.as_ref(), stop: &stop, progress }))
                }
            });
            let events = this.events.clone();
            let name = game.to_string();
            let forward = tokio::spawn(async move {
                while let Some(p) = rx.recv().await {
                    let event = Event::InstallProgress {
                        game: name.clone(),
                        bytes_done: p.bytes_done,
                        bytes_total: p.bytes_total,
                    };
                    let _ = events.send(event);
                }
            });
            let result = job.await.unwrap_or_else(|e| {
                Err(InstallError::Io {
                    what: "run",
                    path: PathBuf::from(game.as_str()),
                    source: std::io::Error::other(e),
                })
            });
            let _ = forward.await;
            stop.cancel();
            let _ = relay.await;
            // The library sees `local/` before anyone hears the result.
            if result.is_ok() {
                // A new installation is stamped and set up again at its first Play.
                crate::launch::play::clear_marker(&this.state_root, &game);
            }
            let _ = this.library.rescan(&game).await;
            let event = match result {
                Ok(_) => {
                    guard.complete();
                    Event::InstallFinished {
                        game: game.to_string(),
                        update,
                        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
                    }
                }
                Err(InstallError::Unpack { source: UnpackError::Cancelled, .. }) => {
                    guard.release();
                    Event::InstallCancelled { game: game.to_string(), update }
                }
                Err(e) => {
                    guard.release();
                    Event::InstallFailed { game: game.to_string(), reason: e.to_string(), problem: e.problem() }
                }
            };
            let _ = this.events.send(event);
            drop(guard);
        });
        Ok(update)
    }

    /// Removes `game`'s installation (`local/` only); answers when it is gone.
    pub async fn uninstall(&self, game: &str) -> Result<(), InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        let (guard, _cancel) = self.claim(&game, "uninstall")?;
        let txn = self.txn(&game);
        let op = new_op_id(&game);
        let result = tokio::task::spawn_blocking(move || txn.run(Kind::Uninstall, op, None))
            .await
            .map_err(|_| InstallCommandError::Stopped)?;
        let _ = self.library.rescan(&game).await;
        guard.release();
        result?;
        let _ = self.events.send(Event::UninstallFinished { game: game.to_string() });
        Ok(())
    }

    /// At start: finishes or undoes every transaction a crash interrupted.
    pub async fn recover_all(&self) {
        let games_dir = self.games_dir.clone();
        let _ = tokio::task::spawn_blocking(move || finish_removals(&games_dir)).await;
        let dir = self.state_root.join(INTENTS_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else { return };
        let games: Vec<GameId> = entries
            .filter_map(|e| {
                let name = e.ok()?.file_name();
                let stem = name.to_str()?.strip_suffix(".json")?.to_owned();
                GameId::new(&stem).ok()
            })
            .collect();
        for game in games {
            let txn = self.txn(&game);
            let result = tokio::task::spawn_blocking(move || txn.recover()).await;
            match result {
                Ok(Ok(Some(outcome))) => {
                    if outcome == Outcome::RolledForward {
                        crate::launch::play::clear_marker(&self.state_root, &game);
                    }
                    let what = match outcome {
                        Outcome::RolledForward => "finished",
                        Outcome::RolledBack | Outcome::NothingToDo => "undone",
                        Outcome::BackupKept => "undone; the previous installation is kept in .lanparty-backup",
                    };
                    tracing::info!(%game, what, "recovered an interrupted install");
                    if outcome == Outcome::BackupKept {
                        let message = format!(
                            "the interrupted install of {game} was undone, but something else now sits in its local/ folder, so the previous installation was kept in {}: keep the one you want and delete the other",
                            self.games_dir
                                .join(game.as_str())
                                .join(super::recovery::BACKUP_DIR)
                                .join(LOCAL_DIR)
                                .display()
                        );
                        let _ = self.events.send(Event::Warning { message });
                    }
                    let _ = self.library.rescan(&game).await;
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => {
                    let message = format!("could not recover the interrupted install of {game}: {e}");
                    let _ = self.events.send(Event::Warning { message });
                }
                Err(_) => {}
            }
        }
    }

    /// Play (`server` false) or Start Server; answers once the script started.
    pub async fn launch(&self, game: &str, server: bool) -> Result<crate::launch::play::Launched, InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        // Claimed while the first Play stamps and sets up: no install may swap `local/` meanwhile.
        let (guard, _cancel) = self.claim(&game, if server { "start-server" } else { "play" })?;
        let (root, state_root) = (self.games_dir.join(game.as_str()), self.state_root.clone());
        let (username, language, id) = (self.username.clone(), self.language.clone(), game.clone());
        let launched = tokio::task::spawn_blocking(move || {
            let launch = crate::launch::play::Launch {
                game: &id,
                root: &root,
                state_root: &state_root,
                username: &username,
                language: &language,
            };
            if server { launch.start_server() } else { launch.play() }
        })
        .await
        .map_err(|_| InstallCommandError::Stopped)?;
        drop(guard);
        let launched = launched?;
        let _ = self.events.send(Event::GameLaunched {
            game: game.to_string(),
            server,
            script: launched.script.clone(),
            pid: launched.pid,
            setup_ran: launched.setup_ran,
        });
        Ok(launched)
    }

    /// Deletes a downloaded game's folder, after strict checks: a catalog game, a direct child
    /// of the games folder and not a link, a plain root `version.ini`, not installed, and no
    /// operation running on it (the claim).
    pub async fn remove(&self, game: &str) -> Result<(), InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        let (guard, _cancel) = self.claim(&game, "remove")?;
        let root = self.games_dir.join(game.as_str());
        let refuse = |why| InstallCommandError::NotRemovable { path: root.clone(), why };
        if self.catalog.get(game.as_str()).is_none() {
            return Err(refuse("not a game of the catalog"));
        }
        if root.parent() != Some(self.games_dir.as_path()) {
            return Err(refuse("not directly in the games folder"));
        }
        let meta =
            std::fs::symlink_metadata(&root).map_err(|_| InstallCommandError::NotDownloaded { game: game.clone() })?;
        if !meta.is_dir() {
            return Err(refuse("a link or a file, not a folder"));
        }
        if !std::fs::symlink_metadata(root.join(VERSION_FILE)).is_ok_and(|m| m.is_file()) {
            return Err(refuse("it has no version.ini, so it is not a downloaded game"));
        }
        if std::fs::symlink_metadata(root.join(LOCAL_DIR)).is_ok() {
            return Err(InstallCommandError::Installed { game });
        }
        for reserved in [super::recovery::STAGING_DIR, super::recovery::BACKUP_DIR] {
            if std::fs::symlink_metadata(root.join(reserved)).is_ok() {
                return Err(refuse("an install is unfinished in it"));
            }
        }
        let (games_dir, id) = (self.games_dir.clone(), game.clone());
        tokio::task::spawn_blocking(move || remove_root(&games_dir, &id))
            .await
            .map_err(|_| InstallCommandError::Stopped)??;
        let _ = self.library.rescan(&game).await;
        drop(guard);
        let _ = self.events.send(Event::RemoveFinished { game: game.to_string() });
        Ok(())
    }

    /// The unpack log, oldest run first.
    pub fn unpack_log(&self) -> Vec<UnpackRun> {
        self.log.as_ref().map(|l| l.runs()).unwrap_or_default()
    }
}

/// A game root being removed is first renamed to `<games>/.lanparty-removing-<game>`, holding
/// this marker file, so that a crash halfway through the delete leaves no half-deleted game that
/// still looks downloaded.
const REMOVING_PREFIX: &str = ".lanparty-removing-";
const REMOVING_MARKER: &str = ".lanparty-removing";

/// Deletes `game`'s root: marks it, renames it out of the way in one step (the game is gone from
/// the library from here on), then deletes it.
fn remove_root(games_dir: &std::path::Path, game: &GameId) -> Result<(), InstallCommandError> {
    let root = games_dir.join(game.as_str());
    let trash = games_dir.join(format!("{REMOVING_PREFIX}{game}"));
    let failed = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| InstallCommandError::Remove { path, source }
    };
    // A leftover of an earlier removal that a crash cut short goes first.
    if std::fs::symlink_metadata(&trash).is_ok() {
        delete_marked(&trash).map_err(failed(&trash))?;
    }
    crate::state::write_atomic(&root.join(REMOVING_MARKER), game.as_str().as_bytes()).map_err(failed(&root))?;
    std::fs::rename(&root, &trash).map_err(failed(&root))?;
    let _ = crate::state::sync_dir(games_dir);
    delete_marked(&trash).map_err(failed(&trash))
}

/// Deletes a renamed root, and only one that carries the removal marker.
fn delete_marked(trash: &std::path::Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(trash)?;
    if !meta.is_dir() || !std::fs::symlink_metadata(trash.join(REMOVING_MARKER)).is_ok_and(|m| m.is_file()) {
        return Err(std::io::Error::other(format!(
            "{} is not a folder Lanparty was removing; delete it yourself if you mean to",
            trash.display()
        )));
    }
    std::fs::remove_dir_all(trash)
}

/// At start: finishes removals a crash interrupted (marked roots only; anything else with the
/// prefix is left alone).
fn finish_removals(games_dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(games_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_str().is_some_and(|n| n.starts_with(REMOVING_PREFIX)) {
            let path = entry.path();
            match delete_marked(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "finished an interrupted removal"),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "left an unfinished removal alone"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_removal_renames_the_root_away_before_deleting_it_and_a_leftover_is_finished_at_start() {
        let tmp = tempfile::tempdir().unwrap();
        let games = tmp.path();
        let game = GameId::new("quake").unwrap();
        std::fs::create_dir_all(games.join("quake/data")).unwrap();
        std::fs::write(games.join("quake/version.ini"), "1").unwrap();
        std::fs::write(games.join("quake/data/pak0.pak"), "x").unwrap();
        remove_root(games, &game).unwrap();
        assert_eq!(std::fs::read_dir(games).unwrap().count(), 0);

        // What a crash in the middle of the delete leaves behind: the renamed root, marked.
        let trash = games.join(".lanparty-removing-quake");
        std::fs::create_dir_all(trash.join("data")).unwrap();
        std::fs::write(trash.join(REMOVING_MARKER), "quake").unwrap();
        // Something else with the prefix but no marker is not ours.
        let foreign = games.join(".lanparty-removing-mine");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("save.dat"), "keep").unwrap();
        finish_removals(games);
        assert!(!trash.exists());
        assert_eq!(std::fs::read(foreign.join("save.dat")).unwrap(), b"keep");
    }
}
