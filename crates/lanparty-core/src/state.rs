//! The state directory: everything the launcher owns, outside the games folder.
//!
//! ```text
//! <state>/
//!   identity/cert.der     this peer's self-signed certificate (DER)
//!   identity/key.der      its private key (PKCS#8 DER, owner-only)
//!   library/hash-cache.json
//!                         chunk and file hashes keyed by (path, size, mtime)
//! ```
//!
//! Later subsystems add their own folders here (intents, markers, transfer progress, logs);
//! `docs/DESIGN.md` keeps the full list. Files are replaced with [`write_atomic`], so a crash
//! leaves either the old or the new content, never a torn file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why the state directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("state folder {} is not usable ({source}): pass a writable folder with --state-dir", path.display())]
pub struct StateDirError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// The state directory and the paths inside it.
#[derive(Clone, Debug)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    /// Creates the layout if needed and proves the folder is writable.
    pub fn open(root: &Path) -> Result<StateDir, StateDirError> {
        let dir = StateDir { root: root.to_path_buf() };
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StateDirError { path, source }
        };
        for sub in [dir.identity_dir(), dir.library_dir()] {
            fs::create_dir_all(&sub).map_err(err(&sub))?;
        }
        let probe = root.join(".write-probe");
        write_atomic(&probe, b"ok").map_err(err(root))?;
        fs::remove_file(&probe).map_err(err(root))?;
        Ok(dir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn identity_dir(&self) -> PathBuf {
        self.root.join("identity")
    }

    pub fn library_dir(&self) -> PathBuf {
        self.root.join("library")
    }

    /// Running and interrupted downloads, one folder per game (created when a download starts).
    pub fn downloads_dir(&self) -> PathBuf {
        Self::downloads_dir_of(&self.root)
    }

    /// The downloads folder of the state folder `root`.
    pub fn downloads_dir_of(root: &Path) -> PathBuf {
        root.join("downloads")
    }

    pub fn hash_cache(&self) -> PathBuf {
        self.library_dir().join("hash-cache.json")
    }
}

/// Replaces `path` with `bytes` so that a crash leaves the old or the new content: write a
/// temporary sibling, flush it to disk, rename it over `path`, flush the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, false)
}

/// [`write_atomic`] for secrets: the file is created readable by its owner only (on Unix; on
/// Windows the per-user app data folder already restricts access).
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, true)
}

fn write_atomic_with(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    // A reserved name, so a scan of a game root never mistakes it for game content.
    let mut tmp_name = std::ffi::OsString::from(".lanparty-tmp-");
    tmp_name.push(path.file_name().unwrap_or_default());
    let tmp = path.with_file_name(tmp_name);
    // A stale temporary file would keep its old permissions.
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    if let Some(parent) = path.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Flushes a directory's entries (a rename inside it) to disk. Windows has no directory
/// handles to flush; there the rename itself is durable once it returns.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_creates_layout_and_write_atomic_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open(&tmp.path().join("s")).unwrap();
        assert!(state.library_dir().is_dir());
        let f = state.library_dir().join("x");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        assert_eq!(fs::read_dir(state.library_dir()).unwrap().count(), 1, "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("key");
        write_atomic_private(&f, b"secret").unwrap();
        assert_eq!(fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn open_fails_on_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, b"").unwrap();
        let err = StateDir::open(&file).unwrap_err();
        assert!(err.to_string().contains("--state-dir"), "{err}");
    }
}
