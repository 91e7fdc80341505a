//! Installs as runtime operations: claiming the game in the operation table shared with
//! downloads, running the transaction on the blocking pool, progress and terminal events,
//! recovery at start, and the install that follows a download.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use super::recovery::{INTENTS_DIR, Kind, Outcome};
use super::run::{InstallError, Txn, new_op_id};
use super::unpack::{UnpackLog, UnpackRun, Unpacker};
use crate::catalog::GameId;
use crate::library::{LOCAL_DIR, VERSION_FILE};
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
    #[error("cannot remove {}: {source}", path.display())]
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
    pub catalog: Arc<crate::catalog::Catalog>,
    pub username: String,
    pub language: String,
}

impl Installs {
    fn txn(&self, game: &GameId) -> Txn {
        Txn::new(game.clone(), &self.games_dir, &self.state_root)
    }

    /// Installs `game`, or updates its installation if it has one, from the archives in its
    /// root. Answers once the game is claimed; `install-finished` or `install-failed` follow.
    pub async fn install(self: &Arc<Self>, game: &str) -> Result<bool, InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        let unpacker = self.unpacker.clone().ok_or(InstallCommandError::NoUnpacker)?;
        let root = self.games_dir.join(game.as_str());
        // Downloaded means a root `version.ini` that is a plain file (section 3).
        if !std::fs::symlink_metadata(root.join(VERSION_FILE)).is_ok_and(|m| m.is_file()) {
            return Err(InstallCommandError::NotDownloaded { game });
        }
        let update = std::fs::symlink_metadata(root.join(LOCAL_DIR)).is_ok_and(|m| m.is_dir());
        let (guard, _cancel) = claim(&self.ops, &game, if update { "update-install" } else { "install" })
            .map_err(|what| InstallCommandError::Busy { game: game.clone(), what })?;
        let kind = if update { Kind::Update } else { Kind::Install };
        let this = self.clone();
        self.tasks.spawn(async move {
            let _ = this.events.send(Event::InstallStarted { game: game.to_string(), update });
            let started = Instant::now();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let txn = this.txn(&game);
            let op = new_op_id(&game);
            let job = tokio::task::spawn_blocking(move || {
                let mut last: Option<std::time::Instant> = None;
                txn.run(kind, op, unpacker.as_ref(), &mut |p| {
                    let now = std::time::Instant::now();
                    if last.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY) || p.bytes_done == p.bytes_total {
                        last = Some(now);
                        let _ = tx.send(p);
                    }
                })
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
            // The library sees `local/` before anyone hears the result.
            if result.is_ok() {
                // A new installation is stamped and set up again at its first Play.
                crate::launch::play::clear_marker(&this.state_root, &game);
            }
            let _ = this.library.rescan(&game).await;
            guard.release();
            let event = match result {
                Ok(_) => Event::InstallFinished {
                    game: game.to_string(),
                    update,
                    seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
                },
                Err(e) => Event::InstallFailed { game: game.to_string(), reason: e.to_string() },
            };
            let _ = this.events.send(event);
            drop(guard);
        });
        Ok(update)
    }

    /// Removes `game`'s installation (`local/` only); answers when it is gone.
    pub async fn uninstall(&self, game: &str) -> Result<(), InstallCommandError> {
        let game = GameId::new(game).map_err(|_| InstallCommandError::BadId(game.to_owned()))?;
        let (guard, _cancel) = claim(&self.ops, &game, "uninstall")
            .map_err(|what| InstallCommandError::Busy { game: game.clone(), what })?;
        let txn = self.txn(&game);
        let op = new_op_id(&game);
        #[derive(Debug)]
        struct Nothing;
        impl Unpacker for Nothing {
            fn extract(
                &self,
                _: &GameId,
                _: &std::path::Path,
                _: &std::path::Path,
                _: &mut dyn FnMut(super::unpack::UnpackProgress),
            ) -> Result<super::unpack::Unpacked, super::unpack::UnpackError> {
                Ok(Default::default())
            }
        }
        let result = tokio::task::spawn_blocking(move || txn.run(Kind::Uninstall, op, &Nothing, &mut |_| {}))
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
        let (guard, _cancel) = claim(&self.ops, &game, if server { "start-server" } else { "play" })
            .map_err(|what| InstallCommandError::Busy { game: game.clone(), what })?;
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
        let (guard, _cancel) =
            claim(&self.ops, &game, "remove").map_err(|what| InstallCommandError::Busy { game: game.clone(), what })?;
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
        let target = root.clone();
        tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&target))
            .await
            .map_err(|_| InstallCommandError::Stopped)?
            .map_err(|source| InstallCommandError::Remove { path: root.clone(), source })?;
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
