//! Nobody can pose as another peer: real QUIC handshakes against a running runtime.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lanparty_core::identity::{Identity, PeerId};
use lanparty_core::net::{Source, tls};
use lanparty_core::{Config, Event, Runtime};
use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use tokio::sync::broadcast;

use common::test_catalog;

async fn runtime(tmp: &std::path::Path, name: &str) -> (Runtime, broadcast::Receiver<Event>, SocketAddr) {
    let games = tmp.join(name).join("games");
    std::fs::create_dir_all(&games).unwrap();
    let mut config = Config::new(games, tmp.join(name).join("state"), test_catalog(), name.into());
    config.port = Some(0);
    config.mdns = false;
    let (runtime, events) = Runtime::start(config).await.unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], runtime.port().unwrap()));
    (runtime, events, addr)
}

fn client(config: rustls::ClientConfig) -> (quinn::Endpoint, quinn::ClientConfig) {
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    (endpoint, quinn::ClientConfig::new(Arc::new(QuicClientConfig::try_from(config).unwrap())))
}

/// Dials and reports whether a connection survives long enough to carry a request. A server
/// that refuses the client's certificate may only say so after the client's handshake is done.
async fn connects(config: rustls::ClientConfig, addr: SocketAddr) -> bool {
    let (endpoint, config) = client(config);
    let connecting = endpoint.connect_with(config, addr, tls::SERVER_NAME).unwrap();
    let Ok(conn) = connecting.await else { return false };
    let ping = async {
        let (mut send, mut recv) = conn.open_bi().await?;
        lanparty_core::proto::write_frame(&mut send, &lanparty_core::proto::Request::Ping { nonce: 1 }).await?;
        send.finish()?;
        lanparty_core::proto::read_response(&mut recv).await.map_err(anyhow_ish)?;
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    // Without a hello first the runtime refuses the request, but only a connection that passed
    // TLS gets that far: any answer or a close for a protocol reason means TLS held.
    let _ = tokio::time::timeout(Duration::from_secs(5), ping).await;
    match conn.close_reason() {
        Some(quinn::ConnectionError::TransportError(e)) => {
            eprintln!("closed by TLS: {e}");
            false
        }
        Some(quinn::ConnectionError::ConnectionClosed(c)) => {
            eprintln!("closed by TLS: {c}");
            false
        }
        _ => true,
    }
}

fn anyhow_ish(e: lanparty_core::proto::ProtoError) -> Box<dyn std::error::Error> {
    Box::new(e)
}

fn no_join_of(events: &mut broadcast::Receiver<Event>, id: PeerId) {
    while let Ok(event) = events.try_recv() {
        if let Event::PeerJoined { peer_id, .. } = event {
            assert_ne!(peer_id, id.to_string(), "an impostor joined as {id:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn right_fingerprint_connects_wrong_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, _events, addr) = runtime(tmp.path(), "server").await;
    let me = Identity::generate().unwrap();
    assert!(connects(tls::client_config(&me, Some(server.peer_id())).unwrap(), addr).await);
    assert!(connects(tls::client_config(&me, None).unwrap(), addr).await, "a bare address accepts any proven id");
    let someone_else = Identity::generate().unwrap().peer_id;
    assert!(!connects(tls::client_config(&me, Some(someone_else)).unwrap(), addr).await);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_client_certificate_without_its_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, mut events, addr) = runtime(tmp.path(), "server").await;
    let victim = Identity::generate().unwrap();
    let thief = Identity::generate().unwrap();
    let stolen = tls::client_config_with(tls::chain_of(&victim), tls::key_of(&thief), None).unwrap();
    assert!(!connects(stolen, addr).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    no_join_of(&mut events, victim.peer_id);
    // The same certificate with its own key is fine.
    let honest = tls::client_config_with(tls::chain_of(&victim), tls::key_of(&victim), None).unwrap();
    assert!(connects(honest, addr).await);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_server_certificate_without_its_key_is_refused() {
    let victim = Identity::generate().unwrap();
    let thief = Identity::generate().unwrap();
    let serve = |key| {
        let tls = tls::server_config_with(tls::chain_of(&victim), key).unwrap();
        let config = quinn::ServerConfig::with_crypto(Arc::new(QuicServerConfig::try_from(tls).unwrap()));
        let endpoint = quinn::Endpoint::server(config, "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = endpoint.local_addr().unwrap();
        tokio::spawn(async move {
            while let Some(incoming) = endpoint.accept().await {
                tokio::spawn(async move {
                    if let Ok(conn) = incoming.await {
                        let _ = conn.closed().await;
                    }
                });
            }
        });
        addr
    };
    let me = Identity::generate().unwrap();
    let impostor = serve(tls::key_of(&thief));
    assert!(!connects(tls::client_config(&me, Some(victim.peer_id)).unwrap(), impostor).await);
    let genuine = serve(tls::key_of(&victim));
    let (endpoint, config) = client(tls::client_config(&me, Some(victim.peer_id)).unwrap());
    assert!(endpoint.connect_with(config, genuine, tls::SERVER_NAME).unwrap().await.is_ok());
}

/// A find (by mDNS or peer exchange) that names one peer's id at another peer's address is
/// not trusted: the handshake must prove the id, and it cannot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_find_claiming_another_peers_id_is_not_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, mut a_events, _) = runtime(tmp.path(), "a").await;
    let (b, _, _) = runtime(tmp.path(), "b").await;
    let (c, _, c_addr) = runtime(tmp.path(), "c").await;
    a.net().unwrap().add_target(c_addr, Some(b.peer_id()), Source::Mdns).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(a.peers().is_empty(), "A connected on a false claim: {:?}", a.peers());
    no_join_of(&mut a_events, b.peer_id());
    no_join_of(&mut a_events, c.peer_id());
    for r in [a, b, c] {
        r.shutdown().await;
    }
}
