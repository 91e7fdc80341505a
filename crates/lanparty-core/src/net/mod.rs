//! Peers: the QUIC endpoint, connections to other Lanparty peers, and serving their requests.
//!
//! One task, the peer manager, owns the peer table (who is connected, over which connection,
//! with which library), the dial targets (manual addresses, mDNS finds, addresses learned by
//! peer exchange) and their backoff. Connection tasks report to it; it publishes what it knows
//! as a [`RemoteView`] on a watch channel and as [`Event`]s.
//!
//! # Layout
//!
//! - [`tls`]: certificates pinned by peer id.
//! - `endpoint`: binding the UDP port and the transport limits.
//! - `serve`: answering requests (manifests, chunks, pings, library deltas, peer exchange).
//!
//! A connection starts with `hello` from the dialer, answered by `hello-ack`; each side checks
//! that the peer id in the hello is the one the TLS handshake proved. Libraries then change by
//! pushed, revisioned deltas; a gap in revisions is mended by asking for the whole library.

mod endpoint;
mod limit;
mod serve;
pub mod tls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::{GameId, GameMeta};
use crate::identity::{Identity, PeerId};
use crate::library::Manifest;
use crate::proto::{self, ErrorCode, GameSummary, Hello, LibraryDelta, LibrarySummary, PeerAddr, Request, Response};
use crate::runtime::Event;

pub use endpoint::DEFAULT_PORT;

/// How long a hello may take before the connection is dropped.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
/// Quiet time after a local library change before peers are told.
const DELTA_DEBOUNCE: Duration = Duration::from_millis(250);
/// Backoff between dial attempts to one address: doubles from the first to the last.
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// Most dial targets kept; manual ones are never evicted.
const MAX_TARGETS: usize = 512;
/// Dials in flight at once.
const MAX_DIALS: usize = 32;
/// Dial targets learned by peer exchange, at most: a peer cannot flood the table with
/// addresses (each message is also bounded, `proto::MAX_PEX_PEERS`).
const MAX_EXCHANGE_TARGETS: usize = 128;
/// Bad requests tolerated on one connection before it is closed.
const MAX_STRIKES: u32 = 20;

/// A game this peer shares, as the library publishes it for serving.
#[derive(Clone, Debug)]
pub struct SharedGame {
    pub manifest: Arc<Manifest>,
    /// The manifest as sent on the wire, serialized once.
    pub manifest_json: Arc<[u8]>,
    /// The game root on disk.
    pub root: PathBuf,
    /// Metadata sent along for games the catalog may lack.
    pub meta: Option<GameMeta>,
}

/// What this peer shares, at a revision that grows with every change.
#[derive(Clone, Debug, Default)]
pub struct LocalShare {
    pub revision: u64,
    pub games: BTreeMap<GameId, SharedGame>,
}

impl LocalShare {
    pub fn summary(&self) -> LibrarySummary {
        LibrarySummary {
            revision: self.revision,
            games: self
                .games
                .values()
                .map(|g| GameSummary {
                    id: g.manifest.game.clone(),
                    version: g.manifest.version.clone(),
                    manifest_hash: g.manifest.hash,
                    size: g.manifest.size(),
                    meta: g.meta.clone().map(Box::new),
                })
                .collect(),
        }
    }
}

/// A connected peer as others see it.
#[derive(Clone, Debug, Serialize)]
pub struct RemotePeer {
    pub peer_id: PeerId,
    pub short_id: String,
    pub name: String,
    /// The address to dial it back on.
    pub addr: SocketAddr,
    pub library: LibrarySummary,
    /// The live connection, for its round-trip time.
    #[serde(skip)]
    pub conn: quinn::Connection,
}

impl RemotePeer {
    /// Current round-trip time estimate of the connection, in milliseconds.
    pub fn rtt_ms(&self) -> f64 {
        self.conn.rtt().as_secs_f64() * 1e3
    }
}

/// Every connected peer and its library.
#[derive(Clone, Debug, Default)]
pub struct RemoteView {
    pub peers: Vec<RemotePeer>,
}

/// Why a dial target is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Manual,
    Mdns,
    Exchange,
}

/// How to start networking.
#[derive(Clone, Debug)]
pub struct NetConfig {
    /// UDP port to listen on; 0 for any. When taken, the next free ones are tried.
    pub port: u16,
    pub name: String,
    /// Manual peers' addresses, resolved.
    pub manual: Vec<SocketAddr>,
    /// Most bytes per second served to all peers together; `None` for no limit.
    pub upload_limit: Option<u64>,
}

/// Why a peer command failed.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot listen on UDP port {port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("no connected peer {0}")]
    NoSuchPeer(String),
    #[error("peer {peer} did not answer: {reason}")]
    Request { peer: String, reason: String },
    #[error("networking has stopped")]
    Stopped,
}

pub(crate) enum Command {
    AddTarget { addr: SocketAddr, expected: Option<PeerId>, source: Source },
    RemoveTarget { addr: SocketAddr, reply: oneshot::Sender<bool> },
    Connection(quinn::Connection),
    Connected(Box<Established>),
    Disconnected { peer_id: PeerId, stable_id: usize, reason: String },
    DialFailed { addr: SocketAddr, reason: String },
    Delta { peer_id: PeerId, delta: LibraryDelta },
    Library { peer_id: PeerId, library: LibrarySummary },
    Learned { from: PeerId, peers: Vec<PeerAddr> },
    ConnectionOf { peer_id: PeerId, reply: oneshot::Sender<Option<quinn::Connection>> },
}

/// A connection whose hello exchange succeeded.
pub(crate) struct Established {
    conn: quinn::Connection,
    peer_id: PeerId,
    hello: Hello,
    is_dialer: bool,
    /// The address to dial the peer back on.
    addr: SocketAddr,
    /// For dials: the target that led here.
    target: Option<SocketAddr>,
    /// The library revision our hello (or hello-ack) announced.
    announced: u64,
}

/// Handle to the peer manager.
#[derive(Clone, Debug)]
pub struct Net {
    tx: mpsc::Sender<Command>,
    local_addr: SocketAddr,
    remote: watch::Receiver<Arc<RemoteView>>,
    uploaded: Arc<std::sync::atomic::AtomicU64>,
    upload_limit: Arc<limit::RateLimit>,
}

impl Net {
    /// Binds the endpoint and starts the peer manager and the accept loop.
    pub(crate) fn start(
        config: NetConfig,
        identity: Identity,
        share: watch::Receiver<Arc<LocalShare>>,
        events: broadcast::Sender<Event>,
        shutdown: CancellationToken,
        tasks: &TaskTracker,
    ) -> Result<Net, NetError> {
        let server = tls::server_config(&identity)?;
        let endpoint = endpoint::bind(config.port, server)?;
        let local_addr = endpoint.local_addr().map_err(|source| NetError::Bind { port: config.port, source })?;
        let (tx, rx) = mpsc::channel(1024);
        let (remote_tx, remote) = watch::channel(Arc::new(RemoteView::default()));
        let ctx = Arc::new(Ctx {
            identity,
            name: config.name.clone(),
            listen_port: local_addr.port(),
            share,
            manager: tx.clone(),
            shutdown: shutdown.clone(),
            tasks: tasks.clone(),
            uploads: Arc::new(tokio::sync::Semaphore::new(serve::MAX_CONCURRENT_UPLOADS)),
            uploaded: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            limit: Arc::new(limit::RateLimit::new(config.upload_limit.unwrap_or(0))),
        });
        let uploaded = ctx.uploaded.clone();
        let upload_limit = ctx.limit.clone();
        tasks.spawn(endpoint::accept_loop(endpoint.clone(), ctx.clone()));
        let manager = Manager {
            ctx,
            endpoint,
            rx,
            events,
            remote: remote_tx,
            peers: HashMap::new(),
            targets: HashMap::new(),
            sent_summary: None,
        };
        tasks.spawn(manager.run(config.manual));
        Ok(Net { tx, local_addr, remote, uploaded, upload_limit })
    }

    /// Sets the most bytes per second served to all peers together (`None` for no limit), for
    /// the blocks sent from now on.
    pub fn set_upload_limit(&self, bytes_per_s: Option<u64>) {
        self.upload_limit.set_rate(bytes_per_s.unwrap_or(0));
    }

    /// Bytes of chunks and manifests served to peers since start.
    pub fn uploaded_bytes(&self) -> u64 {
        self.uploaded.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Connected peers and their libraries.
    pub fn remote(&self) -> Arc<RemoteView> {
        self.remote.borrow().clone()
    }

    /// A receiver that changes whenever a peer joins, leaves or changes its library.
    pub fn watch_remote(&self) -> watch::Receiver<Arc<RemoteView>> {
        self.remote.clone()
    }

    pub async fn add_target(&self, addr: SocketAddr, expected: Option<PeerId>, source: Source) -> Result<(), NetError> {
        self.tx.send(Command::AddTarget { addr, expected, source }).await.map_err(|_| NetError::Stopped)
    }

    /// Forgets a dial target and disconnects the peer behind it; `false` if it was unknown.
    pub async fn remove_target(&self, addr: SocketAddr) -> Result<bool, NetError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::RemoveTarget { addr, reply }).await.map_err(|_| NetError::Stopped)?;
        rx.await.map_err(|_| NetError::Stopped)
    }

    pub(crate) async fn connection(&self, peer_id: PeerId) -> Result<quinn::Connection, NetError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::ConnectionOf { peer_id, reply }).await.map_err(|_| NetError::Stopped)?;
        rx.await.map_err(|_| NetError::Stopped)?.ok_or_else(|| NetError::NoSuchPeer(peer_id.short()))
    }

    /// Round trip of a `ping` request on a fresh stream.
    pub async fn ping(&self, peer_id: PeerId) -> Result<Duration, NetError> {
        let conn = self.connection(peer_id).await?;
        let nonce = rand_nonce();
        let started = std::time::Instant::now();
        let fail = |reason: String| NetError::Request { peer: peer_id.short(), reason };
        match request(&conn, &Request::Ping { nonce }).await.map_err(|e| fail(e.to_string()))? {
            Response::Pong { nonce: n } if n == nonce => Ok(started.elapsed()),
            other => Err(fail(format!("unexpected answer {other:?}"))),
        }
    }
}

fn rand_nonce() -> u64 {
    let mut bytes = [0u8; 8];
    // The nonce only pairs a pong with its ping; a failing system RNG leaves it zero.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    u64::from_le_bytes(bytes)
}

/// What connection tasks share.
pub(crate) struct Ctx {
    identity: Identity,
    name: String,
    listen_port: u16,
    share: watch::Receiver<Arc<LocalShare>>,
    manager: mpsc::Sender<Command>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    uploads: Arc<tokio::sync::Semaphore>,
    /// Bulk bytes served, for status and tests.
    uploaded: Arc<std::sync::atomic::AtomicU64>,
    /// The upload limit, shared with [`Net`] so it can change while serving.
    limit: Arc<limit::RateLimit>,
}

impl Ctx {
    fn hello(&self) -> Hello {
        Hello {
            peer_id: self.identity.peer_id.to_string(),
            protocol: proto::PROTOCOL_VERSION,
            listen_port: self.listen_port,
            name: self.name.clone(),
            library: self.share.borrow().summary(),
        }
    }
}

/// Why a request to a peer failed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("connection: {0}")]
    Connection(#[from] quinn::ConnectionError),
    #[error("write: {0}")]
    Write(#[from] quinn::WriteError),
    #[error("stream closed: {0}")]
    Closed(#[from] quinn::ClosedStream),
    #[error("{0}")]
    Proto(#[from] proto::ProtoError),
    #[error("no answer within {} s", ANSWER_TIMEOUT.as_secs())]
    TimedOut,
}

/// How long a peer may take to answer a control request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one request on a new stream and reads the answer frame, within [`ANSWER_TIMEOUT`].
pub(crate) async fn request(conn: &quinn::Connection, req: &Request) -> Result<Response, RequestError> {
    let exchange = async {
        let (mut send, mut recv) = conn.open_bi().await?;
        proto::write_frame(&mut send, req).await.map_err(|e| RequestError::Proto(e.into()))?;
        send.finish()?;
        Ok(proto::read_response(&mut recv).await?)
    };
    tokio::time::timeout(ANSWER_TIMEOUT, exchange).await.map_err(|_| RequestError::TimedOut)?
}

/// Connections this old are settled: a second one between the same peers is a reconnect (the
/// other side restarted, the old connection has not timed out yet), not a simultaneous dial.
const SETTLED_AFTER: Duration = Duration::from_secs(3);

/// Whether to keep `new` over `old`, two connections between the same two peers. Two dials that
/// crossed (both young): the one the smaller peer id dialed wins, so both ends choose the same.
/// Otherwise, a reconnect: the newer one.
fn keep_new(us: PeerId, them: PeerId, old_is_dialer: bool, new_is_dialer: bool, old_age: Duration) -> bool {
    if old_is_dialer == new_is_dialer || old_age >= SETTLED_AFTER {
        return true;
    }
    let we_are_smaller = us < them;
    new_is_dialer == we_are_smaller
}

struct Peer {
    conn: quinn::Connection,
    is_dialer: bool,
    since: Instant,
    name: String,
    addr: SocketAddr,
    library: LibrarySummary,
}

struct Target {
    expected: Option<PeerId>,
    /// The peer this address led to, once a handshake proved it.
    proven: Option<PeerId>,
    source: Source,
    failures: u32,
    next_try: Instant,
    in_flight: bool,
    added: Instant,
}

struct Manager {
    ctx: Arc<Ctx>,
    endpoint: quinn::Endpoint,
    rx: mpsc::Receiver<Command>,
    events: broadcast::Sender<Event>,
    remote: watch::Sender<Arc<RemoteView>>,
    peers: HashMap<PeerId, Peer>,
    targets: HashMap<SocketAddr, Target>,
    /// The library last announced to peers.
    sent_summary: Option<LibrarySummary>,
}

impl Manager {
    async fn run(mut self, manual: Vec<SocketAddr>) {
        for addr in manual {
            self.add_target(addr, None, Source::Manual);
        }
        let mut share = self.ctx.share.clone();
        self.sent_summary = Some(share.borrow_and_update().summary());
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut delta_due: Option<Instant> = None;
        loop {
            let delta_sleep = async {
                match delta_due {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = self.ctx.shutdown.cancelled() => break,
                Some(command) = self.rx.recv() => self.handle(command),
                changed = share.changed() => {
                    if changed.is_err() { break }
                    delta_due = Some(Instant::now() + DELTA_DEBOUNCE);
                }
                _ = delta_sleep => {
                    delta_due = None;
                    self.push_delta();
                }
                _ = tick.tick() => self.dial_due(),
            }
        }
        for peer in self.peers.values() {
            peer.conn.close(ErrorCode::ShuttingDown.code().into(), b"shutting down");
        }
        // Let the close frames leave before the endpoint goes.
        tokio::time::timeout(Duration::from_secs(1), self.endpoint.wait_idle()).await.ok();
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::AddTarget { addr, expected, source } => self.add_target(addr, expected, source),
            Command::RemoveTarget { addr, reply } => {
                let removed = self.targets.remove(&addr);
                let peer = removed
                    .as_ref()
                    .and_then(|t| t.proven)
                    .or_else(|| self.peers.iter().find(|(_, p)| p.addr == addr).map(|(id, _)| *id));
                if let Some(peer) = peer.and_then(|id| self.peers.get(&id)) {
                    peer.conn.close(0u32.into(), b"removed");
                }
                let _ = reply.send(removed.is_some() || peer.is_some());
            }
            Command::Connection(conn) => {
                self.ctx.tasks.spawn(endpoint::handshake_incoming(conn, self.ctx.clone()));
            }
            Command::Connected(established) => self.connected(*established),
            Command::Disconnected { peer_id, stable_id, reason } => {
                let is_current = self.peers.get(&peer_id).is_some_and(|p| p.conn.stable_id() == stable_id);
                if is_current {
                    if let Some(peer) = self.peers.remove(&peer_id) {
                        // The view first: a host reacting to the event reads the new state.
                        self.publish();
                        let event = Event::PeerLeft { peer_id: peer_id.to_string(), name: peer.name, reason };
                        let _ = self.events.send(event);
                    }
                }
            }
            Command::DialFailed { addr, reason } => {
                if let Some(t) = self.targets.get_mut(&addr) {
                    t.in_flight = false;
                    t.failures = t.failures.saturating_add(1);
                    t.next_try = Instant::now() + backoff(t.failures);
                    tracing::debug!(%addr, %reason, failures = t.failures, "dial failed");
                }
            }
            Command::Delta { peer_id, delta } => {
                let Some(peer) = self.peers.get_mut(&peer_id) else { return };
                if delta.revision <= peer.library.revision {
                    return; // already applied
                }
                if delta.base != peer.library.revision {
                    // A gap: ask for everything.
                    let conn = peer.conn.clone();
                    let tx = self.ctx.manager.clone();
                    self.ctx.tasks.spawn(async move {
                        if let Ok(Response::Library(library)) = request(&conn, &Request::GetLibrary).await {
                            let _ = tx.send(Command::Library { peer_id, library }).await;
                        }
                    });
                    return;
                }
                let mut games: BTreeMap<GameId, GameSummary> =
                    std::mem::take(&mut peer.library.games).into_iter().map(|g| (g.id.clone(), g)).collect();
                for id in &delta.removed {
                    games.remove(id);
                }
                for g in delta.upserts {
                    games.insert(g.id.clone(), g);
                }
                if games.len() > proto::MAX_GAMES {
                    peer.conn.close(ErrorCode::Misbehaving.code().into(), b"library too large");
                    return;
                }
                peer.library = LibrarySummary { revision: delta.revision, games: games.into_values().collect() };
                self.library_changed(peer_id);
            }
            Command::Library { peer_id, library } => {
                if let Some(peer) = self.peers.get_mut(&peer_id) {
                    if library.revision >= peer.library.revision {
                        peer.library = library;
                        self.library_changed(peer_id);
                    }
                }
            }
            Command::Learned { from, peers } => {
                for learned in peers {
                    let Some(id) = PeerId::parse(&learned.peer_id) else { continue };
                    if id == self.ctx.identity.peer_id || self.peers.contains_key(&id) {
                        continue;
                    }
                    // Trusted only once a handshake proves `id` behind the address.
                    for addr in learned.addrs {
                        let learned_count = self.targets.values().filter(|t| t.source == Source::Exchange).count();
                        if learned_count >= MAX_EXCHANGE_TARGETS && !self.targets.contains_key(&addr) {
                            tracing::debug!(from = %from.short(), "peer exchange table full; ignoring the rest");
                            return;
                        }
                        tracing::debug!(from = %from.short(), peer = %id.short(), %addr, "learned a peer");
                        self.add_target(addr, Some(id), Source::Exchange);
                    }
                }
            }
            Command::ConnectionOf { peer_id, reply } => {
                let _ = reply.send(self.peers.get(&peer_id).map(|p| p.conn.clone()));
            }
        }
    }

    fn add_target(&mut self, addr: SocketAddr, expected: Option<PeerId>, source: Source) {
        if let Some(t) = self.targets.get_mut(&addr) {
            // A manual target stays manual and accepts whoever proves itself there: a find (which
            // anyone can fake) never pins it to an id. Between finds, the latest claim stands.
            if source == Source::Manual {
                t.source = Source::Manual;
                t.expected = None;
            } else if t.source != Source::Manual {
                t.expected = expected;
            }
            if !t.in_flight && t.failures > 0 && source != Source::Exchange {
                t.next_try = Instant::now();
            }
            return;
        }
        if self.targets.len() >= MAX_TARGETS {
            // Evict among targets of the same or a less trusted kind: an exchanged address never
            // pushes out an mDNS find, and nothing pushes out a manual one.
            let evictable = |t: &Target| match source {
                Source::Manual | Source::Mdns => t.source != Source::Manual,
                Source::Exchange => t.source == Source::Exchange,
            };
            let oldest = self
                .targets
                .iter()
                .filter(|(_, t)| evictable(t) && !t.in_flight)
                .min_by_key(|(_, t)| t.added)
                .map(|(a, _)| *a);
            match oldest {
                Some(a) => {
                    self.targets.remove(&a);
                }
                None => return,
            }
        }
        let now = Instant::now();
        let target =
            Target { expected, proven: None, source, failures: 0, next_try: now, in_flight: false, added: now };
        self.targets.insert(addr, target);
        self.dial_due();
    }

    fn dial_due(&mut self) {
        let now = Instant::now();
        let own = self.ctx.identity.peer_id;
        let mut in_flight = self.targets.values().filter(|t| t.in_flight).count();
        // One dial per peer id at a time: a peer with two addresses (two interfaces, or a manual
        // and an mDNS one) is not dialed twice at once, which would race two connections.
        let mut dialing: HashSet<PeerId> =
            self.targets.values().filter(|t| t.in_flight).filter_map(|t| t.expected.or(t.proven)).collect();
        for (addr, target) in &mut self.targets {
            if in_flight >= MAX_DIALS {
                break;
            }
            let known = target.expected.or(target.proven);
            let connected =
                known.is_some_and(|id| self.peers.contains_key(&id)) || self.peers.values().any(|p| p.addr == *addr);
            let busy = known.is_some_and(|id| dialing.contains(&id));
            if target.in_flight || target.next_try > now || connected || busy || known == Some(own) {
                continue;
            }
            if let Some(id) = known {
                dialing.insert(id);
            }
            in_flight += 1;
            target.in_flight = true;
            let (endpoint, ctx, addr, expected) = (self.endpoint.clone(), self.ctx.clone(), *addr, target.expected);
            self.ctx.tasks.spawn(endpoint::dial(endpoint, ctx, addr, expected));
        }
    }

    fn connected(&mut self, e: Established) {
        let Established { conn, peer_id, hello, is_dialer, addr, target, announced } = e;
        if let Some(t) = target.and_then(|a| self.targets.get_mut(&a)) {
            t.in_flight = false;
            t.failures = 0;
            t.proven = Some(peer_id);
        }
        if peer_id == self.ctx.identity.peer_id {
            // Dialed ourselves through some address; never again.
            conn.close(ErrorCode::Duplicate.code().into(), b"self");
            if let Some(a) = target {
                self.targets.remove(&a);
            }
            return;
        }
        if let Some(old) = self.peers.get(&peer_id) {
            if old.conn.close_reason().is_none()
                && !keep_new(self.ctx.identity.peer_id, peer_id, old.is_dialer, is_dialer, old.since.elapsed())
            {
                conn.close(ErrorCode::Duplicate.code().into(), b"duplicate connection");
                return;
            }
            old.conn.close(ErrorCode::Duplicate.code().into(), b"duplicate connection");
        }
        let is_new = !self.peers.contains_key(&peer_id);
        let peer = Peer {
            conn: conn.clone(),
            is_dialer,
            since: Instant::now(),
            name: hello.name.clone(),
            addr,
            library: hello.library,
        };
        self.peers.insert(peer_id, peer);
        // A delta pushed between our hello and now went to everyone but this peer: nudge it
        // with an empty delta at the current revision; the gap makes it ask for the library.
        let current = self.sent_summary.as_ref().map_or(0, |s| s.revision);
        if current != announced {
            let nudge = LibraryDelta { base: current, revision: current, upserts: vec![], removed: vec![] };
            let conn = conn.clone();
            self.ctx.tasks.spawn(async move {
                let _ = request(&conn, &Request::LibraryDelta(nudge)).await;
            });
        }
        self.ctx.tasks.spawn(serve::drive(conn, peer_id, self.ctx.clone()));
        self.exchange_peers(peer_id);
        self.publish();
        if is_new {
            let event = Event::PeerJoined {
                peer_id: peer_id.to_string(),
                short_id: peer_id.short(),
                name: hello.name,
                addr: addr.to_string(),
            };
            let _ = self.events.send(event);
        }
    }

    /// Tells the new peer about everyone else, and everyone else about the new peer.
    fn exchange_peers(&self, newcomer: PeerId) {
        let entry = |id: &PeerId, p: &Peer| PeerAddr { peer_id: id.to_string(), addrs: vec![p.addr] };
        let Some(new_peer) = self.peers.get(&newcomer) else { return };
        let others: Vec<PeerAddr> =
            self.peers.iter().filter(|(id, _)| **id != newcomer).map(|(id, p)| entry(id, p)).collect();
        let mut sends = Vec::new();
        if !others.is_empty() {
            sends.push((new_peer.conn.clone(), others.into_iter().take(proto::MAX_PEX_PEERS).collect()));
        }
        for (id, p) in &self.peers {
            if *id != newcomer {
                sends.push((p.conn.clone(), vec![entry(&newcomer, new_peer)]));
            }
        }
        for (conn, peers) in sends {
            self.ctx.tasks.spawn(async move {
                let _ = request(&conn, &Request::Peers { peers }).await;
            });
        }
    }

    fn push_delta(&mut self) {
        let summary = self.ctx.share.borrow().summary();
        let Some(sent) = self.sent_summary.replace(summary.clone()) else { return };
        let old: HashMap<&GameId, &GameSummary> = sent.games.iter().map(|g| (&g.id, g)).collect();
        let new: HashMap<&GameId, &GameSummary> = summary.games.iter().map(|g| (&g.id, g)).collect();
        let upserts: Vec<GameSummary> = summary.games.iter().filter(|g| old.get(&g.id) != Some(g)).cloned().collect();
        let removed: Vec<GameId> =
            sent.games.iter().filter(|g| !new.contains_key(&g.id)).map(|g| g.id.clone()).collect();
        if upserts.is_empty() && removed.is_empty() {
            return;
        }
        let delta = LibraryDelta { base: sent.revision, revision: summary.revision, upserts, removed };
        for peer in self.peers.values() {
            let (conn, delta) = (peer.conn.clone(), delta.clone());
            self.ctx.tasks.spawn(async move {
                let _ = request(&conn, &Request::LibraryDelta(delta)).await;
            });
        }
    }

    fn library_changed(&mut self, peer_id: PeerId) {
        self.publish();
        if let Some(peer) = self.peers.get(&peer_id) {
            let event = Event::PeerLibraryChanged {
                peer_id: peer_id.to_string(),
                revision: peer.library.revision,
                games: peer.library.games.len(),
            };
            let _ = self.events.send(event);
        }
    }

    fn publish(&self) {
        let peers = self
            .peers
            .iter()
            .map(|(id, p)| RemotePeer {
                peer_id: *id,
                short_id: id.short(),
                name: p.name.clone(),
                addr: p.addr,
                library: p.library.clone(),
                conn: p.conn.clone(),
            })
            .collect();
        self.remote.send_replace(Arc::new(RemoteView { peers }));
    }
}

fn backoff(failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(10);
    (BACKOFF_FIRST * factor).min(BACKOFF_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ends_keep_the_same_duplicate() {
        let a = Identity::generate().unwrap().peer_id;
        let b = Identity::generate().unwrap().peer_id;
        let (small, big) = if a < b { (a, b) } else { (b, a) };
        // The small peer holds: old = it dialed, new = big dialed. It keeps its own dial.
        let young = Duration::from_millis(100);
        assert!(!keep_new(small, big, true, false, young));
        // The big peer holds: old = it dialed, new = small dialed. It keeps small's dial.
        assert!(keep_new(big, small, true, false, young));
        // Reconnects of the same kind replace the old connection.
        assert!(keep_new(small, big, true, true, young));
        // A settled connection gives way to a new one: the other side restarted.
        assert!(keep_new(small, big, true, false, SETTLED_AFTER));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(4));
        assert_eq!(backoff(30), BACKOFF_MAX);
    }
}
