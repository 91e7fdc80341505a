//! Scanning the games folder: which roots are games, which are downloaded and installed, and
//! the manifest of each shareable one.
//!
//! A scan is blocking work in three steps: inspect every root (metadata, `version.ini`,
//! `local/`, the list of files with their stamps), hash the files the cache does not know on
//! every core, then build manifests. Nothing here follows a symbolic link or writes inside the
//! games folder.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::cache::{CacheEntry, HashCache, Stamp};
use super::hasher::{self, HashJob};
use super::manifest::{FileEntry, Manifest, file_hash};
use super::{GAME_JSON, LOCAL_DIR, RESERVED_PREFIX, VERSION_FILE};
use crate::catalog::{self, Catalog, GameId, GameMeta};
use crate::relpath;

/// Largest `version.ini` read, in bytes.
const MAX_VERSION_INI_BYTES: u64 = 4096;
/// Files that operating systems drop into folders on their own; never part of a game.
const JUNK_FILES: [&str; 3] = ["thumbs.db", "desktop.ini", ".ds_store"];
/// Files modified this close to the start of a scan are hashed but not cached: a file system
/// with coarse timestamps (FAT32 keeps 2 s) could see the file rewritten with the same size
/// and time after it was read, and the cache would then vouch for stale hashes.
const RACY_WINDOW_NS: i64 = 3_000_000_000;
/// How often hashing progress is reported per game.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Where a game's metadata came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum MetaSource {
    Catalog,
    GameJson,
    /// Sent by a peer (its `game.json`), for a game this machine's catalog lacks.
    Peer,
}

/// What the library knows about one game root.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalGame {
    pub id: GameId,
    pub meta: GameMeta,
    pub meta_source: MetaSource,
    /// The version in the root `version.ini`, when it holds one.
    pub version: Option<String>,
    /// The root `version.ini` exists: the download completed.
    pub is_downloaded: bool,
    /// `local/` exists: the game is installed.
    pub is_installed: bool,
    pub manifest: Option<Arc<Manifest>>,
    /// Why the game is not offered to peers, when it is not.
    pub unshareable: Option<String>,
}

impl LocalGame {
    pub fn is_shareable(&self) -> bool {
        self.unshareable.is_none() && self.manifest.is_some()
    }
}

/// A root of the games folder: a game, or something ignored with the reason.
#[derive(Clone, Debug, PartialEq)]
pub enum Root {
    Game(Box<LocalGame>),
    Ignored(String),
}

/// Why the games folder itself cannot be read. Never taken to mean the games are gone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GamesDirError {
    #[error("game folder {} does not exist (unplugged drive?): plug it in or choose another folder", .0.display())]
    Missing(PathBuf),
    #[error("game folder {} is not a folder: choose a folder", .0.display())]
    NotADirectory(PathBuf),
    #[error("game folder {} cannot be read ({reason}): check its permissions or choose another folder", path.display())]
    Unreadable { path: PathBuf, reason: String },
}

/// Checks the games folder can be listed.
pub fn check_games_dir(dir: &Path) -> Result<fs::ReadDir, GamesDirError> {
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(GamesDirError::Missing(dir.to_owned())),
        Err(e) => Err(GamesDirError::Unreadable { path: dir.to_owned(), reason: e.to_string() }),
        Ok(m) if !m.is_dir() => Err(GamesDirError::NotADirectory(dir.to_owned())),
        Ok(_) => {
            fs::read_dir(dir).map_err(|e| GamesDirError::Unreadable { path: dir.to_owned(), reason: e.to_string() })
        }
    }
}

/// What to scan.
#[derive(Debug)]
pub struct ScanRequest<'a> {
    pub games_dir: &'a Path,
    pub catalog: &'a Catalog,
    /// Games with an operation running: not walked, not shareable.
    pub busy: &'a HashSet<GameId>,
    /// Root names to scan; `None` scans the whole folder.
    pub only: Option<&'a BTreeSet<String>>,
    pub threads: usize,
    /// Set to stop hashing early (shutdown); the games being hashed come out unshareable.
    pub cancel: &'a AtomicBool,
}

/// Hashing progress of one game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashProgress {
    pub game: GameId,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// Counters of one scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanStats {
    pub roots: u64,
    pub files: u64,
    pub hashed_files: u64,
    pub hashed_bytes: u64,
}

/// The result of one scan.
#[derive(Debug)]
pub struct ScanOutput {
    /// `Err` when the games folder could not be listed; `roots` is then empty and means
    /// nothing about whether games exist.
    pub availability: Result<(), GamesDirError>,
    /// Scanned roots by folder name. With `only`, a requested name missing here is gone.
    pub roots: BTreeMap<String, Root>,
    /// Folders to watch for each scanned root name, and whether recursively.
    pub watch: BTreeMap<String, Vec<(PathBuf, bool)>>,
    /// Roots whose files changed while they were hashed: scan them again soon.
    pub unsettled: BTreeSet<String>,
    pub stats: ScanStats,
}

/// A file found in a root, before hashing.
struct Found {
    rel: String,
    abs: PathBuf,
    stamp: Stamp,
}

/// A game root after inspection: its state and, if it is to be hashed, its files.
struct Inspected {
    game: LocalGame,
    files: Vec<Found>,
    /// Entries vanished while the root was listed: scan it again soon.
    changing: bool,
}

/// Scans the games folder (or the roots in `req.only`), hashing what the cache lacks.
pub fn scan(req: &ScanRequest<'_>, cache: &mut HashCache, progress: &(dyn Fn(HashProgress) + Sync)) -> ScanOutput {
    let started_ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
    let cacheable_before_ns = started_ns - RACY_WINDOW_NS;
    let mut out = ScanOutput {
        availability: Ok(()),
        roots: BTreeMap::new(),
        watch: BTreeMap::new(),
        unsettled: BTreeSet::new(),
        stats: ScanStats::default(),
    };
    let names: Vec<std::ffi::OsString> = match check_games_dir(req.games_dir) {
        Err(e) => {
            out.availability = Err(e);
            return out;
        }
        Ok(entries) => match req.only {
            Some(only) => only.iter().map(Into::into).collect(),
            None => entries.filter_map(|e| e.ok().map(|e| e.file_name())).collect(),
        },
    };

    let mut inspected = Vec::new();
    for name in names {
        let Some(outcome) = inspect_root(req, &name) else { continue };
        let name = name.to_string_lossy().into_owned();
        out.stats.roots += 1;
        match outcome {
            RootOutcome::Ignored(reason, watch) => {
                out.watch.insert(name.clone(), watch);
                out.roots.insert(name, Root::Ignored(reason));
            }
            RootOutcome::Game(game, watch) => {
                out.watch.insert(name.clone(), watch);
                if game.changing {
                    out.unsettled.insert(name.clone());
                }
                inspected.push((name, *game));
            }
        }
    }

    // Hash what the cache does not know, all games in one batch so every core stays busy.
    let mut jobs = Vec::new();
    let mut totals: Vec<u64> = vec![0; inspected.len()];
    for (tag, (name, game)) in inspected.iter().enumerate() {
        for f in &game.files {
            out.stats.files += 1;
            if cache.get(&cache_key(name, &f.rel), f.stamp).is_none() {
                jobs.push(HashJob { path: f.abs.clone(), size: f.stamp.size, tag });
                totals[tag] += f.stamp.size;
            }
        }
    }
    let reporter = ProgressReporter::new(&inspected, &totals, progress);
    let results = hasher::hash_files(&jobs, req.threads, req.cancel, &|tag, n| reporter.add(tag, n));
    let cancelled = req.cancel.load(Ordering::Relaxed);
    let mut hashed: HashMap<PathBuf, io::Result<Vec<_>>> = HashMap::new();
    for (job, result) in jobs.iter().zip(results) {
        if result.is_ok() {
            out.stats.hashed_files += 1;
            out.stats.hashed_bytes += job.size;
        }
        hashed.insert(job.path.clone(), result);
    }

    let mut seen_keys = HashSet::new();
    for (name, Inspected { mut game, files, .. }) in inspected {
        if game.unshareable.is_none() && game.is_downloaded {
            let built = build_manifest(&name, &game, files, cache, &mut hashed, &mut seen_keys, cacheable_before_ns);
            match built {
                Ok(manifest) => game.manifest = Some(Arc::new(manifest)),
                Err(ManifestError::Changed) if !cancelled => {
                    out.unsettled.insert(name.clone());
                    game.unshareable = Some("files are changing; the game will be scanned again".into());
                }
                Err(ManifestError::Changed) => game.unshareable = Some("scan interrupted".into()),
                Err(ManifestError::Unreadable(reason)) => game.unshareable = Some(reason),
            }
        }
        out.roots.insert(name, Root::Game(Box::new(game)));
    }

    // Forget hashes of files that are gone from the roots this scan walked completely.
    let walked: HashSet<&str> = out
        .roots
        .iter()
        .filter(|(_, r)| matches!(r, Root::Game(g) if g.manifest.is_some()))
        .map(|(n, _)| n.as_str())
        .collect();
    let scanned: HashSet<&str> = match req.only {
        Some(only) => only.iter().map(String::as_str).collect(),
        None => HashSet::new(),
    };
    cache.retain(|key| {
        let root = key.split('/').next().unwrap_or_default();
        let root_gone = !out.roots.contains_key(root) && (req.only.is_none() || scanned.contains(root));
        seen_keys.contains(key) || !(walked.contains(root) || root_gone)
    });
    out
}

enum RootOutcome {
    Ignored(String, Vec<(PathBuf, bool)>),
    Game(Box<Inspected>, Vec<(PathBuf, bool)>),
}

/// Classifies one entry of the games folder. `None` when it no longer exists.
fn inspect_root(req: &ScanRequest<'_>, name: &OsStr) -> Option<RootOutcome> {
    let root = req.games_dir.join(name);
    let meta = match fs::symlink_metadata(&root) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(RootOutcome::Ignored(format!("cannot be read: {e}"), vec![])),
        Ok(m) => m,
    };
    let ignored = |reason: &str| Some(RootOutcome::Ignored(reason.to_owned(), vec![]));
    if meta.file_type().is_symlink() {
        return ignored("a symbolic link; game folders are not followed through links: move the game itself here");
    }
    if !meta.is_dir() {
        return ignored("not a folder; games are folders named by their id");
    }
    let root_watch = vec![(root.clone(), false)];
    let Some(name) = name.to_str() else {
        return Some(RootOutcome::Ignored("folder name is not valid UTF-8".into(), root_watch));
    };
    let ignored = |reason: String| Some(RootOutcome::Ignored(reason, root_watch.clone()));
    if name.starts_with('.') {
        return ignored("hidden folder".into());
    }
    let (meta, source) = match req.catalog.get(name) {
        Some(meta) => (meta.clone(), MetaSource::Catalog),
        None => {
            let game_json = root.join(GAME_JSON);
            if !fs::symlink_metadata(&game_json).is_ok_and(|m| m.is_file()) {
                return ignored(format!(
                    "`{name}` is not in the catalog and has no {GAME_JSON}: add it to the catalog or give it a {GAME_JSON}"
                ));
            }
            match catalog::load_game_json(&game_json) {
                Ok(meta) if meta.id.as_str() == name => (meta, MetaSource::GameJson),
                Ok(meta) => {
                    return ignored(format!(
                        "{}: id `{}` does not match the folder name `{name}`",
                        game_json.display(),
                        meta.id
                    ));
                }
                Err(e) => return ignored(e.to_string()),
            }
        }
    };

    let mut game = LocalGame {
        id: meta.id.clone(),
        meta,
        meta_source: source,
        version: None,
        is_downloaded: false,
        is_installed: fs::symlink_metadata(root.join(LOCAL_DIR)).is_ok_and(|m| m.is_dir()),
        manifest: None,
        unshareable: None,
    };
    match read_version_ini(&root.join(VERSION_FILE)) {
        VersionIni::Missing => {
            game.unshareable = Some(format!("not fully downloaded: no {VERSION_FILE} at the game root"));
        }
        VersionIni::Invalid(reason) => {
            game.is_downloaded = true;
            game.unshareable = Some(reason);
        }
        VersionIni::Version(v) => {
            game.is_downloaded = true;
            game.version = Some(v);
        }
    }
    if req.busy.contains(&game.id) {
        game.unshareable = Some("an operation is running on this game".into());
    }

    let mut files = Vec::new();
    let mut watch = root_watch;
    let mut changing = false;
    match list_root(&root) {
        Ok(listing) => {
            changing = listing.changing;
            watch.extend(listing.subdirs.into_iter().map(|d| (d, true)));
            if game.unshareable.is_none() {
                match listing.files {
                    Ok(found) => files = found,
                    Err(reason) => game.unshareable = Some(reason),
                }
            }
        }
        Err(e) => game.unshareable = Some(format!("cannot list {}: {e}", root.display())),
    }
    Some(RootOutcome::Game(Box::new(Inspected { game, files, changing }), watch))
}

enum VersionIni {
    Missing,
    Invalid(String),
    Version(String),
}

/// Reads the version from a root `version.ini`: the value of a `version=` line if there is
/// one, else the first line that is not blank, a comment or a `[section]`.
fn read_version_ini(path: &Path) -> VersionIni {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return VersionIni::Missing,
        Err(e) => return VersionIni::Invalid(format!("cannot read {}: {e}", path.display())),
        Ok(m) => m,
    };
    if !meta.is_file() {
        return VersionIni::Invalid(format!("{} is not a regular file", path.display()));
    }
    let mut bytes = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(MAX_VERSION_INI_BYTES).read_to_end(&mut bytes));
    if let Err(e) = read {
        return VersionIni::Invalid(format!("cannot read {}: {e}", path.display()));
    }
    let text = decode_text(&bytes);
    match parse_version_ini(&text) {
        Some(v) => match catalog::check_version(&v) {
            Ok(()) => VersionIni::Version(v),
            Err(e) => VersionIni::Invalid(format!("{}: {e}", path.display())),
        },
        None => {
            VersionIni::Invalid(format!("{} holds no version: write the version on its first line", path.display()))
        }
    }
}

/// The version a `version.ini`'s bytes carry, read as the library reads it (UTF-16 with a
/// byte-order mark, or UTF-8).
pub fn version_of(bytes: &[u8]) -> Option<String> {
    let bytes = &bytes[..bytes.len().min(MAX_VERSION_INI_BYTES as usize)];
    parse_version_ini(&decode_text(bytes))
}

/// Text of a small file as Windows tools write it: UTF-16 with a byte-order mark, or UTF-8
/// (invalid sequences, such as one cut at the size limit, become U+FFFD).
fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |be: bool| {
        let units = bytes[2..]
            .chunks_exact(2)
            .map(|p| if be { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) });
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The version a `version.ini` text carries (see [`read_version_ini`]): a `version=` value, or
/// else the first line that is not a comment, a `[section]` or another `key=value`.
pub fn parse_version_ini(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with([';', '#', '[']));
    let mut first = None;
    for line in lines {
        match line.split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("version") => return Some(value.trim().to_owned()),
            Some(_) => {}
            None => {
                first.get_or_insert(line);
            }
        }
    }
    first.map(str::to_owned)
}

struct Listing {
    /// Top-level folders other than `local/` and reserved ones, to watch recursively.
    subdirs: Vec<PathBuf>,
    /// Files to transfer, or why the game cannot be shared as it is.
    files: Result<Vec<Found>, String>,
    /// Something vanished between listing a folder and looking at it: a copy or delete is
    /// under way.
    changing: bool,
    /// Every plain file found, even when `files` is an error.
    all_files: Vec<String>,
}

/// Every plain file of a downloaded game's root (relative, `/`-separated), as the scan walks
/// it, whether or not the game could be shared: an update removes those the new version lacks.
/// Best effort: what cannot be listed is left out.
pub fn root_files(root: &Path) -> Vec<String> {
    list_root(root).map(|listing| listing.all_files).unwrap_or_default()
}

/// Walks a game root without following links: every file to transfer, skipping `local/`,
/// reserved `.lanparty*` names and operating-system junk. Only a root that cannot be listed at
/// all is an `Err`; any other problem names its own path in `files`.
fn list_root(root: &Path) -> io::Result<Listing> {
    let mut subdirs = Vec::new();
    let mut files = Vec::new();
    let mut problem = None;
    let mut changing = false;
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if depth == 0 => return Err(e),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                changing = true;
                continue;
            }
            Err(e) => {
                problem.get_or_insert(format!("cannot list {prefix}: {e}"));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problem.get_or_insert(format!("cannot list {}: {e}", dir.display()));
                    continue;
                }
            };
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                problem
                    .get_or_insert(format!("{} has a name that is not valid UTF-8: rename it", entry.path().display()));
                continue;
            };
            let lower = name.to_lowercase();
            if depth == 0 && (name == LOCAL_DIR || lower.starts_with(RESERVED_PREFIX)) {
                continue;
            }
            if JUNK_FILES.contains(&lower.as_str()) {
                continue;
            }
            let rel = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
            // `DirEntry::metadata` does not follow links.
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    changing = true;
                    continue;
                }
                Err(e) => {
                    problem.get_or_insert(format!("cannot read {rel}: {e}"));
                    continue;
                }
            };
            if meta.is_dir() {
                if depth == 0 {
                    subdirs.push(entry.path());
                }
                if depth + 1 >= relpath::MAX_DEPTH {
                    problem.get_or_insert(format!("{rel} is nested too deeply"));
                    continue;
                }
                stack.push((entry.path(), rel, depth + 1));
            } else if meta.is_file() {
                files.push(Found { rel, abs: entry.path(), stamp: Stamp::of(&meta) });
            } else {
                problem.get_or_insert(format!(
                    "{rel} is a symbolic link or special file; games are shared as plain files only: replace it with the file itself"
                ));
            }
        }
    }
    let all_files = files.iter().map(|f| f.rel.clone()).collect();
    let files = match problem {
        Some(p) => Err(p),
        None => check_names(&files).map(|()| files),
    };
    Ok(Listing { subdirs, files, changing, all_files })
}

/// Every name must be storable on every platform, and unique there.
fn check_names(files: &[Found]) -> Result<(), String> {
    let mut keys = HashMap::new();
    for f in files {
        relpath::validate(&f.rel).map_err(|e| format!("{} cannot be shared with Windows peers: {e}", f.rel))?;
        let key = relpath::collision_key(&f.rel);
        if key.split('/').next() == Some(LOCAL_DIR) {
            return Err(format!("{} collides with the install folder `{LOCAL_DIR}/` on Windows: rename it", f.rel));
        }
        if let Some(other) = keys.insert(key, &f.rel) {
            return Err(format!("{} and {other} are the same file on Windows: rename one", f.rel));
        }
    }
    Ok(())
}

enum ManifestError {
    /// A file changed while it was hashed.
    Changed,
    Unreadable(String),
}

fn build_manifest(
    name: &str,
    game: &LocalGame,
    files: Vec<Found>,
    cache: &mut HashCache,
    hashed: &mut HashMap<PathBuf, io::Result<Vec<super::Hash>>>,
    seen_keys: &mut HashSet<String>,
    cacheable_before_ns: i64,
) -> Result<Manifest, ManifestError> {
    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let key = cache_key(name, &f.rel);
        let (hash, chunks) = match cache.get(&key, f.stamp) {
            Some(hit) => (hit.hash, hit.chunks.clone()),
            None => {
                let chunks = match hashed.remove(&f.abs) {
                    Some(Ok(chunks)) => chunks,
                    Some(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(ManifestError::Changed),
                    Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => return Err(ManifestError::Changed),
                    Some(Err(e)) => {
                        return Err(ManifestError::Unreadable(format!(
                            "cannot read {}: {e}: fix its permissions or remove it",
                            f.rel
                        )));
                    }
                    None => return Err(ManifestError::Changed),
                };
                // The stamp before and after hashing must agree, or the hashes describe
                // bytes that are no longer there.
                match fs::symlink_metadata(&f.abs) {
                    Ok(m) if Stamp::of(&m) == f.stamp => {}
                    _ => return Err(ManifestError::Changed),
                }
                let hash = file_hash(f.stamp.size, &chunks);
                if f.stamp.mtime_ns < cacheable_before_ns {
                    cache.insert(key.clone(), CacheEntry { stamp: f.stamp, hash, chunks: chunks.clone() });
                }
                (hash, chunks)
            }
        };
        seen_keys.insert(key);
        entries.push(FileEntry { path: f.rel, size: f.stamp.size, hash, chunks });
    }
    let version = game.version.clone().unwrap_or_default();
    Ok(Manifest::new(game.id.clone(), version, entries))
}

/// Puts the hashes of `manifest`'s files, as they now lie under `games_dir/root`, into the
/// cache: a download has just verified every chunk of them, so the next scan need not read them
/// again. A file whose size differs from the manifest's is left to the scan.
pub fn seed_cache(cache: &mut HashCache, games_dir: &Path, root: &str, manifest: &crate::library::Manifest) {
    let dir = games_dir.join(root);
    for f in &manifest.files {
        let Ok(meta) = fs::symlink_metadata(crate::relpath::join(&dir, &f.path)) else { continue };
        let stamp = Stamp::of(&meta);
        if meta.is_file() && stamp.size == f.size {
            cache.insert(cache_key(root, &f.path), CacheEntry { stamp, hash: f.hash, chunks: f.chunks.clone() });
        }
    }
}

fn cache_key(root: &str, rel: &str) -> String {
    format!("{root}/{rel}")
}

/// Turns per-chunk progress from the hashing threads into at most a few events a second per
/// game, plus one when a game's hashing completes.
struct ProgressReporter<'a> {
    games: Vec<(GameId, u64, AtomicU64, Mutex<Option<Instant>>)>,
    sink: &'a (dyn Fn(HashProgress) + Sync),
}

impl<'a> ProgressReporter<'a> {
    fn new(
        inspected: &[(String, Inspected)],
        totals: &[u64],
        sink: &'a (dyn Fn(HashProgress) + Sync),
    ) -> ProgressReporter<'a> {
        let games = inspected
            .iter()
            .zip(totals)
            .map(|((_, i), total)| (i.game.id.clone(), *total, AtomicU64::new(0), Mutex::new(None)))
            .collect();
        ProgressReporter { games, sink }
    }

    fn add(&self, tag: usize, n: u64) {
        let (game, total, done, last) = &self.games[tag];
        let done = done.fetch_add(n, Ordering::Relaxed) + n;
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if due || done == *total {
            *last = Some(Instant::now());
            (self.sink)(HashProgress { game: game.clone(), bytes_done: done, bytes_total: *total });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_files_lists_an_unshareable_root_too_but_never_local_or_reserved_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for rel in ["game.part1.rar", "data/Old.pak", "version.ini", "local/save.dat", ".lanparty-staging/x"] {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        // Two names that collide on Windows make the game unshareable, not unlisted.
        fs::write(root.join("data/old.pak"), "x").unwrap();
        assert!(list_root(root).unwrap().files.is_err());
        let mut files = root_files(root);
        files.sort();
        assert_eq!(files, ["data/Old.pak", "data/old.pak", "game.part1.rar", "version.ini"]);
    }

    #[test]
    fn version_ini_forms() {
        assert_eq!(parse_version_ini("1.2.3\n"), Some("1.2.3".into()));
        assert_eq!(parse_version_ini("\u{feff}[Game]\r\nname=x\r\nVersion = 20240101\r\n"), Some("20240101".into()));
        assert_eq!(parse_version_ini("; comment\n\n  0.8.8  \n"), Some("0.8.8".into()));
        assert_eq!(parse_version_ini("[only]\n# nothing\n"), None);
        assert_eq!(parse_version_ini("[Game]\nname=Quake\n"), None);
        assert_eq!(parse_version_ini("name=Quake\n1.09\n"), Some("1.09".into()));
    }

    #[test]
    fn text_decoding_handles_windows_encodings() {
        let utf16le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("2.1\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(parse_version_ini(&decode_text(&utf16le)), Some("2.1".into()));
        let utf16be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("2.2".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(parse_version_ini(&decode_text(&utf16be)), Some("2.2".into()));
        assert_eq!(decode_text(&[b'1', 0xE2, 0x82]), "1\u{fffd}");
        assert_eq!(parse_version_ini(""), None);
    }
}
