//! The runtime: one task owns the library; hosts talk to it through a [`Runtime`] handle and
//! follow it through [`Event`]s.
//!
//! The library actor holds every piece of library state (roots, the hash cache, the watcher,
//! the debounce timers), so nothing is shared behind a lock. Scans run on the blocking pool,
//! one at a time; the actor hands the hash cache to the scan and gets it back with the result.
//! Requests answered while a scan runs see the last completed scan.
//!
//! Shutdown is one [`CancellationToken`]: cancelling it stops the actor, which stops hashing
//! and waits for the running scan to return (and save) the cache.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use notify::Watcher as _;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::{Catalog, GameId};
use crate::identity::{Identity, IdentityError, PeerId};
use crate::library::cache::HashCache;
use crate::library::scan::{self, HashProgress, ScanOutput, ScanRequest};
use crate::library::watch::{self as fswatch, Debouncer, Trigger, WatchSet};
use crate::library::{GameInfo, IgnoredEntry, Root};
use crate::net::{LocalShare, Net, NetConfig, NetError, RemotePeer, SharedGame, Source};
use crate::state::{StateDir, StateDirError};
use crate::transfer::{DownloadError, Kind, Started};
use tokio::sync::watch;

/// Events buffered per subscriber before the slowest one starts losing them.
const EVENT_CAPACITY: usize = 1024;
/// File-system events buffered before the watcher counts an overflow (and a full rescan).
const FS_EVENT_CAPACITY: usize = 4096;
/// How often a missing games folder is looked for again.
const UNAVAILABLE_POLL: Duration = Duration::from_secs(2);

/// How to start a runtime.
#[derive(Clone, Debug)]
pub struct Config {
    pub games_dir: PathBuf,
    pub state_dir: PathBuf,
    pub catalog: Arc<Catalog>,
    /// Display name shown to other players.
    pub name: String,
    /// Full rescan period, a safety net for events the watcher lost.
    pub rescan_interval: Duration,
    /// Quiet time after the last file-system event of a game before it is rescanned.
    pub debounce: Duration,
    /// Threads that hash; defaults to one per core.
    pub hash_threads: usize,
    /// UDP port to serve peers on (0 = any free port); `None` keeps this runtime offline.
    pub port: Option<u16>,
    /// Peers to dial by address for this run (`HOST:PORT`), besides the saved manual ones.
    pub peers: Vec<String>,
    /// Announce and find peers with mDNS.
    pub mdns: bool,
    /// Most bytes per second served to peers, all together; `None` for no limit.
    pub upload_limit: Option<u64>,
    /// What turns archives into an installation (the `lanparty-unrar` sidecar); without one,
    /// `install` is refused with a message saying how to provide it.
    pub unpacker: Option<Arc<dyn crate::install::unpack::Unpacker>>,
    /// Install a game as soon as its download (or update) is committed.
    pub auto_install: bool,
    /// The player's name and Steam language, given to games (launch/stamp.rs has the rules).
    pub username: String,
    pub language: String,
}

impl Config {
    pub fn new(games_dir: PathBuf, state_dir: PathBuf, catalog: Catalog, name: String) -> Config {
        Config {
            games_dir,
            state_dir,
            catalog: Arc::new(catalog),
            name,
            rescan_interval: Duration::from_secs(300),
            debounce: Duration::from_secs(1),
            hash_threads: crate::library::hasher::default_threads(),
            port: Some(crate::net::DEFAULT_PORT),
            peers: Vec::new(),
            mdns: true,
            upload_limit: None,
            unpacker: None,
            auto_install: true,
            username: "Player".into(),
            language: "english".into(),
        }
    }
}

/// Why the runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    StateDir(#[from] StateDirError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("peer address `{addr}` cannot be used ({reason}): write it as HOST:PORT")]
    PeerAddress { addr: String, reason: String },
}

/// Why a peer request failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("peer address `{addr}` cannot be used ({reason}): write it as HOST:PORT, e.g. 192.168.1.20:{port}", port = crate::net::DEFAULT_PORT)]
    BadAddress { addr: String, reason: String },
    #[error("`{0}` matches no connected peer: use a peer id (or its first characters) from the peers list")]
    NoSuchPeer(String),
    #[error("`{0}` matches several connected peers: give more characters of the peer id")]
    AmbiguousPeer(String),
    #[error("this peer runs offline (no port)")]
    Offline,
    #[error("cannot save the manual peers to {path}: {reason}")]
    Save { path: String, reason: String },
    #[error(transparent)]
    Net(#[from] NetError),
}

/// The runtime has shut down and answers nothing more.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the Lanparty runtime has stopped")]
pub struct Stopped;

/// What the runtime tells its hosts.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(rename = "RuntimeEvent"))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// Games appeared or changed (`games`), or vanished from the folder (`removed` ids).
    LibraryChanged {
        games: Vec<GameInfo>,
        removed: Vec<String>,
    },
    #[serde(rename = "hash-progress")]
    HashProgressed {
        game: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    ScanFinished(ScanReport),
    /// The games folder cannot be read. Its games are kept, unshareable, until it returns.
    LibraryUnavailable {
        games_dir: PathBuf,
        reason: String,
    },
    LibraryAvailable {
        games_dir: PathBuf,
    },
    Warning {
        message: String,
    },
    PeerJoined {
        peer_id: String,
        short_id: String,
        name: String,
        addr: String,
    },
    PeerLeft {
        peer_id: String,
        name: String,
        reason: String,
    },
    /// A peer's library changed; `games` is how many it now shares.
    PeerLibraryChanged {
        peer_id: String,
        revision: u64,
        games: usize,
    },
    /// What the LAN has changed: each game here or on a peer whose merged view changed (which
    /// peers hold which version, the newest version, how many can serve it), and games no one
    /// has any more.
    GamesChanged {
        games: Vec<GameInfo>,
        removed: Vec<String>,
    },
    /// A download (or update) is under way; `bytes_done` were verified by an earlier run.
    DownloadStarted {
        game: String,
        version: String,
        update: bool,
        bytes_total: u64,
        bytes_done: u64,
        peers: usize,
    },
    /// At most twice a second while a download runs. `bytes_per_s` is over the last 5 s;
    /// `eta_s` is absent while the speed is unknown or has not settled (the first 2 s).
    DownloadProgress {
        game: String,
        version: String,
        bytes_done: u64,
        bytes_total: u64,
        bytes_per_s: u64,
        eta_s: Option<f64>,
        peers: Vec<crate::transfer::PeerRate>,
    },
    /// A peer is left out of a download (corrupt chunks, repeated refusals).
    DownloadPeerDropped {
        game: String,
        peer_id: String,
        name: String,
        reason: String,
    },
    /// The game is downloaded and the library lists it. `bytes` came over the network in this
    /// run (including chunks discarded as corrupt or duplicate), `resumed_bytes` were verified
    /// by an earlier run.
    DownloadFinished {
        game: String,
        version: String,
        update: bool,
        bytes: u64,
        bytes_total: u64,
        resumed_bytes: u64,
        seconds: f64,
        mib_per_s: f64,
        peers: Vec<crate::transfer::PeerBytes>,
    },
    /// Nothing was committed. With `resumable`, the verified chunks are kept and `download`
    /// continues from them; otherwise the partial payload is gone.
    DownloadFailed {
        game: String,
        reason: String,
        /// `reason` as a code and its arguments, for a front end that words it itself.
        problem: crate::Problem,
        resumable: bool,
    },
    /// The partial payload is removed; an installed `local/` and a previous version are untouched.
    DownloadCancelled {
        game: String,
    },
    /// Extraction into the staging folder began; `update` when an installation is replaced.
    InstallStarted {
        game: String,
        update: bool,
    },
    /// At most twice a second while extracting.
    InstallProgress {
        game: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// The new installation is `local/`, and the library lists the game as installed.
    InstallFinished {
        game: String,
        update: bool,
        seconds: f64,
    },
    /// Nothing changed: the previous installation (if any) is as it was.
    InstallFailed {
        game: String,
        reason: String,
        /// `reason` as a code and its arguments, for a front end that words it itself.
        problem: crate::Problem,
    },
    /// A cancel stopped the extraction; the previous installation (if any) is as it was.
    InstallCancelled {
        game: String,
        update: bool,
    },
    UninstallFinished {
        game: String,
    },
    /// The downloaded game's folder is deleted.
    RemoveFinished {
        game: String,
    },
    /// Play (`server` false) or Start Server started `script`.
    GameLaunched {
        game: String,
        server: bool,
        script: String,
        pid: u32,
        setup_ran: bool,
    },
}

/// Quiet time after a change of the local or a remote library before `games-changed` is sent.
const GAMES_DEBOUNCE: Duration = Duration::from_millis(200);

/// Emits `games-changed` whenever the merged view of the LAN's games changes. Holds the runtime
/// only weakly, so dropping the last handle still stops everything.
async fn follow_games(inner: std::sync::Weak<Inner>, mut remote: watch::Receiver<Arc<crate::net::RemoteView>>) {
    let Some(first) = inner.upgrade() else { return };
    let mut events = first.events.subscribe();
    let shutdown = first.shutdown.clone();
    drop(first);
    let mut known: BTreeMap<String, GameInfo> = BTreeMap::new();
    loop {
        // Wait for a change of either side, then for quiet.
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = remote.changed() => if changed.is_err() { return },
            event = events.recv() => match event {
                Ok(Event::LibraryChanged { .. } | Event::LibraryUnavailable { .. } | Event::LibraryAvailable { .. }) => {}
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        tokio::time::sleep(GAMES_DEBOUNCE).await;
        remote.borrow_and_update();
        let Some(inner) = inner.upgrade() else { return };
        let runtime = Runtime { inner };
        let Ok(snapshot) = runtime.list_games().await else { return };
        let now: BTreeMap<String, GameInfo> = snapshot.games.into_iter().map(|g| (g.id.clone(), g)).collect();
        let games: Vec<GameInfo> = now.values().filter(|g| known.get(&g.id) != Some(g)).cloned().collect();
        let removed: Vec<String> = known.keys().filter(|id| !now.contains_key(*id)).cloned().collect();
        if !games.is_empty() || !removed.is_empty() {
            let _ = runtime.inner.events.send(Event::GamesChanged { games, removed });
        }
        known = now;
    }
}

/// A connected peer, as hosts list it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PeerInfo {
    pub peer_id: String,
    pub short_id: String,
    pub name: String,
    pub addr: String,
    /// How many games it shares.
    pub games: usize,
    pub rtt_ms: f64,
}

/// The counters of a finished scan.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanReport {
    pub full: bool,
    pub available: bool,
    pub roots: u64,
    pub files: u64,
    pub hashed_files: u64,
    pub hashed_bytes: u64,
    pub ms: u64,
}

/// The library as of the last completed scan.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibrarySnapshot {
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub games: Vec<GameInfo>,
    pub ignored: Vec<IgnoredEntry>,
}

/// Library counters for status displays.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryStatus {
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub games: usize,
    pub shareable: usize,
    pub scanning: bool,
    /// Bytes hashed since start; an unchanged library adds nothing.
    pub hashed_bytes: u64,
    pub cached_files: usize,
}

enum Request {
    ListGames(oneshot::Sender<LibrarySnapshot>),
    Status(oneshot::Sender<LibraryStatus>),
    Rescan(oneshot::Sender<ScanReport>),
    /// One game as the last scan saw it.
    Game(GameId, oneshot::Sender<Option<crate::library::LocalGame>>),
    /// Marks a game busy (an operation runs on it) or not, or leaves that as it is (`None`),
    /// then rescans its root; answers when that scan is done.
    RescanGame {
        game: GameId,
        busy: Option<bool>,
        reply: oneshot::Sender<()>,
    },
    /// A download just committed these files, verified chunk by chunk: the hash cache takes
    /// their hashes, so the rescan that follows does not read them again.
    Verified {
        game: GameId,
        manifest: Arc<crate::library::Manifest>,
    },
}

/// The library as other parts of the runtime (downloads) talk to it.
#[derive(Clone, Debug)]
pub(crate) struct LibraryLink {
    requests: mpsc::Sender<Request>,
}

impl LibraryLink {
    async fn ask<T>(&self, request: impl FnOnce(oneshot::Sender<T>) -> Request) -> Result<T, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.requests.send(request(tx)).await.map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// The local game `id` as of the last scan (waiting for the first one).
    pub(crate) async fn game(&self, id: &GameId) -> Result<Option<crate::library::LocalGame>, Stopped> {
        self.ask(|reply| Request::Game(id.clone(), reply)).await
    }

    /// Hands the hashes of a just-committed download to the hash cache.
    pub(crate) async fn verified(&self, id: &GameId, manifest: Arc<crate::library::Manifest>) -> Result<(), Stopped> {
        let request = Request::Verified { game: id.clone(), manifest };
        self.requests.send(request).await.map_err(|_| Stopped)
    }

    /// Rescans `id`'s root and waits for it (after an install changed `local/`).
    pub(crate) async fn rescan(&self, id: &GameId) -> Result<(), Stopped> {
        self.ask(|reply| Request::RescanGame { game: id.clone(), busy: None, reply }).await
    }

    /// Marks `id` busy or not and waits until its root has been scanned again.
    pub(crate) async fn set_busy(&self, id: &GameId, busy: bool) -> Result<(), Stopped> {
        self.ask(|reply| Request::RescanGame { game: id.clone(), busy: Some(busy), reply }).await
    }
}

/// A cheap handle to a running runtime.
#[derive(Clone, Debug)]
pub struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    requests: mpsc::Sender<Request>,
    events: broadcast::Sender<Event>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    identity: Identity,
    config: Config,
    net: Option<Net>,
    /// Manual peers saved in the state dir, as typed (`HOST:PORT`).
    manual: tokio::sync::Mutex<Vec<String>>,
    manual_path: PathBuf,
    downloads: Option<crate::transfer::Downloads>,
    installs: Arc<crate::install::service::Installs>,
    ops: crate::transfer::OpTable,
    mdns: watch::Receiver<crate::discovery::MdnsState>,
}

impl Drop for Inner {
    /// The last handle is gone: nothing can ask the runtime anything, so it stops.
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Manual peers as saved in `peers.json`.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
struct SavedPeers {
    manual: Vec<String>,
}

/// How long a name lookup may take. A LAN party often has no DNS server: a lookup of a name
/// that is not in the hosts file may then hang until the system gives up, and the settings
/// change or the app exit that waits for it with it.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves `HOST:PORT`, preferring an IPv4 address.
async fn resolve(addr: &str) -> Result<std::net::SocketAddr, String> {
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host(addr)).await.map_err(|_| {
        format!(
            "looking up the name took longer than {} s (no name server on this network?): give the IP address instead",
            RESOLVE_TIMEOUT.as_secs()
        )
    })?;
    let found: Vec<_> = lookup.map_err(|e| e.to_string())?.collect();
    found.iter().find(|a| a.is_ipv4()).or(found.first()).copied().ok_or_else(|| "no address found".to_owned())
}

impl Runtime {
    /// Opens the state directory, loads or creates the identity and starts the library. The
    /// returned receiver sees every event from the first scan on.
    pub async fn start(config: Config) -> Result<(Runtime, broadcast::Receiver<Event>), StartError> {
        let state_dir = config.state_dir.clone();
        let opened = tokio::task::spawn_blocking(move || -> Result<_, StartError> {
            let state = StateDir::open(&state_dir)?;
            let identity = Identity::load_or_create(&state)?;
            let cache = HashCache::load(&state.hash_cache());
            Ok((state, identity, cache))
        })
        .await;
        let (state, identity, cache) = match opened {
            Ok(result) => result?,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        let manual_path = state.root().join("peers.json");
        let saved: SavedPeers =
            std::fs::read(&manual_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let (share_tx, share_rx) = watch::channel(Arc::new(LocalShare::default()));
        let (mdns_tx, mdns_rx) = watch::channel(crate::discovery::MdnsState::Off);

        let (events, first_subscriber) = broadcast::channel(EVENT_CAPACITY);
        let (requests, request_rx) = mpsc::channel(64);
        let (fs_tx, fs_rx) = mpsc::channel(FS_EVENT_CAPACITY);
        let overflow = Arc::new(AtomicBool::new(false));
        let watcher = match make_watcher(fs_tx, overflow.clone()) {
            Ok(w) => Some(w),
            Err(e) => {
                let message = format!("file watching is unavailable ({e}); changes are seen at the periodic rescan");
                let _ = events.send(Event::Warning { message });
                None
            }
        };
        let actor = LibraryActor {
            games_dir: config.games_dir.clone(),
            catalog: config.catalog.clone(),
            cache_path: state.hash_cache(),
            threads: config.hash_threads,
            debounce: config.debounce,
            rescan_interval: config.rescan_interval,
            events: events.clone(),
            roots: BTreeMap::new(),
            unavailable: None,
            cache: Some(cache),
            busy: HashSet::new(),
            debouncer: Debouncer::default(),
            pending_full: true,
            pending_roots: BTreeSet::new(),
            full_waiters: Vec::new(),
            running: None,
            next_full: Instant::now() + config.rescan_interval,
            watcher,
            watched: WatchSet::new(),
            watch_roots: BTreeMap::new(),
            overflow,
            hashed_bytes_total: 0,
            cancel_hash: Arc::new(AtomicBool::new(false)),
            share: share_tx,
            deferred: Some(Vec::new()),
            root_waiters: Vec::new(),
            verified: Vec::new(),
        };
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        tasks.spawn(actor.run(request_rx, fs_rx, shutdown.clone()));
        let net = match config.port {
            None => None,
            Some(port) => {
                let mut manual = Vec::new();
                // An address given for this run must work; a saved one that no longer resolves
                // (a renamed machine) only earns a warning, so it can still be removed.
                for addr in &config.peers {
                    let resolved = resolve(addr).await;
                    manual.push(resolved.map_err(|reason| StartError::PeerAddress { addr: addr.clone(), reason })?);
                }
                for addr in &saved.manual {
                    match resolve(addr).await {
                        Ok(resolved) => manual.push(resolved),
                        Err(reason) => {
                            let message = format!(
                                "saved peer `{addr}` cannot be resolved ({reason}); remove it with remove-peer if it is gone"
                            );
                            let _ = events.send(Event::Warning { message });
                        }
                    }
                }
                let net_config =
                    NetConfig { port, name: config.name.clone(), manual, upload_limit: config.upload_limit };
                let started = Net::start(
                    net_config,
                    identity.clone(),
                    share_rx.clone(),
                    events.clone(),
                    shutdown.clone(),
                    &tasks,
                );
                let net = match started {
                    Ok(net) => net,
                    Err(e) => {
                        shutdown.cancel();
                        tasks.close();
                        tasks.wait().await;
                        return Err(e.into());
                    }
                };
                if config.mdns {
                    let announce = crate::discovery::Announce {
                        peer_id: identity.peer_id,
                        name: config.name.clone(),
                        port: net.port(),
                    };
                    mdns_tx.send_replace(crate::discovery::MdnsState::Starting);
                    let discovery =
                        crate::discovery::run(announce, net.clone(), share_rx.clone(), shutdown.clone(), mdns_tx);
                    tasks.spawn(discovery);
                }
                Some(net)
            }
        };
        let ops = crate::transfer::OpTable::default();
        let installs = Arc::new(crate::install::service::Installs {
            ops: ops.clone(),
            games_dir: config.games_dir.clone(),
            state_root: state.root().to_path_buf(),
            unpacker: config.unpacker.clone(),
            log: Some(Arc::new(crate::install::unpack::UnpackLog::new(crate::install::unpack::log_path(state.root())))),
            events: events.clone(),
            library: LibraryLink { requests: requests.clone() },
            tasks: tasks.clone(),
            shutdown: shutdown.clone(),
            catalog: config.catalog.clone(),
            username: config.username.clone(),
            language: config.language.clone(),
        });
        let downloads = net.as_ref().map(|net| {
            let env = crate::transfer::Env {
                net: net.clone(),
                library: LibraryLink { requests: requests.clone() },
                events: events.clone(),
                games_dir: config.games_dir.clone(),
                downloads_dir: state.downloads_dir(),
                shutdown: shutdown.clone(),
                tasks: tasks.clone(),
                install_after: (config.auto_install && config.unpacker.is_some()).then(|| installs.clone()),
            };
            crate::transfer::Downloads::new(env, ops.clone())
        });
        let inner = Inner {
            requests,
            events,
            shutdown,
            tasks,
            identity,
            config,
            net,
            manual: tokio::sync::Mutex::new(saved.manual),
            manual_path,
            downloads,
            installs,
            ops,
            mdns: mdns_rx,
        };
        let inner = Arc::new(inner);
        // Installs a crash interrupted are finished or undone before anything else runs.
        inner.installs.recover_all().await;
        if let Some(net) = &inner.net {
            inner.tasks.spawn(follow_games(Arc::downgrade(&inner), net.watch_remote()));
        }
        if let Some(downloads) = &inner.downloads {
            // Commits a crash interrupted are finished, downloads it stopped resume.
            downloads.resume_all().await;
        }
        Ok((Runtime { inner }, first_subscriber))
    }

    /// The UDP port peers reach this one on, when online.
    pub fn port(&self) -> Option<u16> {
        self.inner.net.as_ref().map(Net::port)
    }

    pub fn net(&self) -> Option<&Net> {
        self.inner.net.as_ref()
    }

    /// Connected peers, by name.
    pub fn peers(&self) -> Vec<PeerInfo> {
        let Some(net) = &self.inner.net else { return Vec::new() };
        let mut peers: Vec<PeerInfo> = net
            .remote()
            .peers
            .iter()
            .map(|p: &RemotePeer| PeerInfo {
                peer_id: p.peer_id.to_string(),
                short_id: p.short_id.clone(),
                name: p.name.clone(),
                addr: p.addr.to_string(),
                games: p.library.games.len(),
                rtt_ms: p.rtt_ms(),
            })
            .collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
        peers
    }

    /// Dials `addr` (`HOST:PORT`) now and on every start, until removed.
    pub async fn add_peer(&self, addr: &str) -> Result<std::net::SocketAddr, PeerError> {
        let net = self.inner.net.as_ref().ok_or(PeerError::Offline)?;
        let resolved = resolve(addr).await.map_err(|reason| PeerError::BadAddress { addr: addr.to_owned(), reason })?;
        let mut manual = self.inner.manual.lock().await;
        if !manual.iter().any(|m| m == addr) {
            manual.push(addr.to_owned());
            self.save_manual(&manual).await?;
        }
        net.add_target(resolved, None, Source::Manual).await?;
        Ok(resolved)
    }

    /// Stops dialing `addr` and disconnects the peer behind it; `false` if it was not known.
    pub async fn remove_peer(&self, addr: &str) -> Result<bool, PeerError> {
        let net = self.inner.net.as_ref().ok_or(PeerError::Offline)?;
        let mut manual = self.inner.manual.lock().await;
        let before = manual.len();
        manual.retain(|m| m != addr);
        let was_saved = manual.len() != before;
        if was_saved {
            self.save_manual(&manual).await?;
        }
        // A saved address that no longer resolves is removed all the same.
        let disconnected = match resolve(addr).await {
            Ok(resolved) => net.remove_target(resolved).await?,
            Err(_) if was_saved => false,
            Err(reason) => return Err(PeerError::BadAddress { addr: addr.to_owned(), reason }),
        };
        Ok(disconnected || was_saved)
    }

    async fn save_manual(&self, manual: &[String]) -> Result<(), PeerError> {
        let bytes = serde_json::to_vec_pretty(&SavedPeers { manual: manual.to_vec() }).unwrap_or_default();
        let path = self.inner.manual_path.clone();
        let saved = tokio::task::spawn_blocking(move || crate::state::write_atomic(&path, &bytes)).await;
        let fail = |reason: String| PeerError::Save { path: self.inner.manual_path.display().to_string(), reason };
        match saved {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(fail(e.to_string())),
            Err(e) => Err(fail(e.to_string())),
        }
    }

    /// The peers dialled by address, as typed, in the order they were added.
    pub async fn manual_peers(&self) -> Vec<String> {
        self.inner.manual.lock().await.clone()
    }

    /// Changes the upload limit of a running peer (`None` for no limit); an offline runtime
    /// serves nothing, so there it changes nothing.
    pub fn set_upload_limit(&self, bytes_per_s: Option<u64>) {
        if let Some(net) = &self.inner.net {
            net.set_upload_limit(bytes_per_s);
        }
    }

    /// Whether mDNS discovery runs.
    pub fn mdns_state(&self) -> crate::discovery::MdnsState {
        self.inner.mdns.borrow().clone()
    }

    /// The network as this peer sees it, with hints for when peers do not appear.
    pub async fn diagnose_network(&self) -> crate::discovery::NetworkDiagnosis {
        let port = self.port();
        let mdns = self.mdns_state();
        let manual = self.manual_peers().await;
        tokio::task::spawn_blocking(move || crate::discovery::diagnose(port, mdns, &manual))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// Finds a connected peer by its id or the first characters of it.
    pub fn find_peer(&self, id: &str) -> Result<PeerId, PeerError> {
        let net = self.inner.net.as_ref().ok_or(PeerError::Offline)?;
        let wanted = id.to_uppercase();
        let matches: Vec<PeerId> = net
            .remote()
            .peers
            .iter()
            .map(|p| p.peer_id)
            .filter(|p| !wanted.is_empty() && p.to_string().starts_with(&wanted))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(PeerError::NoSuchPeer(id.to_owned())),
            _ => Err(PeerError::AmbiguousPeer(id.to_owned())),
        }
    }

    /// Round trip of a ping to a connected peer.
    pub async fn ping(&self, peer: &str) -> Result<Duration, PeerError> {
        let id = self.find_peer(peer)?;
        let net = self.inner.net.as_ref().ok_or(PeerError::Offline)?;
        Ok(net.ping(id).await?)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    pub fn peer_id(&self) -> PeerId {
        self.inner.identity.peer_id
    }

    pub fn name(&self) -> &str {
        &self.inner.config.name
    }

    pub fn games_dir(&self) -> &Path {
        &self.inner.config.games_dir
    }

    pub fn state_dir(&self) -> &Path {
        &self.inner.config.state_dir
    }

    /// Local games and games only peers have, with what peers hold.
    pub async fn list_games(&self) -> Result<LibrarySnapshot, Stopped> {
        let mut snapshot = self.ask(Request::ListGames).await?;
        if let Some(net) = &self.inner.net {
            let remote = net.remote();
            let local = std::mem::take(&mut snapshot.games);
            snapshot.games = crate::remote::merge(local, &remote.peers, &self.inner.config.catalog);
        }
        Ok(snapshot)
    }

    pub async fn library_status(&self) -> Result<LibraryStatus, Stopped> {
        self.ask(Request::Status).await
    }

    /// Rescans the whole games folder; answers when a scan started after this call finishes.
    pub async fn rescan(&self) -> Result<ScanReport, Stopped> {
        self.ask(Request::Rescan).await
    }

    async fn ask<T>(&self, request: impl FnOnce(oneshot::Sender<T>) -> Request) -> Result<T, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.inner.requests.send(request(tx)).await.map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    fn downloads(&self) -> Result<&crate::transfer::Downloads, DownloadError> {
        self.inner.downloads.as_ref().ok_or(DownloadError::Offline)
    }

    /// Downloads `game` from every peer that has its newest version (or resumes the recorded
    /// partial download). Answers once the transfer is under way; events follow.
    pub async fn download(&self, game: &str) -> Result<Started, DownloadError> {
        self.downloads()?.start(game, Kind::Download).await
    }

    /// Downloads the newest version of a downloaded game next to the current one, then swaps.
    pub async fn update(&self, game: &str) -> Result<Started, DownloadError> {
        self.downloads()?.start(game, Kind::Update).await
    }

    /// Cancels a download; answers once its partial payload is removed.
    pub async fn cancel(&self, game: &str) -> Result<(), DownloadError> {
        self.downloads()?.cancel(game).await
    }

    /// Games with an operation running, and which.
    pub fn operations(&self) -> Vec<(String, String)> {
        crate::transfer::running(&self.inner.ops)
    }

    /// Games with a download recorded in the state folder (running, paused or failed with its
    /// verified chunks kept): their staged bytes live in the current games folder.
    pub fn recorded_downloads(&self) -> Vec<String> {
        let dir = crate::state::StateDir::downloads_dir_of(self.state_dir());
        let mut games: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| GameId::new(e.file_name().to_str()?).ok())
            .filter(|game| crate::transfer::StatePaths::new(&dir, game).record().is_file())
            .map(|game| game.to_string())
            .collect();
        games.sort();
        games
    }

    /// Installs `game` from its archives, or updates its installation; answers once it is
    /// claimed (`true` for an update); `install-finished` or `install-failed` follow.
    pub async fn install(&self, game: &str) -> Result<bool, crate::install::InstallCommandError> {
        self.inner.installs.install(game).await
    }

    /// Removes `game`'s installation (`local/`); answers when it is gone.
    pub async fn uninstall(&self, game: &str) -> Result<(), crate::install::InstallCommandError> {
        self.inner.installs.uninstall(game).await
    }

    /// Plays `game` (its first Play stamps the player's name and runs its setup).
    pub async fn play(&self, game: &str) -> Result<crate::launch::play::Launched, crate::install::InstallCommandError> {
        self.inner.installs.launch(game, false).await
    }

    /// Starts `game`'s server in a console.
    pub async fn start_server(
        &self,
        game: &str,
    ) -> Result<crate::launch::play::Launched, crate::install::InstallCommandError> {
        self.inner.installs.launch(game, true).await
    }

    /// Deletes a downloaded, uninstalled game's folder (strict checks first).
    pub async fn remove(&self, game: &str) -> Result<(), crate::install::InstallCommandError> {
        self.inner.installs.remove(game).await
    }

    /// The last runs of the unpacker, oldest first.
    pub fn unpack_log(&self) -> Vec<crate::install::unpack::UnpackRun> {
        self.inner.installs.unpack_log()
    }

    /// Bytes of chunks and manifests served to peers since start.
    pub fn uploaded_bytes(&self) -> u64 {
        self.inner.net.as_ref().map_or(0, Net::uploaded_bytes)
    }

    /// Stops every task of the runtime and waits for them.
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        self.inner.tasks.close();
        self.inner.tasks.wait().await;
    }
}

fn make_watcher(
    tx: mpsc::Sender<notify::Result<notify::Event>>,
    overflow: Arc<AtomicBool>,
) -> notify::Result<notify::RecommendedWatcher> {
    let handler = move |event: notify::Result<notify::Event>| {
        // Never block the watcher's thread: a full queue is an overflow, answered with a full
        // rescan once the actor catches up.
        if tx.try_send(event).is_err() {
            overflow.store(true, Ordering::Relaxed);
        }
    };
    notify::RecommendedWatcher::new(handler, notify::Config::default().with_follow_symlinks(false))
}

struct Running {
    full: bool,
    waiters: Vec<oneshot::Sender<ScanReport>>,
    root_waiters: Vec<oneshot::Sender<()>>,
}

struct ScanDone {
    /// `None` when the scan panicked; the library keeps its last state and retries later.
    output: Option<ScanOutput>,
    cache: HashCache,
    full: bool,
    only: BTreeSet<String>,
    elapsed: Duration,
}

struct LibraryActor {
    games_dir: PathBuf,
    catalog: Arc<Catalog>,
    cache_path: PathBuf,
    threads: usize,
    debounce: Duration,
    rescan_interval: Duration,
    events: broadcast::Sender<Event>,
    /// Roots by folder name, as of the last scan that could read the folder.
    roots: BTreeMap<String, Root>,
    /// Why the games folder cannot be read, while it cannot.
    unavailable: Option<String>,
    /// `None` while a scan holds it.
    cache: Option<HashCache>,
    /// Games with an operation running (downloads and installs set this).
    busy: HashSet<GameId>,
    debouncer: Debouncer,
    pending_full: bool,
    pending_roots: BTreeSet<String>,
    full_waiters: Vec<oneshot::Sender<ScanReport>>,
    running: Option<Running>,
    next_full: Instant,
    watcher: Option<notify::RecommendedWatcher>,
    watched: WatchSet,
    watch_roots: BTreeMap<String, Vec<(PathBuf, bool)>>,
    overflow: Arc<AtomicBool>,
    hashed_bytes_total: u64,
    cancel_hash: Arc<AtomicBool>,
    /// What this peer shares, for the network side.
    share: watch::Sender<Arc<LocalShare>>,
    /// `Some` until the first full scan completes: the `list-games` requests waiting for it.
    deferred: Option<Vec<Request>>,
    /// Manifests of just-committed downloads, for the hash cache (applied while no scan holds it).
    verified: Vec<(String, Arc<crate::library::Manifest>)>,
    /// Callers waiting for a scan of a root (by name) that starts after they asked.
    root_waiters: Vec<(String, oneshot::Sender<()>)>,
}

impl LibraryActor {
    async fn run(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        mut fs_events: mpsc::Receiver<notify::Result<notify::Event>>,
        shutdown: CancellationToken,
    ) {
        let (done_tx, mut done_rx) = mpsc::channel(1);
        loop {
            self.maybe_start_scan(&done_tx);
            let wake = self.next_wake();
            tokio::select! {
                _ = shutdown.cancelled() => break,
                request = requests.recv() => match request {
                    Some(request) => self.handle(request),
                    // Every handle is gone: nobody can ask anything or shut down politely.
                    None => break,
                },
                Some(event) = fs_events.recv() => self.on_fs_event(event),
                Some(done) = done_rx.recv() => self.on_scan_done(done),
                _ = tokio::time::sleep_until(wake) => self.on_timer(),
            }
        }
        if self.running.is_some() {
            self.cancel_hash.store(true, Ordering::Relaxed);
            // The scan saves the cache before it reports back.
            let _ = done_rx.recv().await;
        }
    }

    fn handle(&mut self, request: Request) {
        match request {
            // Before the first scan there is nothing true to say: an empty list would read as
            // "no games". Such requests are answered when it completes.
            request @ (Request::ListGames(_) | Request::Game(..)) if self.deferred.is_some() => {
                self.deferred.get_or_insert_with(Vec::new).push(request);
            }
            Request::Game(id, reply) => {
                let game = match self.roots.get(id.as_str()) {
                    Some(Root::Game(game)) => Some(game.as_ref().clone()),
                    _ => None,
                };
                let _ = reply.send(game);
            }
            Request::RescanGame { game, busy, reply } => {
                match busy {
                    Some(true) => {
                        self.busy.insert(game.clone());
                    }
                    Some(false) => {
                        self.busy.remove(&game);
                    }
                    None => {}
                }
                self.pending_roots.insert(game.to_string());
                self.root_waiters.push((game.to_string(), reply));
            }
            Request::Verified { game, manifest } => self.verified.push((game.to_string(), manifest)),
            Request::ListGames(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Request::Status(reply) => {
                let infos = self.infos();
                let _ = reply.send(LibraryStatus {
                    available: self.unavailable.is_none(),
                    reason: self.unavailable.clone(),
                    games: infos.len(),
                    shareable: infos.values().filter(|g| g.shareable).count(),
                    scanning: self.running.is_some(),
                    hashed_bytes: self.hashed_bytes_total,
                    cached_files: self.cache.as_ref().map_or(0, HashCache::len),
                });
            }
            Request::Rescan(reply) => {
                self.pending_full = true;
                self.full_waiters.push(reply);
            }
        }
    }

    fn snapshot(&self) -> LibrarySnapshot {
        let ignored = self
            .roots
            .iter()
            .filter_map(|(name, root)| match root {
                Root::Ignored(reason) => Some(IgnoredEntry { name: name.clone(), reason: reason.clone() }),
                Root::Game(_) => None,
            })
            .collect();
        LibrarySnapshot {
            available: self.unavailable.is_none(),
            reason: self.unavailable.clone(),
            games: self.infos().into_values().collect(),
            ignored,
        }
    }

    fn infos(&self) -> BTreeMap<String, GameInfo> {
        self.roots
            .values()
            .filter_map(|root| match root {
                Root::Game(game) => Some((game.id.to_string(), GameInfo::of(game, self.unavailable.as_deref()))),
                Root::Ignored(_) => None,
            })
            .collect()
    }

    fn next_wake(&self) -> Instant {
        let due = self.debouncer.next_due().map(Instant::from_std);
        due.map_or(self.next_full, |d| d.min(self.next_full))
    }

    fn on_timer(&mut self) {
        let now = Instant::now();
        self.pending_roots.extend(self.debouncer.take_due(now.into_std()));
        if now >= self.next_full {
            self.pending_full = true;
            // Re-armed when that scan finishes.
            self.next_full = now + Duration::from_secs(24 * 3600);
        }
    }

    fn on_fs_event(&mut self, event: notify::Result<notify::Event>) {
        if self.overflow.swap(false, Ordering::Relaxed) {
            self.pending_full = true;
        }
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(error = %e, "file watcher error; rescanning everything");
                self.pending_full = true;
                return;
            }
        };
        if event.need_rescan() {
            self.pending_full = true;
            return;
        }
        if matches!(event.kind, notify::EventKind::Access(_)) {
            // Reads, including our own hashing, change nothing.
            return;
        }
        let now = Instant::now().into_std();
        for path in &event.paths {
            match fswatch::classify(&self.games_dir, path) {
                Trigger::Full => self.pending_full = true,
                Trigger::Root(root) => self.debouncer.touch(root, now, self.debounce),
                Trigger::Nothing => {}
            }
        }
    }

    fn maybe_start_scan(&mut self, done_tx: &mpsc::Sender<ScanDone>) {
        if self.running.is_some() {
            return;
        }
        let (full, only) = if self.pending_full {
            self.pending_full = false;
            self.pending_roots.clear();
            (true, BTreeSet::new())
        } else if !self.pending_roots.is_empty() {
            (false, std::mem::take(&mut self.pending_roots))
        } else {
            return;
        };
        if let Some(cache) = self.cache.as_mut() {
            for (root, manifest) in std::mem::take(&mut self.verified) {
                scan::seed_cache(cache, &self.games_dir, &root, &manifest);
            }
        }
        let Some(mut cache) = self.cache.take() else {
            // Only a running scan holds the cache, and none runs.
            return;
        };
        let waiters = if full { std::mem::take(&mut self.full_waiters) } else { Vec::new() };
        let (covered, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.root_waiters).into_iter().partition(|(root, _)| full || only.contains(root));
        self.root_waiters = later;
        let root_waiters = covered.into_iter().map(|(_, reply)| reply).collect();
        self.running = Some(Running { full, waiters, root_waiters });

        let games_dir = self.games_dir.clone();
        let catalog = self.catalog.clone();
        let busy = self.busy.clone();
        let threads = self.threads;
        let cancel = self.cancel_hash.clone();
        let events = self.events.clone();
        let cache_path = self.cache_path.clone();
        let done_tx = done_tx.clone();
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let request = ScanRequest {
                games_dir: &games_dir,
                catalog: &catalog,
                busy: &busy,
                only: (!full).then_some(&only),
                threads,
                cancel: &cancel,
            };
            let progress = |p: HashProgress| {
                let _ = events.send(Event::HashProgressed {
                    game: p.game.to_string(),
                    bytes_done: p.bytes_done,
                    bytes_total: p.bytes_total,
                });
            };
            let scanned =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan::scan(&request, &mut cache, &progress)));
            let output = scanned.ok();
            if let Err(e) = cache.save_if_dirty(&cache_path) {
                let message = format!("cannot save the hash cache to {}: {e}", cache_path.display());
                let _ = events.send(Event::Warning { message });
            }
            let elapsed = started.elapsed();
            let _ = done_tx.blocking_send(ScanDone { output, cache, full, only, elapsed });
        });
    }

    fn on_scan_done(&mut self, done: ScanDone) {
        let ScanDone { output, cache, full, only, elapsed } = done;
        self.cache = Some(cache);
        let running = self.running.take();
        let Some(mut output) = output else {
            let message = "the library scan failed unexpectedly; it will be retried".to_owned();
            let _ = self.events.send(Event::Warning { message });
            // Those waiting for this scan wait for the retry, which is a full scan.
            // The busy flags they may wait for are set, and the share follows them now (a game
            // taken busy leaves it); the next scan refreshes the rest.
            self.publish_share();
            if let Some(running) = running {
                self.full_waiters.extend(running.waiters);
                for reply in running.root_waiters {
                    let _ = reply.send(());
                }
            }
            // Retry at the next periodic scan; waiters learn nothing better by waiting.
            self.next_full = Instant::now() + self.rescan_interval.min(Duration::from_secs(60));
            return;
        };
        self.hashed_bytes_total += output.stats.hashed_bytes;
        let before = self.infos();

        match &output.availability {
            Err(e) => {
                let reason = e.to_string();
                if self.unavailable.as_ref() != Some(&reason) {
                    let event = Event::LibraryUnavailable { games_dir: self.games_dir.clone(), reason: reason.clone() };
                    let _ = self.events.send(event);
                }
                self.unavailable = Some(reason);
                self.debouncer.clear();
            }
            Ok(()) => {
                if self.unavailable.take().is_some() {
                    let _ = self.events.send(Event::LibraryAvailable { games_dir: self.games_dir.clone() });
                }
                if full {
                    self.roots = std::mem::take(&mut output.roots);
                    self.watch_roots = std::mem::take(&mut output.watch);
                } else {
                    for name in &only {
                        match output.roots.remove(name) {
                            Some(root) => self.roots.insert(name.clone(), root),
                            None => self.roots.remove(name),
                        };
                        match output.watch.remove(name) {
                            Some(dirs) => self.watch_roots.insert(name.clone(), dirs),
                            None => self.watch_roots.remove(name),
                        };
                    }
                }
                let now = Instant::now().into_std();
                for root in std::mem::take(&mut output.unsettled) {
                    self.debouncer.touch(root, now, self.debounce);
                }
            }
        }
        self.sync_watches();
        self.publish_share();

        let after = self.infos();
        let games: Vec<GameInfo> =
            after.iter().filter(|(id, info)| before.get(*id) != Some(info)).map(|(_, i)| i.clone()).collect();
        let removed: Vec<String> = before.keys().filter(|id| !after.contains_key(*id)).cloned().collect();
        if !games.is_empty() || !removed.is_empty() {
            let _ = self.events.send(Event::LibraryChanged { games, removed });
        }

        let stats = output.stats;
        let report = ScanReport {
            full,
            available: output.availability.is_ok(),
            roots: stats.roots,
            files: stats.files,
            hashed_files: stats.hashed_files,
            hashed_bytes: stats.hashed_bytes,
            ms: elapsed.as_millis() as u64,
        };
        let _ = self.events.send(Event::ScanFinished(report.clone()));
        if full {
            for request in self.deferred.take().unwrap_or_default() {
                self.handle(request);
            }
        }
        if let Some(running) = running {
            for waiter in running.waiters {
                let _ = waiter.send(report.clone());
            }
            for reply in running.root_waiters {
                let _ = reply.send(());
            }
            if running.full {
                let period = if self.unavailable.is_some() { UNAVAILABLE_POLL } else { self.rescan_interval };
                self.next_full = Instant::now() + period;
            }
        }
    }

    /// Publishes the shareable games if they changed, under a new revision.
    fn publish_share(&mut self) {
        let current = self.share.borrow().clone();
        let games: BTreeMap<GameId, SharedGame> = if self.unavailable.is_some() {
            BTreeMap::new()
        } else {
            self.roots
                .iter()
                .filter_map(|(name, root)| match root {
                    // A busy game is never served, whatever its last scan said.
                    Root::Game(g) if g.is_shareable() && !self.busy.contains(&g.id) => {
                        g.manifest.clone().map(|manifest| {
                            #[cfg(feature = "test-faults")]
                            let manifest = test_faults::hostile_manifest(manifest);
                            let meta = (g.meta_source == crate::library::MetaSource::GameJson).then(|| g.meta.clone());
                            // Serialized once per manifest, not once per request.
                            let manifest_json = match current.games.get(&g.id) {
                                Some(old) if old.manifest.hash == manifest.hash => old.manifest_json.clone(),
                                _ => serde_json::to_vec(manifest.as_ref()).unwrap_or_default().into(),
                            };
                            (
                                g.id.clone(),
                                SharedGame { manifest, manifest_json, root: self.games_dir.join(name), meta },
                            )
                        })
                    }
                    _ => None,
                })
                .collect()
        };
        let same = current.games.len() == games.len()
            && current.games.iter().zip(&games).all(|((a, x), (b, y))| a == b && x.manifest.hash == y.manifest.hash);
        if !same {
            self.share.send_replace(Arc::new(LocalShare { revision: current.revision + 1, games }));
        }
    }

    /// Brings the watcher's folders in line with the roots: the games folder, every root, and
    /// the top-level folders of games. A vanished games folder took its watches with it.
    fn sync_watches(&mut self) {
        let Some(watcher) = self.watcher.as_mut() else { return };
        let mut wanted = WatchSet::new();
        if self.unavailable.is_none() {
            wanted.insert(self.games_dir.clone(), false);
            for dirs in self.watch_roots.values() {
                wanted.extend(dirs.iter().cloned());
            }
        }
        let (remove, add) = fswatch::diff(&self.watched, &wanted);
        for path in remove {
            let _ = watcher.unwatch(&path);
            self.watched.remove(&path);
        }
        let mut failed = Vec::new();
        let now = Instant::now().into_std();
        for (path, recursive) in add {
            let mode = if recursive { notify::RecursiveMode::Recursive } else { notify::RecursiveMode::NonRecursive };
            match watcher.watch(&path, mode) {
                Ok(()) => {
                    // What changed between the scan that found this folder and now made no
                    // event: look at its root once more.
                    if let fswatch::Trigger::Root(root) = fswatch::classify(&self.games_dir, &path) {
                        self.debouncer.touch(root, now, self.debounce);
                    }
                    self.watched.insert(path, recursive);
                }
                Err(e) => failed.push((path, e)),
            }
        }
        // A folder that vanished since the scan is retried by the next scan; anything else
        // (the inotify watch limit) deserves a word to the user.
        let failed: Vec<_> = failed
            .into_iter()
            .filter(|(path, _)| path.exists())
            .map(|(path, e)| format!("{} ({e})", path.display()))
            .collect();
        if let Some(first) = failed.first() {
            let message = format!(
                "cannot watch {} folder(s), for example {first}; changes there are seen at the periodic rescan",
                failed.len()
            );
            let _ = self.events.send(Event::Warning { message });
        }
    }
}

/// Fault switches for the integration tests, compiled only with the `test-faults` feature.
#[cfg(feature = "test-faults")]
mod test_faults {
    use std::sync::Arc;

    use crate::library::Manifest;

    /// With `LANPARTY_TEST_HOSTILE_MANIFEST` set, every shared manifest gains a file that would
    /// land outside the game folder, with hashes recomputed so only the path is wrong.
    pub fn hostile_manifest(manifest: Arc<Manifest>) -> Arc<Manifest> {
        if std::env::var_os("LANPARTY_TEST_HOSTILE_MANIFEST").is_none() {
            return manifest;
        }
        let mut files = manifest.files.clone();
        if let Some(first) = files.first().cloned() {
            files.push(crate::library::FileEntry { path: "../escape.rar".into(), ..first });
        }
        Arc::new(Manifest::new(manifest.game.clone(), manifest.version.clone(), files))
    }
}
