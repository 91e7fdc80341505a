//! One download, from choosing its sources to the commit: the IO around the pure planner.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::client::{self, ChunkRequest, FetchError};
use super::journal::Journal;
use super::plan::{ChunkId, Planner};
use super::progress::RateMeter;
use super::store::{self, ChunkBuf, CommitIntent, Layout, STAGING_DIR, Store, StoreError};
use super::{DownloadError, Env, Kind, OpGuard, PeerBytes, PeerRate, Record, Started, StatePaths, human_bytes, verify};
use crate::catalog::GameId;
use crate::identity::PeerId;
use crate::library::manifest::chunk_len;
use crate::library::{CHUNK_SIZE, Hash, Manifest, VERSION_FILE};
use crate::problem::Explain;
use crate::remote::compare_versions;
use crate::runtime::Event;

/// Chunk requests in flight at once per download: each holds one chunk buffer, so this bounds
/// a download's memory to `MAX_IN_FLIGHT × CHUNK_SIZE` (32 MiB).
pub const MAX_IN_FLIGHT: usize = 8;
/// How often progress is reported (at most twice a second).
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How often staged files are flushed and the journal checkpointed.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// How long a download waits for a source when all have left, or at resume after a start.
const SOURCE_WAIT: Duration = Duration::from_secs(30);
/// A peer whose connection failed is not asked again for this long.
const COOLDOWN: Duration = Duration::from_secs(2);
/// Requests a peer may refuse in a row before it is left out of this download.
const MAX_REFUSALS: u32 = 5;

/// Which version to fetch and from whom: pure, decided from what peers advertise.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target<P> {
    /// Continue the download recorded in the state dir.
    Resume { sources: Vec<P> },
    /// Start afresh (dropping any recorded partial download of another version).
    Fresh { version: String, hash: Hash, sources: Vec<P>, drop_partial: bool },
}

/// Decides what a `download` or `update` of `game` fetches. `partial` is the recorded download,
/// `local` the version downloaded here, `copies` each peer's (version, manifest hash).
pub(crate) fn decide<P: Clone>(
    game: &GameId,
    kind: Kind,
    partial: Option<&Record>,
    local: Option<&str>,
    copies: &[(P, String, Hash)],
) -> Result<Target<P>, DownloadError> {
    if let Some(record) = partial {
        let sources: Vec<P> =
            copies.iter().filter(|(_, _, h)| *h == record.manifest_hash).map(|(p, _, _)| p.clone()).collect();
        if !sources.is_empty() {
            return Ok(Target::Resume { sources });
        }
    }
    let latest = copies.iter().map(|(_, v, _)| v.as_str()).max_by(|a, b| compare_versions(a, b));
    let Some(latest) = latest.map(str::to_owned) else {
        return Err(DownloadError::NoSource { game: game.clone() });
    };
    match (kind, local) {
        (Kind::Download, Some(version)) if partial.is_none() => {
            return Err(DownloadError::AlreadyDownloaded { game: game.clone(), version: version.to_owned() });
        }
        (Kind::Update, None) if partial.is_none() => return Err(DownloadError::NotDownloaded { game: game.clone() }),
        (Kind::Update, Some(version)) if compare_versions(&latest, version).is_le() => {
            return Err(DownloadError::UpToDate { game: game.clone(), version: version.to_owned() });
        }
        _ => {}
    }
    let votes: Vec<(P, Hash)> =
        copies.iter().filter(|(_, v, _)| *v == latest).map(|(p, _, h)| (p.clone(), *h)).collect();
    let (hash, sources) = verify::choose(game, &latest, &votes)?;
    Ok(Target::Fresh { version: latest, hash, sources, drop_partial: partial.is_some() })
}

/// Every connected peer's copy of `game`: (peer, version, manifest hash).
fn copies_of(env: &Env, game: &GameId) -> Vec<(PeerId, String, Hash)> {
    let remote = env.net.remote();
    remote
        .peers
        .iter()
        .filter_map(|p| {
            let g = p.library.games.iter().find(|g| &g.id == game)?;
            Some((p.peer_id, g.version.clone(), g.manifest_hash))
        })
        .collect()
}

fn read_record(paths: &StatePaths) -> Option<Record> {
    std::fs::read(paths.record()).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    crate::state::write_atomic(path, &bytes)
}

/// A download ready to transfer: sources chosen, manifest checked, space found, files staged.
pub(crate) struct Prepared {
    game: GameId,
    record: Record,
    manifest: Arc<Manifest>,
    root: PathBuf,
    paths: StatePaths,
    store: Arc<Store>,
    journal: Journal,
    /// Chunks verified by earlier runs.
    done: Vec<u32>,
    sources: Vec<PeerId>,
}

impl Prepared {
    pub fn started(&self) -> Started {
        let layout = Layout::new(&self.manifest);
        Started {
            game: self.game.to_string(),
            version: self.record.version.clone(),
            update: self.record.update,
            bytes_total: self.manifest.size(),
            bytes_done: done_bytes(&self.manifest, &layout, &self.done),
        }
    }
}

fn done_bytes(manifest: &Manifest, layout: &Layout, done: &[u32]) -> u64 {
    done.iter()
        .filter_map(|&i| layout.chunk(i))
        .map(|(f, c)| chunk_len(manifest.files[f as usize].size, c.into()))
        .sum()
}

fn io_error(game: &GameId, path: &Path, e: impl std::fmt::Display) -> DownloadError {
    DownloadError::Io { game: game.clone(), path: path.display().to_string(), reason: e.to_string() }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Chooses sources and a manifest, checks space, marks the game busy and opens the staging
/// folder and journal. When `resuming` at start, waits (up to [`SOURCE_WAIT`]) for a source.
/// A `cancel` during the waits (for a source, for the manifest) ends it with
/// [`DownloadError::Cancelled`] before anything is written; one after them is seen by [`run`]
/// at once.
pub(crate) async fn prepare(
    env: &Env,
    game: &GameId,
    kind: Kind,
    cancel: &CancellationToken,
    resuming: bool,
) -> Result<Prepared, DownloadError> {
    let cancelled = || DownloadError::Cancelled { game: game.clone() };
    let paths = StatePaths::new(&env.downloads_dir, game);
    let partial = read_record(&paths);
    let local = env.library.game(game).await.map_err(|_| DownloadError::Stopped)?;
    let local_version = local.as_ref().filter(|g| g.is_downloaded).and_then(|g| g.version.clone());
    let deadline = Instant::now() + SOURCE_WAIT;
    let mut remote = env.net.watch_remote();
    let target = loop {
        let decided = decide(game, kind, partial.as_ref(), local_version.as_deref(), &copies_of(env, game));
        // Resuming after a start, only the recorded download will do: a peer with another
        // version may just have been found first.
        let decided = match decided {
            Ok(Target::Fresh { .. }) if resuming => Err(DownloadError::NoSource { game: game.clone() }),
            other => other,
        };
        match decided {
            Err(DownloadError::NoSource { .. }) if resuming && Instant::now() < deadline => {
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return Err(cancelled()),
                    _ = env.shutdown.cancelled() => return Err(DownloadError::Stopped),
                    _ = remote.changed() => {}
                    _ = tokio::time::sleep_until(deadline) => {}
                }
            }
            other => break other?,
        }
    };
    let root = env.games_dir.join(game.as_str());
    let (record, manifest, sources) = match target {
        Target::Resume { sources } => {
            let record = partial.clone().ok_or(DownloadError::Stopped)?;
            let bytes = std::fs::read(paths.manifest()).map_err(|e| io_error(game, &paths.manifest(), e))?;
            let manifest: Manifest =
                serde_json::from_slice(&bytes).map_err(|e| io_error(game, &paths.manifest(), e))?;
            verify::check(&manifest, game, &record.version, record.manifest_hash)?;
            (record, manifest, sources)
        }
        Target::Fresh { version, hash, sources, drop_partial } => {
            if drop_partial {
                discard(env, game).await;
            }
            // Only network reads so far: dropping the fetch on a cancel leaves nothing behind. A
            // cancel wins over a fetch that ended at the same moment, failed or not.
            let manifest = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(cancelled()),
                _ = env.shutdown.cancelled() => return Err(DownloadError::Stopped),
                manifest = fetch_manifest(env, game, &version, hash, &sources) => manifest?,
            };
            let new_keys: HashSet<String> =
                manifest.files.iter().map(|f| crate::relpath::collision_key(&f.path)).collect();
            // The previous version's files that the new one lacks: from its manifest, or, for a
            // version that could not be shared (so has none), from what its root holds.
            let old_files: Vec<String> = match local.as_ref().filter(|g| g.is_downloaded) {
                Some(g) => match g.manifest.as_ref() {
                    Some(m) => m.files.iter().map(|f| f.path.clone()).collect(),
                    None => {
                        let root = root.clone();
                        blocking(move || crate::library::scan::root_files(&root)).await
                    }
                },
                None => Vec::new(),
            };
            let obsolete =
                old_files.into_iter().filter(|path| !new_keys.contains(&crate::relpath::collision_key(path))).collect();
            let record = Record {
                game: game.clone(),
                version,
                manifest_hash: hash,
                update: local_version.is_some(),
                created_root: !root.exists(),
                obsolete,
                active: true,
            };
            (record, manifest, sources)
        }
    };

    crate::library::check_games_dir(&env.games_dir).map_err(|e| io_error(game, &env.games_dir, e))?;
    if let Ok(meta) = std::fs::symlink_metadata(&root) {
        if !meta.is_dir() {
            let e = "it is not a folder (a file or a link): move it away, then download again";
            return Err(io_error(game, &root, e));
        }
    }
    let need = store::space_needed(&root, &manifest);
    let have = store::available_space(&root).map_err(|e| io_error(game, &env.games_dir, e))?;
    if need > have {
        return Err(DownloadError::NoSpace {
            game: game.clone(),
            version: record.version.clone(),
            dir: env.games_dir.display().to_string(),
            need: human_bytes(need),
            have: human_bytes(have),
        });
    }

    // A new game's root is not shareable until it is whole anyway. An update's is: the version
    // there stays served to others (its files do not change while the new one is staged beside
    // them) until the commit, which takes it off first (see `run`).
    // The library may be in a full scan (minutes of hashing on a first start), which this waits
    // behind: a cancel ends the wait. A busy flag already asked for is cleared by the discard
    // that follows the cancel, asked after it.
    if !record.update {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(cancelled()),
            busy = env.library.set_busy(game, true) => busy.map_err(|_| DownloadError::Stopped)?,
        }
    }
    let manifest = Arc::new(manifest);
    // Running from here on (a resumed record may have been left inactive by a failure).
    let record = Record { active: true, ..record };
    let staged = {
        let (game, root, paths, manifest, record) =
            (game.clone(), root.clone(), paths.clone(), manifest.clone(), record.clone());
        blocking(move || open_staging(&game, &root, &paths, &manifest, &record)).await
    };
    match staged {
        Ok((store, journal, done)) => Ok(Prepared {
            game: game.clone(),
            record,
            manifest,
            root,
            paths,
            store: Arc::new(store),
            journal,
            done,
            sources,
        }),
        Err(e) => {
            // The record may already say running: a failure here must not be resumed at the next
            // start on its own (like every failure, only `download` resumes it).
            let stopped = Record { active: false, ..record };
            let record_path = paths.record();
            blocking(move || {
                if record_path.exists() {
                    let _ = write_json(&record_path, &stopped);
                }
            })
            .await;
            let _ = env.library.set_busy(game, false).await;
            Err(e)
        }
    }
}

/// Fetches the manifest for `hash` from the first source that sends a sound one.
async fn fetch_manifest(
    env: &Env,
    game: &GameId,
    version: &str,
    hash: Hash,
    sources: &[PeerId],
) -> Result<Manifest, DownloadError> {
    let remote = env.net.remote();
    let mut last = String::from("no source is connected");
    for source in sources {
        let Some(peer) = remote.peers.iter().find(|p| p.peer_id == *source) else { continue };
        match client::get_manifest(&peer.conn, game, version).await {
            Ok(manifest) => match verify::check(&manifest, game, version, hash) {
                Ok(()) => return Ok(manifest),
                // Every agreeing peer advertises this very manifest: its paths are the problem.
                Err(e @ verify::ManifestError::UnsafePath { .. }) => return Err(e.into()),
                Err(e) => last = format!("{}: {e}", peer.name),
            },
            Err(e) => last = format!("{}: {e}", peer.name),
        }
    }
    Err(DownloadError::ManifestFetch { game: game.clone(), version: version.to_owned(), reason: last })
}

/// Creates the root and staging folder, saves the record and manifest, and reads the journal:
/// chunks recorded after its last checkpoint are hashed again from the staged files.
fn open_staging(
    game: &GameId,
    root: &Path,
    paths: &StatePaths,
    manifest: &Manifest,
    record: &Record,
) -> Result<(Store, Journal, Vec<u32>), DownloadError> {
    std::fs::create_dir_all(&paths.dir).map_err(|e| io_error(game, &paths.dir, e))?;
    write_json(&paths.manifest(), manifest).map_err(|e| io_error(game, &paths.manifest(), e))?;
    write_json(&paths.record(), record).map_err(|e| io_error(game, &paths.record(), e))?;
    let store = Store::open(root, manifest).map_err(|e| io_error(game, root, e))?;
    let layout = Layout::new(manifest);
    let journal = Journal::read(&paths.journal(), &manifest.hash, layout.total()).unwrap_or_default();
    // A chunk counts only while its staged file is whole: a staging folder emptied by hand is
    // not trusted.
    let staged_ok = |file: u32| {
        let f = &manifest.files[file as usize];
        std::fs::metadata(crate::relpath::join(store.staging(), &f.path)).is_ok_and(|m| m.len() == f.size)
    };
    let mut done: Vec<u32> = Vec::new();
    for index in journal.durable {
        if layout.chunk(index).is_some_and(|(f, _)| staged_ok(f)) {
            done.push(index);
        }
    }
    for index in journal.unconfirmed {
        let Some(id) = layout.chunk(index) else { continue };
        let expected = manifest.files[id.0 as usize].chunks[id.1 as usize];
        if staged_ok(id.0) && store.read_chunk(id).is_ok_and(|bytes| Hash::of(&bytes) == expected) {
            done.push(index);
        }
    }
    done.sort_unstable();
    done.dedup();
    let journal =
        Journal::create(&paths.journal(), &manifest.hash, &done).map_err(|e| io_error(game, &paths.journal(), e))?;
    Ok((store, journal, done))
}

/// Removes a download's partial payload and state (after cancel, or to start over), and the
/// game root if the download created it and it is empty.
pub(crate) async fn discard(env: &Env, game: &GameId) {
    let paths = StatePaths::new(&env.downloads_dir, game);
    let root = env.games_dir.join(game.as_str());
    blocking(move || {
        let record = read_record(&paths);
        let _ = store::remove_staging(&root.join(STAGING_DIR));
        let _ = std::fs::remove_dir_all(&paths.dir);
        if record.is_some_and(|r| r.created_root) {
            let _ = std::fs::remove_dir(&root);
        }
    })
    .await;
    let _ = env.library.set_busy(game, false).await;
}

/// After a failure: keeps the verified chunks of a resumable one (not resumed at the next start,
/// only on `download`), removes the rest.
pub(crate) async fn settle_failed(env: &Env, game: &GameId, error: &DownloadError) {
    if !error.resumable() {
        discard(env, game).await;
        return;
    }
    let paths = StatePaths::new(&env.downloads_dir, game);
    blocking(move || {
        if let Some(mut record) = read_record(&paths) {
            record.active = false;
            let _ = write_json(&paths.record(), &record);
        }
    })
    .await;
    let _ = env.library.set_busy(game, false).await;
}

/// What recovery at start found for a game's recorded download.
pub(crate) enum Recovered {
    Nothing,
    Resume,
}

/// Finishes a commit a crash interrupted; says whether the download should resume.
pub(crate) async fn recover(env: &Env, game: &GameId) -> Recovered {
    let paths = StatePaths::new(&env.downloads_dir, game);
    let root = env.games_dir.join(game.as_str());
    let (recovered, rescan) = blocking(move || {
        let Some(record) = read_record(&paths) else {
            // Half-written state of a download that never started: nothing to keep.
            let _ = std::fs::remove_dir_all(&paths.dir);
            return (Recovered::Nothing, false);
        };
        let intent: Option<CommitIntent> =
            std::fs::read(paths.commit()).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let manifest: Option<Manifest> =
            std::fs::read(paths.manifest()).ok().and_then(|b| serde_json::from_slice(&b).ok());
        match (intent, manifest) {
            (Some(intent), Some(manifest)) => {
                if store::commit(&root, &manifest, &intent).is_ok() {
                    let _ = std::fs::remove_dir_all(&paths.dir);
                }
                (Recovered::Nothing, true)
            }
            _ if record.active => (Recovered::Resume, false),
            _ => (Recovered::Nothing, false),
        }
    })
    .await;
    if rescan {
        let _ = env.library.set_busy(game, false).await;
    }
    recovered
}

/// How a transfer ended.
enum End {
    Complete,
    Cancelled,
    Stopped,
    Failed(DownloadError),
}

/// The result of one chunk request.
struct Fetched {
    peer: PeerId,
    /// The connection the request went on.
    conn_id: usize,
    chunk: ChunkId,
    /// Bytes that came over the network.
    received: u64,
    buf: ChunkBuf,
    outcome: Result<Outcome, FetchError>,
}

enum Outcome {
    Verified,
    Corrupt,
    NotStored(StoreError),
}

struct Source {
    conn: quinn::Connection,
    name: String,
    received: u64,
    chunks: u64,
    meter: RateMeter,
    refusals: u32,
}

/// The transfer loop's state.
struct Transfer {
    env: Arc<Env>,
    p: Prepared,
    layout: Layout,
    planner: Planner<PeerId>,
    sources: HashMap<PeerId, Source>,
    /// Peers left out of this download (three corrupt chunks, too many refusals).
    banned: HashSet<PeerId>,
    cooldown: HashMap<PeerId, Instant>,
    tasks: JoinSet<Fetched>,
    running: HashMap<tokio::task::Id, (PeerId, ChunkId, AbortHandle)>,
    buffers: Vec<ChunkBuf>,
    epoch: Instant,
    meter: RateMeter,
    received: u64,
    /// When the plan last had a source.
    last_sources_seen: Instant,
    /// Journal records covered by the last checkpoint.
    checkpointed: u32,
}

impl Transfer {
    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// Adds peers that advertise this manifest, drops those that no longer do.
    fn refresh_sources(&mut self) {
        let remote = self.env.net.remote();
        let hash = self.p.record.manifest_hash;
        let now = Instant::now();
        let mut advertising = HashSet::new();
        for peer in &remote.peers {
            if !peer.library.games.iter().any(|g| g.id == self.p.game && g.manifest_hash == hash) {
                continue;
            }
            advertising.insert(peer.peer_id);
            let cooling = self.cooldown.get(&peer.peer_id).is_some_and(|t| *t > now);
            if self.banned.contains(&peer.peer_id) || cooling {
                continue;
            }
            let planned = self.planner.peers().any(|p| *p == peer.peer_id);
            let fresh = match self.sources.get(&peer.peer_id) {
                Some(s) => !planned || s.conn.stable_id() != peer.conn.stable_id(),
                None => true,
            };
            if planned && fresh {
                // A new connection to a planned peer: requests on the old one are lost.
                self.leave(peer.peer_id);
            }
            if fresh {
                let (received, chunks) = self.sources.get(&peer.peer_id).map_or((0, 0), |s| (s.received, s.chunks));
                self.sources.insert(
                    peer.peer_id,
                    Source {
                        conn: peer.conn.clone(),
                        name: peer.name.clone(),
                        received,
                        chunks,
                        meter: RateMeter::default(),
                        refusals: 0,
                    },
                );
                self.planner.add_peer(peer.peer_id);
            }
        }
        let gone: Vec<PeerId> = self.planner.peers().filter(|p| !advertising.contains(p)).copied().collect();
        for peer in gone {
            self.leave(peer);
        }
        if self.planner.peers().next().is_some() {
            self.last_sources_seen = now;
        }
    }

    /// Takes `peer` out of the plan (its chunks go to the others) and stops its requests.
    fn leave(&mut self, peer: PeerId) {
        self.planner.remove_peer(&peer);
        let ids: Vec<tokio::task::Id> =
            self.running.iter().filter(|(_, (p, _, _))| *p == peer).map(|(id, _)| *id).collect();
        for id in ids {
            if let Some((_, _, handle)) = self.running.remove(&id) {
                handle.abort();
            }
        }
    }

    fn drop_peer(&mut self, peer: PeerId, reason: String) {
        self.banned.insert(peer);
        self.leave(peer);
        let name = self.sources.get(&peer).map(|s| s.name.clone()).unwrap_or_default();
        let event =
            Event::DownloadPeerDropped { game: self.p.game.to_string(), peer_id: peer.to_string(), name, reason };
        let _ = self.env.events.send(event);
    }

    /// Sends the requests the planner wants now.
    fn dispatch(&mut self) {
        let now = self.now();
        for assignment in self.planner.next_requests(now) {
            let (peer, chunk) = (assignment.peer, assignment.chunk);
            let Some(source) = self.sources.get(&peer) else {
                self.planner.failed(&peer, chunk);
                continue;
            };
            let entry = &self.p.manifest.files[chunk.0 as usize];
            let want = ChunkRequest {
                game: self.p.game.clone(),
                version: self.p.record.version.clone(),
                file: entry.path.clone(),
                chunk: chunk.1,
                len: chunk_len(entry.size, chunk.1.into()) as usize,
            };
            let expected = entry.chunks[chunk.1 as usize];
            let conn = source.conn.clone();
            let conn_id = conn.stable_id();
            let store = self.p.store.clone();
            let mut buf = self.buffers.pop().unwrap_or_default();
            let handle = self.tasks.spawn(async move {
                let fetched = client::get_chunk(&conn, &want, buf.fill(want.len)).await;
                let received = if fetched.is_ok() { want.len as u64 } else { 0 };
                let outcome = match fetched {
                    Err(e) => Err(e),
                    Ok(()) => {
                        let (b, outcome) = blocking(move || {
                            let outcome = if Hash::of(buf.bytes()) != expected {
                                Outcome::Corrupt
                            } else {
                                match store.write_chunk(chunk, buf.bytes()) {
                                    Ok(()) => Outcome::Verified,
                                    Err(e) => Outcome::NotStored(e),
                                }
                            };
                            (buf, outcome)
                        })
                        .await;
                        buf = b;
                        Ok(outcome)
                    }
                };
                Fetched { peer, conn_id, chunk, received, buf, outcome }
            });
            self.running.insert(handle.id(), (peer, chunk, handle));
        }
    }

    /// Handles one finished request. `Some` ends the transfer.
    fn on_fetched(&mut self, f: Fetched) -> Option<End> {
        let Fetched { peer, conn_id, chunk, received, buf, outcome } = f;
        if self.buffers.len() < MAX_IN_FLIGHT {
            self.buffers.push(buf);
        }
        self.received += received;
        if let Some(s) = self.sources.get_mut(&peer) {
            s.received += received;
        }
        let now = self.now();
        match outcome {
            Ok(Outcome::Verified) => {
                let arrived = self.planner.arrived(&peer, chunk, now);
                for other in arrived.cancel {
                    let id = self
                        .running
                        .iter()
                        .find(|(_, (p, c, _))| *p == other.peer && *c == other.chunk)
                        .map(|(id, _)| *id);
                    if let Some((_, _, handle)) = id.and_then(|id| self.running.remove(&id)) {
                        handle.abort();
                    }
                }
                if arrived.is_first {
                    let bytes = chunk_len(self.p.manifest.files[chunk.0 as usize].size, chunk.1.into());
                    self.meter.add(now, bytes);
                    if let Some(s) = self.sources.get_mut(&peer) {
                        s.chunks += 1;
                        s.refusals = 0;
                        s.meter.add(now, bytes);
                    }
                    if let Err(e) = self.p.journal.append(self.layout.index(chunk)) {
                        return Some(End::Failed(io_error(&self.p.game, &self.p.paths.journal(), e)));
                    }
                }
            }
            Ok(Outcome::Corrupt) => {
                tracing::warn!(peer = %peer.short(), ?chunk, "chunk failed verification");
                if self.planner.corrupt(&peer, chunk).is_some() {
                    let reason = format!("it sent {} chunks that failed verification", super::plan::MAX_STRIKES);
                    self.drop_peer(peer, reason);
                }
            }
            Ok(Outcome::NotStored(StoreError::Closed)) => self.planner.failed(&peer, chunk),
            Ok(Outcome::NotStored(StoreError::Full)) => return Some(End::Failed(self.disk_full())),
            Ok(Outcome::NotStored(StoreError::Io(e))) => {
                let path = self.p.store.staging().join(&self.p.manifest.files[chunk.0 as usize].path);
                return Some(End::Failed(io_error(&self.p.game, &path, e)));
            }
            Err(FetchError::Lost(reason)) => {
                tracing::debug!(peer = %peer.short(), %reason, "source lost");
                self.planner.failed(&peer, chunk);
                // A request on a connection since replaced says nothing about the new one.
                if self.sources.get(&peer).is_some_and(|s| s.conn.stable_id() == conn_id) {
                    self.cooldown.insert(peer, Instant::now() + COOLDOWN);
                    self.leave(peer);
                }
            }
            Err(e) => {
                tracing::debug!(peer = %peer.short(), error = %e, "chunk request failed");
                self.planner.failed(&peer, chunk);
                let refusals = self.sources.get_mut(&peer).map(|s| {
                    s.refusals += 1;
                    s.refusals
                });
                if refusals.unwrap_or(0) >= MAX_REFUSALS {
                    self.drop_peer(peer, format!("it failed {MAX_REFUSALS} requests in a row (last: {e})"));
                }
            }
        }
        None
    }

    fn disk_full(&self) -> DownloadError {
        let (_, done) = self.planner.progress();
        let (_, total) = self.planner.total();
        DownloadError::DiskFull {
            game: self.p.game.clone(),
            version: self.p.record.version.clone(),
            dir: self.env.games_dir.display().to_string(),
            left: human_bytes(total.saturating_sub(done)),
        }
    }

    fn progress_event(&mut self) -> Event {
        let now = self.now();
        let (_, done) = self.planner.progress();
        let (_, total) = self.planner.total();
        let rate = self.meter.rate(now);
        let eta_s = self.meter.eta(now, total.saturating_sub(done));
        let mut peers: Vec<PeerRate> = self
            .planner
            .peers()
            .copied()
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|p| {
                let s = self.sources.get_mut(&p)?;
                Some(PeerRate { peer_id: p.to_string(), name: s.name.clone(), bytes_per_s: s.meter.rate(now) as u64 })
            })
            .collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.peer_id.cmp(&b.peer_id)));
        Event::DownloadProgress {
            game: self.p.game.to_string(),
            version: self.p.record.version.clone(),
            bytes_done: done,
            bytes_total: total,
            bytes_per_s: rate as u64,
            eta_s,
            peers,
        }
    }

    /// Flushes the staged files, then checkpoints the journal records that were written before.
    async fn checkpoint(&mut self) -> Result<(), DownloadError> {
        let records = self.p.journal.records();
        if records == self.checkpointed {
            return Ok(());
        }
        let store = self.p.store.clone();
        let journal = self.p.journal.try_clone_file();
        let flushed = blocking(move || {
            store.flush()?;
            journal?.sync_data()
        })
        .await;
        match flushed {
            Ok(()) => {
                self.p.journal.checkpoint(records).map_err(|e| io_error(&self.p.game, &self.p.paths.journal(), e))
            }
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => Err(self.disk_full()),
            Err(e) => Err(io_error(&self.p.game, self.p.store.staging(), e)),
        }
    }

    async fn drive(&mut self, cancel: &CancellationToken) -> End {
        let mut remote = self.env.net.watch_remote();
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_checkpoint = Instant::now();
        self.refresh_sources();
        loop {
            if self.planner.is_complete() {
                return End::Complete;
            }
            self.dispatch();
            if self.running.is_empty() && self.last_sources_seen.elapsed() > SOURCE_WAIT {
                let (_, done) = self.planner.progress();
                let (_, total) = self.planner.total();
                if !self.banned.is_empty() {
                    return End::Failed(DownloadError::SourcesDropped {
                        game: self.p.game.clone(),
                        version: self.p.record.version.clone(),
                        dropped: self.banned.len(),
                        done: human_bytes(done),
                        total: human_bytes(total),
                    });
                }
                return End::Failed(DownloadError::SourcesGone {
                    game: self.p.game.clone(),
                    version: self.p.record.version.clone(),
                    done: human_bytes(done),
                    total: human_bytes(total),
                });
            }
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return End::Cancelled,
                _ = self.env.shutdown.cancelled() => return End::Stopped,
                Some(joined) = self.tasks.join_next_with_id() => {
                    let fetched = match joined {
                        Ok((id, fetched)) => {
                            // A request already taken back (its peer left, or another copy won)
                            // was handed back to the planner then.
                            if self.running.remove(&id).is_none() {
                                self.received += fetched.received;
                                continue;
                            }
                            fetched
                        }
                        Err(e) => {
                            if let Some((peer, chunk, _)) = self.running.remove(&e.id()) {
                                self.planner.failed(&peer, chunk);
                            }
                            continue;
                        }
                    };
                    if let Some(end) = self.on_fetched(fetched) {
                        return end;
                    }
                }
                _ = tick.tick() => {
                    self.refresh_sources();
                    let event = self.progress_event();
                    let _ = self.env.events.send(event);
                    if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                        last_checkpoint = Instant::now();
                        if let Err(e) = self.checkpoint().await {
                            return End::Failed(e);
                        }
                    }
                }
                changed = remote.changed() => {
                    if changed.is_err() {
                        return End::Stopped;
                    }
                    self.refresh_sources();
                }
            }
        }
    }

    /// Stops every request and waits until none runs.
    async fn stop_requests(&mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.running.clear();
    }

    fn per_peer(&self) -> Vec<PeerBytes> {
        let mut peers: Vec<PeerBytes> = self
            .sources
            .iter()
            .map(|(id, s)| PeerBytes {
                peer_id: id.to_string(),
                name: s.name.clone(),
                bytes: s.received,
                chunks: s.chunks,
            })
            .collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.peer_id.cmp(&b.peer_id)));
        peers
    }
}

/// Commits a transfer whose chunks are all verified (see [`finish`]).
async fn commit(t: &Transfer) -> End {
    let p = &t.p;
    let job = Finish {
        game: p.game.clone(),
        store: p.store.clone(),
        root: p.root.clone(),
        paths: p.paths.clone(),
        record: p.record.clone(),
        manifest: p.manifest.clone(),
    };
    match blocking(move || finish(job)).await {
        Ok(()) => End::Complete,
        Err(e) => End::Failed(e),
    }
}

/// Moves the finished download into the root: flush, check `version.ini`, save the intent,
/// commit, forget the download.
struct Finish {
    game: GameId,
    store: Arc<Store>,
    root: PathBuf,
    paths: StatePaths,
    record: Record,
    manifest: Arc<Manifest>,
}

fn finish(p: Finish) -> Result<(), DownloadError> {
    let game = &p.game;
    p.store.finish().map_err(|e| io_error(game, p.store.staging(), e))?;
    let staged_version = p.store.staging().join(VERSION_FILE);
    let text = std::fs::read(&staged_version).map_err(|e| io_error(game, &staged_version, e))?;
    let found = crate::library::scan::version_of(&text).unwrap_or_default();
    if found != p.record.version {
        return Err(DownloadError::VersionMismatch { game: game.clone(), version: p.record.version.clone(), found });
    }
    let intent = CommitIntent { obsolete: p.record.obsolete.clone() };
    write_json(&p.paths.commit(), &intent).map_err(|e| io_error(game, &p.paths.commit(), e))?;
    store::commit(&p.root, &p.manifest, &intent).map_err(|e| io_error(game, &p.root, e))?;
    let _ = std::fs::remove_dir_all(&p.paths.dir);
    Ok(())
}

/// Runs a prepared download to its end and says how it ended, once the game has settled.
pub(crate) async fn run(env: Arc<Env>, p: Prepared, cancel: CancellationToken, guard: OpGuard) {
    let started = p.started();
    let game = p.game.clone();
    let _ = env.events.send(Event::DownloadStarted {
        game: started.game.clone(),
        version: started.version.clone(),
        update: started.update,
        bytes_total: started.bytes_total,
        bytes_done: started.bytes_done,
        peers: p.sources.len(),
    });
    let layout = Layout::new(&p.manifest);
    let sizes: Vec<(ChunkId, u64)> = p
        .manifest
        .files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| (0..f.chunks.len() as u32).map(move |c| ((i as u32, c), chunk_len(f.size, c.into()))))
        .collect();
    let mut planner = Planner::new(sizes, CHUNK_SIZE).with_capacity(MAX_IN_FLIGHT);
    planner.mark_done(p.done.iter().filter_map(|&i| layout.chunk(i)));
    let clock = std::time::Instant::now();
    let mut t = Transfer {
        env: env.clone(),
        p,
        layout,
        planner,
        sources: HashMap::new(),
        banned: HashSet::new(),
        cooldown: HashMap::new(),
        tasks: JoinSet::new(),
        running: HashMap::new(),
        buffers: Vec::new(),
        epoch: Instant::now(),
        meter: RateMeter::default(),
        received: 0,
        last_sources_seen: Instant::now(),
        checkpointed: 0,
    };
    let end = t.drive(&cancel).await;
    t.stop_requests().await;
    let end = match end {
        End::Complete => {
            // The files served change now: no peer is offered the old version any more. A
            // library that cannot say so is stopping: the commit waits for the next start.
            if started.update && env.library.set_busy(&game, true).await.is_err() {
                End::Stopped
            } else {
                commit(&t).await
            }
        }
        other => other,
    };
    match end {
        End::Complete => {
            let _ = env.library.verified(&game, t.p.manifest.clone()).await;
            let _ = env.library.set_busy(&game, false).await;
            guard.complete();
            let seconds = clock.elapsed().as_secs_f64();
            let _ = env.events.send(Event::DownloadFinished {
                game: game.to_string(),
                version: started.version,
                update: started.update,
                bytes: t.received,
                bytes_total: started.bytes_total,
                resumed_bytes: started.bytes_done,
                seconds: (seconds * 1000.0).round() / 1000.0,
                mib_per_s: ((t.received as f64 / (1 << 20) as f64 / seconds.max(1e-3)) * 10.0).round() / 10.0,
                peers: t.per_peer(),
            });
            // Auto-install: the game is released, so the install can claim it.
            if let Some(installs) = &env.install_after {
                if let Err(e) = installs.install(game.as_str()).await {
                    let _ = env.events.send(Event::InstallFailed {
                        game: game.to_string(),
                        reason: e.to_string(),
                        problem: e.problem(),
                    });
                }
            }
        }
        End::Cancelled => {
            let store = t.p.store.clone();
            blocking(move || store.discard()).await.ok();
            discard(&env, &game).await;
            guard.release();
            let _ = env.events.send(Event::DownloadCancelled { game: game.to_string() });
        }
        End::Stopped => {
            // Shutting down: keep everything for the next start, flushed as far as possible.
            let _ = t.checkpoint().await;
        }
        End::Failed(e) => {
            if e.resumable() {
                let _ = t.checkpoint().await;
            } else {
                let store = t.p.store.clone();
                blocking(move || store.discard()).await.ok();
            }
            settle_failed(&env, &game, &e).await;
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
    drop(guard);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> GameId {
        GameId::new("quake").unwrap()
    }

    fn record(hash: Hash) -> Record {
        Record {
            game: id(),
            version: "1.0".into(),
            manifest_hash: hash,
            update: false,
            created_root: true,
            obsolete: vec![],
            active: true,
        }
    }

    #[test]
    fn deciding_what_to_fetch() {
        let (h1, h2, h3) = (Hash::of(b"1"), Hash::of(b"2"), Hash::of(b"3"));
        let copies = vec![(1, "1.0".to_owned(), h1), (2, "1.10".to_owned(), h2), (3, "1.10".to_owned(), h2)];
        // A fresh download takes the newest version, from the peers that agree on it.
        assert_eq!(
            decide(&id(), Kind::Download, None, None, &copies),
            Ok(Target::Fresh { version: "1.10".into(), hash: h2, sources: vec![2, 3], drop_partial: false })
        );
        // A recorded partial download resumes while anyone still has its manifest.
        assert_eq!(
            decide(&id(), Kind::Download, Some(&record(h1)), None, &copies),
            Ok(Target::Resume { sources: vec![1] })
        );
        // ...and is dropped for the newest version when nobody has it any more.
        assert!(matches!(
            decide(&id(), Kind::Download, Some(&record(h3)), None, &copies),
            Ok(Target::Fresh { drop_partial: true, .. })
        ));
        assert!(matches!(
            decide(&id(), Kind::Download, None, Some("1.0"), &copies),
            Err(DownloadError::AlreadyDownloaded { .. })
        ));
        assert!(matches!(decide(&id(), Kind::Update, None, None, &copies), Err(DownloadError::NotDownloaded { .. })));
        assert!(matches!(
            decide(&id(), Kind::Update, None, Some("1.10"), &copies),
            Err(DownloadError::UpToDate { .. })
        ));
        assert!(matches!(
            decide(&id(), Kind::Update, None, Some("1.0"), &copies),
            Ok(Target::Fresh { sources, .. }) if sources == vec![2, 3]
        ));
        assert!(matches!(decide::<u8>(&id(), Kind::Download, None, None, &[]), Err(DownloadError::NoSource { .. })));
        // Two peers, two different contents for one version: no agreement, nothing fetched.
        let split = vec![(1, "2".to_owned(), h1), (2, "2".to_owned(), h2)];
        assert!(matches!(
            decide(&id(), Kind::Download, None, None, &split),
            Err(DownloadError::Manifest(verify::ManifestError::NoAgreement { .. }))
        ));
    }
}
