//! Where a download's bytes live until it commits: the staging folder in the game root.
//!
//! `<root>/.lanparty-download/` holds every file of the manifest at its relative path. Files
//! are created and preallocated to their full size when their first chunk arrives, and each
//! verified chunk is written at its offset, so several peers fill one file at once. The folder
//! is a reserved name: the library neither scans nor serves it, and nothing in it looks like a
//! downloaded game. A later issue serves verified chunks from here (the journal says which).
//!
//! On Linux, whole pages of a chunk are written with `O_DIRECT`, past the page cache: a game is
//! written once and read once (by the unpacker), so caching it only costs a copy per byte and
//! evicts what the player's other programs had cached. A chunk's bytes sit in a page-aligned
//! [`ChunkBuf`]; the unaligned tail of a file's last chunk, and every write on a file system
//! that refuses direct IO (tmpfs, some network mounts), go through the page cache as usual.
//! Other platforms write through the page cache.
//!
//! Committing moves the files into the root and writes `version.ini` last (section 13 of
//! `docs/DESIGN.md`); every step is repeatable, so a crash mid-commit is finished at the next
//! start from the intent record.

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fs4::FileExt as _;

use crate::library::manifest::chunk_len;
use crate::library::{CHUNK_SIZE, Manifest, VERSION_FILE};
use crate::relpath;
use crate::transfer::plan::ChunkId;

/// The staging folder's name in a game root.
pub const STAGING_DIR: &str = ".lanparty-download";

/// Alignment of memory, offsets and lengths for direct writes: a page, which covers both 512-byte
/// and 4 KiB logical blocks.
const DIRECT_ALIGN: usize = 4096;

/// One chunk's bytes, starting at a page boundary so that they can be written with direct IO.
/// Allocated once per request slot and reused.
#[derive(Debug)]
pub struct ChunkBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
}

impl Default for ChunkBuf {
    fn default() -> ChunkBuf {
        ChunkBuf::new()
    }
}

impl ChunkBuf {
    pub fn new() -> ChunkBuf {
        let raw = vec![0u8; CHUNK_SIZE as usize + DIRECT_ALIGN];
        // Always within the slack for byte pointers; if not, the buffer is merely unaligned and
        // its chunks take the page cache.
        let start = raw.as_ptr().align_offset(DIRECT_ALIGN).min(DIRECT_ALIGN);
        ChunkBuf { raw, start, len: 0 }
    }

    /// The buffer resized to `len` bytes (at most a chunk), for filling.
    pub fn fill(&mut self, len: usize) -> &mut [u8] {
        self.len = len.min(CHUNK_SIZE as usize);
        &mut self.raw[self.start..self.start + self.len]
    }

    pub fn bytes(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }
}

/// Maps chunks to global indexes (manifest order) and back.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Global index of each file's first chunk.
    starts: Vec<u32>,
    total: u32,
}

impl Layout {
    pub fn new(manifest: &Manifest) -> Layout {
        let mut starts = Vec::with_capacity(manifest.files.len());
        let mut total = 0u32;
        for f in &manifest.files {
            starts.push(total);
            total = total.saturating_add(f.chunks.len() as u32);
        }
        Layout { starts, total }
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    pub fn index(&self, (file, chunk): ChunkId) -> u32 {
        self.starts[file as usize] + chunk
    }

    pub fn chunk(&self, index: u32) -> Option<ChunkId> {
        if index >= self.total {
            return None;
        }
        // The last file starting at or before `index` that has chunks.
        let file = self.starts.partition_point(|&s| s <= index) - 1;
        Some((file as u32, index - self.starts[file]))
    }
}

/// Why a chunk could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the disk is full")]
    Full,
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the download was stopped")]
    Closed,
}

impl StoreError {
    fn of(e: io::Error) -> StoreError {
        if e.kind() == io::ErrorKind::StorageFull { StoreError::Full } else { StoreError::Io(e) }
    }
}

/// An open staged file: the handle for buffered IO and, where the platform and file system
/// allow, one that bypasses the page cache.
#[derive(Debug)]
struct Staged {
    file: File,
    direct: Option<File>,
}

#[derive(Debug)]
struct Files {
    open: Vec<Option<std::sync::Arc<Staged>>>,
    /// Files written since the last flush.
    dirty: BTreeSet<usize>,
    closed: bool,
}

/// The staged files of one download. Blocking: call from the blocking pool.
#[derive(Debug)]
pub struct Store {
    staging: PathBuf,
    sizes: Vec<(String, u64)>,
    files: Mutex<Files>,
}

impl Store {
    /// Opens (creating) the staging folder of `root` for `manifest`.
    pub fn open(root: &Path, manifest: &Manifest) -> io::Result<Store> {
        let staging = root.join(STAGING_DIR);
        fs::create_dir_all(&staging)?;
        Ok(Store {
            staging,
            sizes: manifest.files.iter().map(|f| (f.path.clone(), f.size)).collect(),
            files: Mutex::new(Files { open: vec![None; manifest.files.len()], dirty: BTreeSet::new(), closed: false }),
        })
    }

    pub fn staging(&self) -> &Path {
        &self.staging
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The open, preallocated file `index`; created on first use.
    fn file(&self, index: usize) -> Result<std::sync::Arc<Staged>, StoreError> {
        let mut files = self.lock();
        if files.closed {
            return Err(StoreError::Closed);
        }
        if let Some(f) = &files.open[index] {
            return Ok(f.clone());
        }
        let (rel, size) = &self.sizes[index];
        let path = relpath::join(&self.staging, rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(StoreError::of)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(StoreError::of)?;
        if file.metadata().map_err(StoreError::of)?.len() != *size {
            allocate(&file, *size).map_err(StoreError::of)?;
        }
        let staged = std::sync::Arc::new(Staged { file, direct: open_direct(&path) });
        files.open[index] = Some(staged.clone());
        Ok(staged)
    }

    /// Writes a verified chunk at its offset: its whole pages directly when `bytes` is
    /// page-aligned in memory (a [`ChunkBuf`]) and direct IO works here, the rest buffered.
    pub fn write_chunk(&self, (file, chunk): ChunkId, bytes: &[u8]) -> Result<(), StoreError> {
        let f = self.file(file as usize)?;
        let offset = u64::from(chunk) * CHUNK_SIZE;
        let mut direct_len = 0;
        if let Some(direct) = &f.direct {
            if bytes.as_ptr().align_offset(DIRECT_ALIGN) == 0 {
                let len = bytes.len() / DIRECT_ALIGN * DIRECT_ALIGN;
                match write_at(direct, &bytes[..len], offset) {
                    Ok(()) => direct_len = len,
                    // Refused at write time (some file systems accept the flag at open only):
                    // the same bytes go through the page cache below.
                    Err(e) if e.raw_os_error() == Some(EINVAL) => {}
                    Err(e) => return Err(StoreError::of(e)),
                }
            }
        }
        write_at(&f.file, &bytes[direct_len..], offset + direct_len as u64).map_err(StoreError::of)?;
        // Marked after the write: a flush that starts before it must not cover it.
        self.lock().dirty.insert(file as usize);
        Ok(())
    }

    /// Reads a staged chunk back (to check it again at resume).
    pub fn read_chunk(&self, (file, chunk): ChunkId) -> io::Result<Vec<u8>> {
        let (rel, size) = &self.sizes[file as usize];
        let len = chunk_len(*size, chunk.into()) as usize;
        let path = relpath::join(&self.staging, rel);
        let f = File::open(path)?;
        let mut buf = vec![0u8; len];
        read_exact_at(&f, &mut buf, u64::from(chunk) * CHUNK_SIZE)?;
        Ok(buf)
    }

    /// Flushes every file written since the last flush.
    pub fn flush(&self) -> io::Result<()> {
        let (dirty, handles): (Vec<usize>, Vec<std::sync::Arc<Staged>>) = {
            let mut files = self.lock();
            let dirty: Vec<usize> = std::mem::take(&mut files.dirty).into_iter().collect();
            let handles = dirty.iter().filter_map(|&i| files.open[i].clone()).collect();
            (dirty, handles)
        };
        // One sync per file covers both handles: they share the inode.
        for f in &handles {
            if let Err(e) = f.file.sync_data() {
                self.lock().dirty.extend(dirty);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Flushes every staged file there is, whichever run wrote it.
    pub fn flush_all(&self) -> io::Result<()> {
        for (rel, _) in &self.sizes {
            match OpenOptions::new().write(true).open(relpath::join(&self.staging, rel)) {
                Ok(f) => f.sync_data()?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Creates the files that have no chunks (empty files), flushes everything (also what an
    /// earlier run wrote) and closes the files: the staging folder then holds the whole version,
    /// durably.
    pub fn finish(&self) -> io::Result<()> {
        for (i, (_, size)) in self.sizes.iter().enumerate() {
            if *size == 0 {
                self.file(i).map_err(|e| match e {
                    StoreError::Io(e) => e,
                    other => io::Error::other(other.to_string()),
                })?;
            }
        }
        self.flush()?;
        self.flush_all()?;
        let mut files = self.lock();
        files.open.iter_mut().for_each(|f| *f = None);
        files.closed = true;
        drop(files);
        sync_tree(&self.staging)
    }

    /// Stops all writing (a chunk still being written lands in a file about to be removed, or
    /// fails), then removes the staging folder.
    pub fn discard(&self) -> io::Result<()> {
        let mut files = self.lock();
        files.closed = true;
        files.open.iter_mut().for_each(|f| *f = None);
        drop(files);
        remove_staging(&self.staging)
    }
}

/// Removes a staging folder if it exists.
pub fn remove_staging(staging: &Path) -> io::Result<()> {
    match fs::remove_dir_all(staging) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Bytes a download still needs on disk: its file sizes minus what staged files already hold.
pub fn space_needed(root: &Path, manifest: &Manifest) -> u64 {
    let staging = root.join(STAGING_DIR);
    manifest
        .files
        .iter()
        .map(|f| {
            let have = fs::symlink_metadata(relpath::join(&staging, &f.path)).map_or(0, |m| m.len().min(f.size));
            f.size - have
        })
        .sum()
}

/// Free bytes on the file system holding `path` (or its nearest existing ancestor).
pub fn available_space(path: &Path) -> io::Result<u64> {
    let mut at = path;
    loop {
        if at.exists() {
            return fs4::available_space(at);
        }
        at = at.parent().ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
    }
}

fn allocate(file: &File, size: u64) -> io::Result<()> {
    match file.allocate(size) {
        Ok(()) => Ok(()),
        // A file system without preallocation (some network and FUSE ones): a sparse file.
        Err(e) if e.kind() == io::ErrorKind::Unsupported || e.raw_os_error() == Some(95) => file.set_len(size),
        Err(e) => Err(e),
    }
}

/// `EINVAL`, which a file system answers to direct IO it does not support.
const EINVAL: i32 = 22;

/// A second handle on `path` that bypasses the page cache, if the file system allows it.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).custom_flags(libc::O_DIRECT).open(path).ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path) -> Option<File> {
    None
}

#[cfg(unix)]
fn write_at(f: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, bytes, offset)
}

#[cfg(windows)]
fn write_at(f: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = f.seek_write(bytes, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = f.seek_read(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Flushes every folder under (and including) `dir`, so renames and creations inside are durable.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    crate::state::sync_dir(dir)
}

/// The commit intent: what the swap into the root must do, saved before its first step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitIntent {
    /// Files of the previous version that the new one does not have: removed by the commit.
    pub obsolete: Vec<String>,
}

/// Moves a finished download from the staging folder into `root`, `version.ini` last. Each step
/// can be run again after a crash: files already moved are not in the staging folder any more.
///
/// 1. remove the root `version.ini` (the game stops counting as downloaded) and flush the root;
/// 2. move every staged file except `version.ini` over its place in the root;
/// 3. remove the previous version's files that the new one lacks;
/// 4. move `version.ini` into place and flush the root: the game is downloaded again;
/// 5. remove the staging folder.
pub fn commit(root: &Path, manifest: &Manifest, intent: &CommitIntent) -> io::Result<()> {
    let staging = root.join(STAGING_DIR);
    let staged_version = staging.join(VERSION_FILE);
    let root_version = root.join(VERSION_FILE);
    // Whatever could stop the swap halfway is found before the old version is touched.
    check_targets(root, manifest)?;
    if staged_version.exists() {
        match retry_for(OLD_FILE_PATIENCE, || fs::remove_file(&root_version)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        crate::state::sync_dir(root)?;
    }
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    for f in manifest.files.iter().filter(|f| f.path != VERSION_FILE) {
        let from = relpath::join(&staging, &f.path);
        if !from.exists() {
            continue;
        }
        let to = relpath::join(root, &f.path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
            touched.insert(parent.to_owned());
        }
        retry_for(OLD_FILE_PATIENCE, || fs::rename(&from, &to))?;
    }
    let new_keys: HashSet<String> = manifest.files.iter().map(|f| relpath::collision_key(&f.path)).collect();
    for rel in &intent.obsolete {
        // A file the new version has under another case is the new file on Windows.
        if relpath::validate(rel).is_err() || new_keys.contains(&relpath::collision_key(rel)) {
            continue;
        }
        let path = relpath::join(root, rel);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            retry_for(OLD_FILE_PATIENCE, || fs::remove_file(&path))?;
            remove_empty_parents(root, &path);
        }
    }
    for dir in &touched {
        crate::state::sync_dir(dir)?;
    }
    if staged_version.exists() {
        fs::rename(&staged_version, &root_version)?;
    }
    crate::state::sync_dir(root)?;
    remove_staging(&staging)
}

/// How long a commit waits for a file of the previous version to be let go. On Windows a file
/// open for reading cannot be replaced or removed on file systems without POSIX rename (FAT32,
/// exFAT, NTFS before Windows 10 1607 semantics): a peer's upload of the old version still
/// running when the game left the share holds it for the rest of one chunk, seconds at most.
/// On Linux and macOS a rename or removal never waits for readers.
const OLD_FILE_PATIENCE: Duration = if cfg!(windows) { Duration::from_secs(15) } else { Duration::ZERO };

/// Runs `step` (a rename over, or a removal of, a previous version's file), again with growing
/// pauses while it fails for another reason than the file being gone, for up to `patience`.
fn retry_for<T>(patience: Duration, mut step: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_millis(20);
    loop {
        match step() {
            Err(e) if e.kind() != io::ErrorKind::NotFound && Instant::now() + pause <= deadline => {
                tracing::debug!(error = %e, "a previous version's file is still in use; trying again");
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            done => return done,
        }
    }
}

/// Checks that every file of `manifest` can take its place in `root`: no folder where a file
/// goes, no file where a folder goes.
fn check_targets(root: &Path, manifest: &Manifest) -> io::Result<()> {
    for f in &manifest.files {
        let mut at = root.to_path_buf();
        let parts: Vec<&str> = f.path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let Ok(meta) = fs::symlink_metadata(&at) else { break };
            let last = i + 1 == parts.len();
            let wrong = if last { meta.is_dir() } else { !meta.is_dir() || meta.file_type().is_symlink() };
            if wrong {
                let what = if last {
                    "a folder where the new version has a file"
                } else {
                    "a file or link where the new version has a folder"
                };
                return Err(io::Error::other(format!("{} is {what}: move it away, then download again", at.display())));
            }
        }
    }
    Ok(())
}

/// Removes the folders above `path` that became empty, up to (not including) `root`.
fn remove_empty_parents(root: &Path, path: &Path) {
    let mut at = path.parent();
    while let Some(dir) = at {
        if dir == root || !dir.starts_with(root) || fs::remove_dir(dir).is_err() {
            break;
        }
        at = dir.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::GameId;
    use crate::library::manifest::file_hash;
    use crate::library::{FileEntry, Hash};

    fn entry(path: &str, data: &[u8]) -> FileEntry {
        let chunks: Vec<Hash> = data.chunks(CHUNK_SIZE as usize).map(Hash::of).collect();
        FileEntry { path: path.into(), size: data.len() as u64, hash: file_hash(data.len() as u64, &chunks), chunks }
    }

    fn manifest(files: &[(&str, &[u8])]) -> Manifest {
        Manifest::new(GameId::new("g").unwrap(), "2".into(), files.iter().map(|(p, d)| entry(p, d)).collect())
    }

    #[test]
    fn a_step_on_a_file_in_use_is_tried_again_until_it_succeeds_or_patience_ends() {
        let busy = || io::Error::from(io::ErrorKind::PermissionDenied);
        let mut tries = 0;
        let done = retry_for(Duration::from_secs(5), || {
            tries += 1;
            if tries < 3 { Err(busy()) } else { Ok(tries) }
        });
        assert_eq!(done.unwrap(), 3);

        let mut tries = 0;
        let gone = retry_for(Duration::from_secs(5), || -> io::Result<()> {
            tries += 1;
            Err(io::ErrorKind::NotFound.into())
        });
        assert_eq!((gone.unwrap_err().kind(), tries), (io::ErrorKind::NotFound, 1), "a missing file is final");

        let mut tries = 0;
        let failed = retry_for(Duration::ZERO, || -> io::Result<()> {
            tries += 1;
            Err(busy())
        });
        assert_eq!((failed.unwrap_err().kind(), tries), (io::ErrorKind::PermissionDenied, 1), "no patience, one try");
    }

    #[test]
    fn layout_maps_both_ways_and_skips_empty_files() {
        let big = vec![7u8; (CHUNK_SIZE * 2 + 1) as usize];
        let m = manifest(&[("a", &big), ("b", b""), ("c", b"x")]);
        let l = Layout::new(&m);
        assert_eq!(l.total(), 4);
        for (i, id) in [(0, (0, 0)), (1, (0, 1)), (2, (0, 2)), (3, (2, 0))] {
            assert_eq!(l.chunk(i), Some(id));
            assert_eq!(l.index(id), i);
        }
        assert_eq!(l.chunk(4), None);
    }

    /// Chunks in page-aligned buffers take the direct path where the file system allows it;
    /// what lands must be the same bytes either way, tails and small files included.
    #[test]
    fn aligned_chunks_land_whole_with_their_unaligned_tails() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("g");
        // Sizes: a chunk and a partial page, a page and a bit, under a page.
        let big: Vec<u8> = (0..CHUNK_SIZE + 5000).map(|i| (i % 253) as u8).collect();
        let mid: Vec<u8> = (0..4096 + 1).map(|i| (i % 7) as u8).collect();
        let small = b"tiny".to_vec();
        let m = manifest(&[("big", &big), ("mid", &mid), ("small", &small)]);
        let store = Store::open(&root, &m).unwrap();
        let mut buf = ChunkBuf::new();
        assert_eq!(buf.fill(1).as_ptr().align_offset(DIRECT_ALIGN), 0);
        for (id, bytes) in [
            ((0, 1), &big[CHUNK_SIZE as usize..]),
            ((0, 0), &big[..CHUNK_SIZE as usize]),
            ((1, 0), &mid[..]),
            ((2, 0), &small[..]),
        ] {
            buf.fill(bytes.len()).copy_from_slice(bytes);
            store.write_chunk(id, buf.bytes()).unwrap();
        }
        store.finish().unwrap();
        let staging = root.join(STAGING_DIR);
        assert_eq!(fs::read(staging.join("big")).unwrap(), big);
        assert_eq!(fs::read(staging.join("mid")).unwrap(), mid);
        assert_eq!(fs::read(staging.join("small")).unwrap(), small);
    }

    #[test]
    fn chunks_land_at_their_offsets_and_commit_swaps_version_ini_last() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("g");
        fs::create_dir_all(root.join("local")).unwrap();
        fs::write(root.join("local/save.dat"), b"mine").unwrap();
        fs::write(root.join("old.rar"), b"old").unwrap();
        fs::write(root.join("Keep.txt"), b"user").unwrap();
        fs::write(root.join("version.ini"), b"1").unwrap();
        let big: Vec<u8> = (0..CHUNK_SIZE + 10).map(|i| (i % 251) as u8).collect();
        let m = manifest(&[("data/g.rar", &big), ("empty", b""), ("version.ini", b"2")]);
        let store = Store::open(&root, &m).unwrap();
        // Second chunk first: offsets, not arrival order.
        store.write_chunk((0, 1), &big[CHUNK_SIZE as usize..]).unwrap();
        store.write_chunk((0, 0), &big[..CHUNK_SIZE as usize]).unwrap();
        store.write_chunk((2, 0), b"2").unwrap();
        assert_eq!(store.read_chunk((0, 1)).unwrap(), &big[CHUNK_SIZE as usize..]);
        store.finish().unwrap();
        assert_eq!(fs::read(root.join("version.ini")).unwrap(), b"1", "old version intact until commit");
        let intent = CommitIntent { obsolete: vec!["old.rar".into(), "../escape".into()] };
        commit(&root, &m, &intent).unwrap();
        assert_eq!(fs::read(root.join("data/g.rar")).unwrap(), big);
        assert_eq!(fs::read(root.join("version.ini")).unwrap(), b"2");
        assert!(root.join("empty").is_file());
        assert!(!root.join("old.rar").exists());
        assert_eq!(fs::read(root.join("Keep.txt")).unwrap(), b"user");
        assert_eq!(fs::read(root.join("local/save.dat")).unwrap(), b"mine");
        assert!(!root.join(STAGING_DIR).exists());
        // Running it again (a crash after the last step) changes nothing.
        commit(&root, &m, &intent).unwrap();
        assert_eq!(fs::read(root.join("version.ini")).unwrap(), b"2");
    }

    #[test]
    fn a_commit_interrupted_midway_is_finished_by_running_it_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("g");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("version.ini"), b"1").unwrap();
        let m = manifest(&[("a.rar", b"aa"), ("b.rar", b"bb"), ("version.ini", b"2")]);
        let store = Store::open(&root, &m).unwrap();
        for (i, d) in [(0u32, &b"aa"[..]), (1, b"bb"), (2, b"2")] {
            store.write_chunk((i, 0), d).unwrap();
        }
        store.finish().unwrap();
        // Crash after step 1 and half of step 2.
        fs::remove_file(root.join("version.ini")).unwrap();
        fs::rename(root.join(STAGING_DIR).join("a.rar"), root.join("a.rar")).unwrap();
        assert!(!root.join("version.ini").exists(), "never looks complete mid-commit");
        commit(&root, &m, &CommitIntent { obsolete: vec![] }).unwrap();
        for (p, d) in [("a.rar", &b"aa"[..]), ("b.rar", b"bb"), ("version.ini", b"2")] {
            assert_eq!(fs::read(root.join(p)).unwrap(), d);
        }
    }

    #[test]
    fn discard_removes_the_staging_folder_and_stops_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("g");
        let m = manifest(&[("a.rar", b"aa"), ("b.rar", b"bb")]);
        let store = Store::open(&root, &m).unwrap();
        store.write_chunk((0, 0), b"aa").unwrap();
        assert_eq!(space_needed(&root, &m), 2, "a.rar is allocated");
        store.discard().unwrap();
        assert!(!root.join(STAGING_DIR).exists());
        assert!(matches!(store.write_chunk((1, 0), b"bb"), Err(StoreError::Closed)));
        assert!(!root.join(STAGING_DIR).exists());
        assert!(available_space(&root.join("missing/deeper")).unwrap() > 0);
    }
}
