//! The QUIC endpoint: the UDP port, the transport limits, and the two ways a connection starts
//! (accepted, dialed), each ending in a hello exchange.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};

use super::{Command, Ctx, Established, HELLO_TIMEOUT, NetError, tls};
use crate::identity::PeerId;
use crate::proto::{self, ErrorCode, Hello, Request, Response};

/// The UDP port a peer listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 47474;
/// Ports tried after the wanted one is taken.
const PORT_ATTEMPTS: u16 = 16;
/// Requests one peer may have open on a connection at once; each holds at most one chunk read
/// buffer here, so this bounds the memory a peer can make us spend.
const MAX_STREAMS: u32 = 64;
/// Per-stream and per-connection receive windows: above a chunk per stream, so a chunk flows
/// without waiting for window updates, and a fixed ceiling on what a sender may have in flight.
const STREAM_WINDOW: u32 = 8 * 1024 * 1024;
const CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;
/// A peer silent this long is gone; keep-alives make silence mean death, not idleness.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
const KEEP_ALIVE: Duration = Duration::from_secs(2);
/// Handshakes in progress from one address, and in all.
const MAX_PENDING_PER_IP: usize = 8;
const MAX_INCOMING: usize = 256;

/// MTU discovery up to a full Ethernet frame. Peers speak IPv4 only, so a 1500-byte MTU leaves
/// 1472 bytes of UDP payload (quinn's default stops at 1452, leaving room for IPv6 headers), and
/// the search runs to the last byte: on a rate-limited link every byte of header per packet is
/// throughput lost.
fn mtu_discovery() -> quinn::MtuDiscoveryConfig {
    let mut mtu = quinn::MtuDiscoveryConfig::default();
    mtu.upper_bound(ETHERNET_UDP_PAYLOAD).minimum_change(1);
    mtu
}

/// UDP payload of a full 1500-byte Ethernet frame over IPv4 (20 bytes IP, 8 bytes UDP).
const ETHERNET_UDP_PAYLOAD: u16 = 1472;

fn transport() -> Arc<quinn::TransportConfig> {
    let mut t = quinn::TransportConfig::default();
    t.max_concurrent_bidi_streams(MAX_STREAMS.into())
        .max_concurrent_uni_streams(0u32.into())
        .stream_receive_window(STREAM_WINDOW.into())
        .receive_window(CONNECTION_WINDOW.into())
        .send_window(CONNECTION_WINDOW.into())
        // One stream at a time, in the order they were opened: a chunk's request answered in
        // full before the next, so the first of a peer's requests in flight completes first and
        // its replacement is asked for while the others still flow. Round-robin would finish
        // them all at once and leave the link idle for a round trip.
        .send_fairness(false)
        .mtu_discovery_config(Some(mtu_discovery()))
        .keep_alive_interval(Some(KEEP_ALIVE));
    // The constant is far below the bound `IdleTimeout` accepts.
    t.max_idle_timeout(Some(
        IDLE_TIMEOUT.try_into().unwrap_or(quinn::IdleTimeout::from(quinn::VarInt::from_u32(10_000))),
    ));
    Arc::new(t)
}

pub(super) fn client_config(ctx: &Ctx, expected: Option<PeerId>) -> Result<quinn::ClientConfig, NetError> {
    let tls = tls::client_config(&ctx.identity, expected)?;
    let quic = QuicClientConfig::try_from(tls).map_err(|e| NetError::Tls(rustls::Error::General(e.to_string())))?;
    let mut config = quinn::ClientConfig::new(Arc::new(quic));
    config.transport_config(transport());
    Ok(config)
}

/// Bytes of connection id in every packet header. Four bytes tell apart far more connections than
/// a LAN party has, and save four bytes a packet over quinn's default of eight.
const CID_BYTES: usize = 4;

fn endpoint_config() -> quinn::EndpointConfig {
    let mut config = quinn::EndpointConfig::default();
    config.cid_generator(|| Box::new(quinn_proto::RandomConnectionIdGenerator::new(CID_BYTES)));
    config
}

/// Binds `port` on every IPv4 interface, or the next free port after it; 0 takes any.
pub(super) fn bind(port: u16, tls: rustls::ServerConfig) -> Result<quinn::Endpoint, NetError> {
    let quic = QuicServerConfig::try_from(tls).map_err(|e| NetError::Tls(rustls::Error::General(e.to_string())))?;
    let mut server = quinn::ServerConfig::with_crypto(Arc::new(quic));
    server.transport_config(transport()).max_incoming(MAX_INCOMING);
    let attempts = if port == 0 { 1 } else { PORT_ATTEMPTS };
    let mut last = None;
    for candidate in (0..attempts).filter_map(|i| port.checked_add(i)) {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), candidate);
        let endpoint = udp_socket(addr).and_then(|socket| {
            quinn::Endpoint::new(endpoint_config(), Some(server.clone()), socket, Arc::new(quinn::TokioRuntime))
        });
        match endpoint {
            Ok(endpoint) => return Ok(endpoint),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(source) => return Err(NetError::Bind { port: candidate, source }),
        }
    }
    let source = last.unwrap_or_else(|| std::io::ErrorKind::AddrInUse.into());
    Err(NetError::Bind { port, source })
}

/// Socket buffers of the QUIC endpoint, each way. The systems' defaults (about 200 KiB on Linux)
/// hold two milliseconds of a gigabit: a receiver busy hashing for longer drops datagrams at the
/// socket, and the sender takes each drop for congestion and halves its rate. Measured on the
/// emulated gigabit link, the default lost about one datagram in a hundred this way and one run
/// in three fell to 80% of the link. 4 MiB was no faster and cost more memory (the endpoint reads
/// a fuller socket ahead of the connection). Linux caps the size at `net.core.rmem_max` and
/// `wmem_max`; asking for more is not an error.
const SOCKET_BUFFER: usize = 2 * 1024 * 1024;

/// A UDP socket bound to `addr`, its buffers enlarged as far as the system allows.
fn udp_socket(addr: SocketAddr) -> std::io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    // Best effort: a system that refuses a size keeps its default, which still works.
    if let Err(e) = socket.set_recv_buffer_size(SOCKET_BUFFER) {
        tracing::debug!("UDP receive buffer left at the default: {e}");
    }
    if let Err(e) = socket.set_send_buffer_size(SOCKET_BUFFER) {
        tracing::debug!("UDP send buffer left at the default: {e}");
    }
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

/// Counts handshakes in progress per remote address.
#[derive(Default)]
struct Pending(Mutex<HashMap<IpAddr, usize>>);

impl Pending {
    fn try_enter(&self, ip: IpAddr) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_default();
        if *n >= MAX_PENDING_PER_IP {
            return false;
        }
        *n += 1;
        true
    }

    fn leave(&self, ip: IpAddr) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&ip);
            }
        }
    }
}

pub(super) async fn accept_loop(endpoint: quinn::Endpoint, ctx: Arc<Ctx>) {
    let pending = Arc::new(Pending::default());
    loop {
        let incoming = tokio::select! {
            _ = ctx.shutdown.cancelled() => break,
            incoming = endpoint.accept() => match incoming {
                Some(i) => i,
                None => break,
            },
        };
        let ip = incoming.remote_address().ip();
        if !pending.try_enter(ip) {
            tracing::debug!(%ip, "too many handshakes in progress from one address");
            incoming.refuse();
            continue;
        }
        let (ctx2, pending) = (ctx.clone(), pending.clone());
        ctx.tasks.spawn(async move {
            let connecting = tokio::time::timeout(HELLO_TIMEOUT, async { incoming.accept()?.await }).await;
            pending.leave(ip);
            match connecting {
                Ok(Ok(conn)) => {
                    let _ = ctx2.manager.send(Command::Connection(conn)).await;
                }
                Ok(Err(e)) => tracing::debug!(%ip, error = %e, "incoming handshake failed"),
                Err(_) => tracing::debug!(%ip, "incoming handshake timed out"),
            }
        });
    }
}

/// The accepting side: the first stream must carry a hello whose peer id the certificate
/// proves; it is answered with our own.
pub(super) async fn handshake_incoming(conn: quinn::Connection, ctx: Arc<Ctx>) {
    let remote = conn.remote_address();
    let Some(peer_id) = tls::peer_id_of(&conn) else {
        conn.close(ErrorCode::NotIdentified.code().into(), b"no certificate");
        return;
    };
    let result = tokio::time::timeout(HELLO_TIMEOUT, async {
        let (mut send, mut recv) = conn.accept_bi().await.map_err(|e| (ErrorCode::Internal, e.to_string()))?;
        let hello = match proto::read_request(&mut recv).await {
            Ok(Request::Hello(hello)) => hello,
            Ok(_) => return Err((ErrorCode::NotIdentified, "first request was not a hello".to_owned())),
            Err(e) => return Err((e.code(), e.to_string())),
        };
        check_hello(&hello, peer_id)?;
        let ack = ctx.hello();
        let announced = ack.library.revision;
        proto::write_frame(&mut send, &Response::HelloAck(ack))
            .await
            .map_err(|e| (ErrorCode::Internal, e.to_string()))?;
        let _ = send.finish();
        Ok((hello, announced))
    })
    .await;
    match result {
        Ok(Ok((hello, announced))) => {
            let addr = SocketAddr::new(remote.ip(), hello.listen_port);
            let established = Established { conn, peer_id, hello, is_dialer: false, addr, target: None, announced };
            let _ = ctx.manager.send(Command::Connected(Box::new(established))).await;
        }
        Ok(Err((code, reason))) => {
            tracing::info!(%remote, peer = %peer_id.short(), %reason, "refused a connection");
            conn.close(code.code().into(), reason.as_bytes());
        }
        Err(_) => conn.close(ErrorCode::NotIdentified.code().into(), b"no hello in time"),
    }
}

fn check_hello(hello: &Hello, proven: PeerId) -> Result<(), (ErrorCode, String)> {
    if hello.protocol != proto::PROTOCOL_VERSION {
        return Err((
            ErrorCode::ProtocolMismatch,
            format!("protocol {} is not {}", hello.protocol, proto::PROTOCOL_VERSION),
        ));
    }
    if PeerId::parse(&hello.peer_id) != Some(proven) {
        return Err((ErrorCode::NotIdentified, "hello names a peer id the certificate does not prove".to_owned()));
    }
    Ok(())
}

/// The dialing side: connect expecting `expected` (any id for a bare address), send our hello,
/// check the answer.
pub(super) async fn dial(endpoint: quinn::Endpoint, ctx: Arc<Ctx>, addr: SocketAddr, expected: Option<PeerId>) {
    let result = async {
        let config = client_config(&ctx, expected).map_err(|e| e.to_string())?;
        let connecting = endpoint.connect_with(config, addr, tls::SERVER_NAME).map_err(|e| e.to_string())?;
        let conn = tokio::time::timeout(HELLO_TIMEOUT, connecting)
            .await
            .map_err(|_| "handshake timed out".to_owned())?
            .map_err(|e| e.to_string())?;
        let peer_id = tls::peer_id_of(&conn).ok_or("no peer certificate")?;
        let ours = ctx.hello();
        let announced = ours.library.revision;
        let answer = tokio::time::timeout(HELLO_TIMEOUT, super::request(&conn, &Request::Hello(ours)))
            .await
            .map_err(|_| "hello timed out".to_owned())?;
        let hello = match answer {
            Ok(Response::HelloAck(hello)) => hello,
            Ok(other) => {
                conn.close(ErrorCode::NotIdentified.code().into(), b"expected hello-ack");
                return Err(format!("answered {other:?} to hello"));
            }
            Err(e) => return Err(e.to_string()),
        };
        if let Err((code, reason)) = check_hello(&hello, peer_id) {
            conn.close(code.code().into(), reason.as_bytes());
            return Err(reason);
        }
        Ok(Established { conn, peer_id, hello, is_dialer: true, addr, target: Some(addr), announced })
    }
    .await;
    let command = match result {
        Ok(established) => Command::Connected(Box::new(established)),
        Err(reason) => Command::DialFailed { addr, reason },
    };
    let _ = ctx.manager.send(command).await;
}
