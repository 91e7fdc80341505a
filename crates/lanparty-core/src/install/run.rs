//! Performing install transactions on disk: the steps [`recovery`](super::recovery) plans, each
//! recorded in the intent before it runs.
//!
//! Blocking: call from the blocking pool. One operation per game at a time is the caller's to
//! ensure (the runtime's operation table); this module assumes nobody else renames folders in
//! the game root meanwhile.
//!
//! An operation starts only from a clean slate: no intent for the game (recovery has run) and no
//! reserved folder in the root. Then it writes the intent `preparing`, creates its reserved
//! folders (marker first), extracts into `.lanparty-staging/local/` and flushes it, and runs the
//! remaining steps, writing the intent before each. A step that fails is undone or finished by
//! [`abort`]'s plan; the intent is removed when a plan or operation ends.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::recovery::{
    Action, BACKUP_DIR, Intent, Kind, MARKER_FILE, Marked, Observed, OpId, Outcome, PAYLOAD_DIR, Plan, STAGING_DIR,
    abort, intent_path, recover,
};
use super::unpack::{UnpackError, UnpackProgress, Unpacker};
use crate::catalog::GameId;
use crate::library::LOCAL_DIR;
use crate::state::{sync_dir, write_atomic};
use tokio_util::sync::CancellationToken;

/// Why an operation did not run or did not complete. After any of these the game holds the
/// installation it had before, unless the error says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{game} is already installed: update or uninstall it instead")]
    AlreadyInstalled { game: GameId },
    #[error("{game} is not installed")]
    NotInstalled { game: GameId },
    #[error(
        "{} is in the way and Lanparty does not know it as its own: look inside, keep what you need, then delete it and try again",
        path.display()
    )]
    Foreign { path: PathBuf },
    #[error("cannot unpack {game}: {source}")]
    Unpack { game: GameId, source: UnpackError },
    #[error("cannot {what} {}: {source}", path.display())]
    Io { what: &'static str, path: PathBuf, source: io::Error },
}

impl InstallError {
    fn io(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> InstallError + use<> {
        let path = path.to_path_buf();
        move |source| InstallError::Io { what, path, source }
    }
}

/// What an install or update extracts with: the unpacker, a token that stops it, and where its
/// progress goes. An uninstall extracts nothing.
#[allow(missing_debug_implementations)]
pub struct Extract<'a> {
    pub unpacker: &'a dyn Unpacker,
    pub stop: &'a CancellationToken,
    pub progress: &'a mut dyn FnMut(UnpackProgress),
}

/// Where one game's transaction lives.
#[derive(Clone, Debug)]
pub struct Txn {
    pub game: GameId,
    /// The game root in the games folder.
    pub root: PathBuf,
    /// `<state>/intents/<game>.json`.
    pub intent_file: PathBuf,
}

impl Txn {
    pub fn new(game: GameId, games_dir: &Path, state_root: &Path) -> Txn {
        let root = games_dir.join(game.as_str());
        let intent_file = intent_path(state_root, &game);
        Txn { game, root, intent_file }
    }

    fn staging(&self) -> PathBuf {
        self.root.join(STAGING_DIR)
    }

    fn backup(&self) -> PathBuf {
        self.root.join(BACKUP_DIR)
    }

    fn local(&self) -> PathBuf {
        self.root.join(LOCAL_DIR)
    }

    /// The recorded intent; an unreadable or impossible record counts as none (every reserved
    /// folder is then foreign, so nothing is touched).
    pub fn intent(&self) -> Option<Intent> {
        let bytes = fs::read(&self.intent_file).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn record(&self, intent: &Intent) -> Result<(), InstallError> {
        #[cfg(feature = "test-faults")]
        faults::before(intent.step());
        let dir = self.intent_file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(InstallError::io("create", dir))?;
        let bytes = serde_json::to_vec(intent).map_err(|e| InstallError::Io {
            what: "record",
            path: self.intent_file.clone(),
            source: io::Error::other(e),
        })?;
        write_atomic(&self.intent_file, &bytes).map_err(InstallError::io("write", &self.intent_file))
    }

    fn clear(&self) -> Result<(), InstallError> {
        match fs::remove_file(&self.intent_file) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(InstallError::io("remove", &self.intent_file)(e)),
        }
        if let Some(dir) = self.intent_file.parent() {
            let _ = sync_dir(dir);
        }
        Ok(())
    }

    /// What exists in the root, judged against `intent`.
    pub fn observe(&self, intent: Option<&Intent>) -> Observed {
        let reserved = |dir: PathBuf| -> Option<Marked> {
            let meta = fs::symlink_metadata(&dir).ok()?;
            if !meta.is_dir() {
                return Some(Marked::Foreign);
            }
            let marker = fs::read_to_string(dir.join(MARKER_FILE)).ok();
            if marker.is_none() && fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_none()) {
                return Some(Marked::classify_bare(intent));
            }
            let has_local = fs::symlink_metadata(dir.join(PAYLOAD_DIR)).is_ok_and(|m| m.is_dir());
            Some(Marked::classify(marker.as_deref(), has_local, intent))
        };
        Observed {
            local: fs::symlink_metadata(self.local()).is_ok(),
            staging: reserved(self.staging()),
            backup: reserved(self.backup()),
        }
    }

    fn perform(&self, action: Action) -> Result<(), InstallError> {
        let (staging, backup, local) = (self.staging(), self.backup(), self.local());
        match action {
            Action::RenameLocalToBackup => rename(&local, &backup.join(PAYLOAD_DIR)),
            Action::RenameStagingToLocal => rename(&staging.join(PAYLOAD_DIR), &local),
            Action::RenameBackupToLocal => rename(&backup.join(PAYLOAD_DIR), &local),
            Action::RemoveStaging => remove_reserved(&staging),
            Action::RemoveBackup => remove_reserved(&backup),
        }
    }

    /// Runs `plan` for the operation of `intent`, recording each step first, then removes the
    /// intent.
    fn run_plan(&self, intent: &Intent, plan: &Plan) -> Result<Outcome, InstallError> {
        for &step in &plan.steps {
            let at = intent.at(step).map_err(|e| InstallError::Io {
                what: "plan",
                path: self.intent_file.clone(),
                source: io::Error::other(e),
            })?;
            self.record(&at)?;
            if let Some(action) = step.action() {
                self.perform(action)?;
            }
        }
        self.clear()?;
        Ok(plan.outcome)
    }

    /// Finishes or undoes what a crash interrupted (at start, before any new operation).
    /// `None` when there was nothing to recover.
    pub fn recover(&self) -> Result<Option<Outcome>, InstallError> {
        if !self.intent_file.exists() {
            return Ok(None);
        }
        let Some(intent) = self.intent() else {
            // Nothing can be ours without a readable intent: drop the record, touch nothing.
            self.clear()?;
            return Ok(None);
        };
        let plan = recover(Some(&intent), &self.observe(Some(&intent)));
        self.run_plan(&intent, &plan).map(Some)
    }

    /// Runs an install, update or uninstall from start to end. `op` must be new (markers tell
    /// operations apart).
    pub fn run(&self, kind: Kind, op: OpId, extract: Option<Extract<'_>>) -> Result<Outcome, InstallError> {
        // An operation interrupted earlier (its undo failed, or recovery did) is settled first.
        if self.intent_file.exists() {
            self.recover()?;
        }
        self.check_start(kind)?;
        let mut intent = Intent::begin(kind, op);
        self.record(&intent)?;
        if let Err(e) = self.prepare(kind, op, extract) {
            return Err(self.fail(&intent, e));
        }
        while let Some(next) = intent.next() {
            intent = next;
            self.record(&intent)?;
            let step = intent.step();
            if let Some(action) = step.action() {
                if let Err(e) = self.perform(action) {
                    return Err(self.fail(&intent, e));
                }
            }
        }
        self.clear()?;
        Ok(Outcome::RolledForward)
    }

    /// Refuses to start over a pending intent, a reserved folder in the way, or the wrong
    /// `local/` state.
    fn check_start(&self, kind: Kind) -> Result<(), InstallError> {
        if self.intent_file.exists() {
            return Err(InstallError::Foreign { path: self.intent_file.clone() });
        }
        for dir in [self.staging(), self.backup()] {
            if fs::symlink_metadata(&dir).is_ok() {
                return Err(InstallError::Foreign { path: dir });
            }
        }
        let installed = fs::symlink_metadata(self.local()).map(|m| m.is_dir());
        match (kind, installed) {
            (Kind::Install, Ok(_)) => Err(InstallError::AlreadyInstalled { game: self.game.clone() }),
            (Kind::Update | Kind::Uninstall, Err(_)) => Err(InstallError::NotInstalled { game: self.game.clone() }),
            // A file or link named `local` is not an install; it is in the way.
            (Kind::Update | Kind::Uninstall, Ok(false)) => Err(InstallError::Foreign { path: self.local() }),
            _ => Ok(()),
        }
    }

    /// The `preparing` step: reserved folders (marker first), extraction, flush.
    fn prepare(&self, kind: Kind, op: OpId, extract: Option<Extract<'_>>) -> Result<(), InstallError> {
        let unpack_error = |source| InstallError::Unpack { game: self.game.clone(), source };
        if kind.has_backup() {
            make_reserved(&self.backup(), op)?;
        }
        if kind.has_staging() {
            let Some(Extract { unpacker, stop, progress }) = extract else {
                return Err(unpack_error(UnpackError::Missing));
            };
            let staging = self.staging();
            make_reserved(&staging, op)?;
            let dest = staging.join(PAYLOAD_DIR);
            unpacker.extract(&self.game, &self.root, &dest, stop, progress).map_err(unpack_error)?;
            sync_tree(&dest).map_err(InstallError::io("flush", &dest))?;
            sync_dir(&staging).map_err(InstallError::io("flush", &staging))?;
        }
        Ok(())
    }

    /// After a failed step: runs [`abort`]'s plan and returns the original error (or the
    /// plan's, if that fails too: the intent stays for the next start).
    fn fail(&self, intent: &Intent, error: InstallError) -> InstallError {
        let plan = abort(intent, &self.observe(Some(intent)));
        match self.run_plan(intent, &plan) {
            Ok(_) => error,
            Err(e) => {
                tracing::warn!(game = %self.game, error = %e, "could not undo a failed {}; the next start retries", intent.kind());
                error
            }
        }
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), InstallError> {
    fs::rename(from, to).map_err(InstallError::io("move", from))?;
    for dir in [from.parent(), to.parent()].into_iter().flatten() {
        sync_dir(dir).map_err(InstallError::io("flush", dir))?;
    }
    Ok(())
}

/// Creates a reserved folder and its marker, flushed, before anything else goes in.
fn make_reserved(dir: &Path, op: OpId) -> Result<(), InstallError> {
    fs::create_dir(dir).map_err(InstallError::io("create", dir))?;
    let marker = dir.join(MARKER_FILE);
    write_atomic(&marker, op.marker().as_bytes()).map_err(InstallError::io("write", &marker))?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent).map_err(InstallError::io("flush", parent))?;
    }
    Ok(())
}

/// Removes a reserved folder: its payload first, the marker last, so a folder interrupted
/// halfway is still recognisably ours.
fn remove_reserved(dir: &Path) -> Result<(), InstallError> {
    let payload = dir.join(PAYLOAD_DIR);
    match fs::symlink_metadata(&payload) {
        // A link is removed as a link, never followed.
        Ok(m) if m.is_dir() => fs::remove_dir_all(&payload).map_err(InstallError::io("delete", &payload))?,
        Ok(_) => fs::remove_file(&payload).map_err(InstallError::io("delete", &payload))?,
        Err(_) => {}
    }
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(InstallError::io("delete", dir)(e)),
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent).map_err(InstallError::io("flush", parent))?;
    }
    Ok(())
}

/// Flushes every file and folder under `dir` (not following links).
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            // Opened for writing: Windows flushes a file only through a handle that may write.
            fs::OpenOptions::new().write(true).open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

/// A fresh operation id: time and process mixed, unique enough to tell one operation's markers
/// from another's.
pub fn new_op_id(game: &GameId) -> OpId {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(&now.as_nanos().to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(game.as_str().as_bytes());
    let bytes = h.finalize();
    let mut id = [0u8; 8];
    id.copy_from_slice(&bytes.as_bytes()[..8]);
    OpId::new(u64::from_le_bytes(id))
}

/// Fault points for the integration tests, compiled only with the `test-faults` feature.
#[cfg(feature = "test-faults")]
mod faults {
    use crate::install::recovery::Step;

    /// With `LANPARTY_TEST_KILL_BEFORE=STEP` (a step name such as `swap-in-new`), the process
    /// kills itself with SIGKILL just before recording that step's intent: a crash between two
    /// steps (or, for `preparing`, before the operation began), with nothing cleaned up.
    pub fn before(step: Step) {
        if std::env::var("LANPARTY_TEST_KILL_BEFORE").is_ok_and(|s| s == step.to_string()) {
            kill_self();
        }
    }

    fn kill_self() {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill").args(["-9", &pid]).status();
        // SIGKILL is asynchronous; never go on.
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::recovery::Step;
    use crate::install::unpack::Unpacked;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Writes a fixed tree, or fails halfway, like an unpacker that met a bad archive.
    #[derive(Debug)]
    struct Fake {
        files: Vec<(&'static str, &'static [u8])>,
        fail: AtomicBool,
    }

    impl Unpacker for Fake {
        fn extract(
            &self,
            _game: &GameId,
            _root: &Path,
            dest: &Path,
            _stop: &CancellationToken,
            progress: &mut dyn FnMut(UnpackProgress),
        ) -> Result<Unpacked, UnpackError> {
            fs::create_dir_all(dest).unwrap();
            for (i, (name, data)) in self.files.iter().enumerate() {
                if self.fail.load(Ordering::SeqCst) && i == 1 {
                    return Err(UnpackError::Refused { code: "corrupt".into(), exit: 5, message: "bad".into() });
                }
                let path = dest.join(name);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, data).unwrap();
                progress(UnpackProgress { bytes_done: i as u64, bytes_total: 2 });
            }
            Ok(Default::default())
        }
    }

    fn setup() -> (tempfile::TempDir, Txn) {
        let tmp = tempfile::tempdir().unwrap();
        let games = tmp.path().join("games");
        fs::create_dir_all(games.join("g")).unwrap();
        let txn = Txn::new(GameId::new("g").unwrap(), &games, &tmp.path().join("state"));
        (tmp, txn)
    }

    fn go(txn: &Txn, kind: Kind, op: u64, unpacker: &dyn Unpacker) -> Result<Outcome, InstallError> {
        let stop = CancellationToken::new();
        txn.run(kind, OpId::new(op), Some(Extract { unpacker, stop: &stop, progress: &mut |_| {} }))
    }

    fn fake(files: Vec<(&'static str, &'static [u8])>) -> Fake {
        Fake { files, fail: AtomicBool::new(false) }
    }

    fn only_local(txn: &Txn) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(&txn.root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn install_update_uninstall_leave_exactly_one_install_and_no_reserved_folder() {
        let (_tmp, txn) = setup();
        let v1 = fake(vec![("game_start.sh", b"v1"), ("data/a.pak", b"a")]);
        assert_eq!(go(&txn, Kind::Install, 1, &v1).unwrap(), Outcome::RolledForward);
        assert_eq!(fs::read(txn.local().join("game_start.sh")).unwrap(), b"v1");
        assert_eq!(only_local(&txn), ["local"]);
        assert!(matches!(go(&txn, Kind::Install, 2, &v1), Err(InstallError::AlreadyInstalled { .. })));
        let v2 = fake(vec![("game_start.sh", b"v2"), ("data/b.pak", b"b")]);
        go(&txn, Kind::Update, 3, &v2).unwrap();
        assert_eq!(fs::read(txn.local().join("game_start.sh")).unwrap(), b"v2");
        assert!(!txn.local().join("data/a.pak").exists(), "the old install is replaced whole");
        assert_eq!(only_local(&txn), ["local"]);
        txn.run(Kind::Uninstall, OpId::new(4), None).unwrap();
        assert!(only_local(&txn).is_empty());
        assert!(!txn.intent_file.exists());
    }

    #[test]
    fn a_failed_extraction_keeps_the_old_install_byte_for_byte() {
        let (_tmp, txn) = setup();
        go(&txn, Kind::Install, 1, &fake(vec![("a", b"old"), ("b", b"old")])).unwrap();
        let broken = fake(vec![("a", b"new"), ("b", b"new")]);
        broken.fail.store(true, Ordering::SeqCst);
        let e = go(&txn, Kind::Update, 2, &broken).unwrap_err();
        assert!(matches!(e, InstallError::Unpack { .. }), "{e}");
        assert_eq!(fs::read(txn.local().join("a")).unwrap(), b"old");
        assert_eq!(only_local(&txn), ["local"]);
        assert!(!txn.intent_file.exists());
        // A failed first install leaves nothing.
        let (_tmp2, fresh) = setup();
        assert!(go(&fresh, Kind::Install, 3, &broken).is_err());
        assert!(only_local(&fresh).is_empty());
    }

    #[test]
    fn a_reserved_folder_that_is_not_ours_blocks_and_is_kept() {
        let (_tmp, txn) = setup();
        fs::create_dir_all(txn.staging()).unwrap();
        fs::write(txn.staging().join("player.txt"), b"mine").unwrap();
        let e = go(&txn, Kind::Install, 1, &fake(vec![("a", b"x")])).unwrap_err();
        assert!(matches!(e, InstallError::Foreign { .. }), "{e}");
        assert!(e.to_string().contains("look inside"), "{e}");
        assert_eq!(txn.recover().unwrap(), None);
        assert_eq!(fs::read(txn.staging().join("player.txt")).unwrap(), b"mine");
    }

    #[test]
    fn recovery_finishes_an_update_interrupted_after_the_old_install_moved_out() {
        let (_tmp, txn) = setup();
        go(&txn, Kind::Install, 1, &fake(vec![("a", b"old")])).unwrap();
        // What a crash after `swap-out-old` leaves: the new install staged, the old one backed up.
        let op = OpId::new(9);
        let intent = Intent::begin(Kind::Update, op).at(Step::SwapOutOld).unwrap();
        make_reserved(&txn.backup(), op).unwrap();
        make_reserved(&txn.staging(), op).unwrap();
        fs::create_dir_all(txn.staging().join(PAYLOAD_DIR)).unwrap();
        fs::write(txn.staging().join(PAYLOAD_DIR).join("a"), b"new").unwrap();
        rename(&txn.local(), &txn.backup().join(PAYLOAD_DIR)).unwrap();
        txn.record(&intent).unwrap();
        assert_eq!(txn.recover().unwrap(), Some(Outcome::RolledForward));
        assert_eq!(fs::read(txn.local().join("a")).unwrap(), b"new");
        assert_eq!(only_local(&txn), ["local"]);
        assert_eq!(txn.recover().unwrap(), None, "twice is the same as once");
    }

    #[test]
    fn a_crash_between_creating_a_folder_and_marking_it_does_not_block_the_game() {
        let (_tmp, txn) = setup();
        txn.record(&Intent::begin(Kind::Install, OpId::new(5))).unwrap();
        fs::create_dir_all(txn.staging()).unwrap();
        assert_eq!(txn.recover().unwrap(), Some(Outcome::RolledBack));
        assert!(only_local(&txn).is_empty());
        go(&txn, Kind::Install, 6, &fake(vec![("a", b"x")])).unwrap();
        assert_eq!(only_local(&txn), ["local"]);
    }

    #[test]
    fn recovery_undoes_an_install_interrupted_while_extracting() {
        let (_tmp, txn) = setup();
        let op = OpId::new(5);
        txn.record(&Intent::begin(Kind::Install, op)).unwrap();
        make_reserved(&txn.staging(), op).unwrap();
        fs::create_dir_all(txn.staging().join(PAYLOAD_DIR)).unwrap();
        fs::write(txn.staging().join(PAYLOAD_DIR).join("half"), b"x").unwrap();
        assert_eq!(txn.recover().unwrap(), Some(Outcome::RolledBack));
        assert!(only_local(&txn).is_empty());
    }
}
