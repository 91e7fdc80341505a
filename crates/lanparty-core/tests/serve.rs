//! What a peer serves, and how it treats hostile requests, over a real QUIC connection: a raw
//! client that says hello and then asks for things.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lanparty_core::catalog::GameId;
use lanparty_core::identity::Identity;
use lanparty_core::library::{CHUNK_SIZE, Hash, Manifest};
use lanparty_core::net::tls;
use lanparty_core::proto::{self, ErrorCode, Hello, LibrarySummary, Request, Response};
use lanparty_core::{Config, Event, Runtime};
use quinn::crypto::rustls::QuicClientConfig;
use tokio::io::AsyncReadExt;

use common::{make_game, test_catalog};

struct Client {
    conn: quinn::Connection,
    _endpoint: quinn::Endpoint,
}

impl Client {
    /// Connects to `addr` as a fresh identity and completes the hello exchange.
    async fn connect(addr: SocketAddr) -> (Client, Hello) {
        let me = Identity::generate().unwrap();
        let tls = tls::client_config(&me, None).unwrap();
        let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
        let config = quinn::ClientConfig::new(Arc::new(QuicClientConfig::try_from(tls).unwrap()));
        let conn = endpoint.connect_with(config, addr, tls::SERVER_NAME).unwrap().await.unwrap();
        let hello = Hello {
            peer_id: me.peer_id.to_string(),
            protocol: proto::PROTOCOL_VERSION,
            listen_port: 9,
            name: "raw client".into(),
            library: LibrarySummary::default(),
        };
        let client = Client { conn, _endpoint: endpoint };
        match client.raw(&proto::encode(&Request::Hello(hello))).await {
            (Ok(Response::HelloAck(ack)), _) => (client, ack),
            other => panic!("no hello-ack: {other:?}"),
        }
    }

    /// Sends raw bytes as a request; returns the answer frame and any bulk bytes after it.
    async fn raw(&self, bytes: &[u8]) -> (Result<Response, proto::ProtoError>, Vec<u8>) {
        let (mut send, mut recv) = self.conn.open_bi().await.unwrap();
        send.write_all(bytes).await.unwrap();
        send.finish().unwrap();
        let answer = proto::read_response(&mut recv).await;
        let mut rest = Vec::new();
        let _ = AsyncReadExt::read_to_end(&mut recv, &mut rest).await;
        (answer, rest)
    }

    async fn ask(&self, request: &Request) -> (Response, Vec<u8>) {
        let (answer, rest) = self.raw(&proto::encode(request)).await;
        (answer.unwrap(), rest)
    }
}

fn error_code(response: &Response) -> Option<ErrorCode> {
    match response {
        Response::Error { code, .. } => Some(*code),
        _ => None,
    }
}

async fn serving_peer(tmp: &std::path::Path) -> (Runtime, SocketAddr, std::path::PathBuf) {
    let games = tmp.join("games");
    let root = make_game(&games, "alpha", "1.0", CHUNK_SIZE + 1000);
    std::fs::create_dir_all(root.join("local")).unwrap();
    std::fs::write(root.join("local/save.dat"), b"the player's own").unwrap();
    let mut config = Config::new(games, tmp.join("state"), test_catalog(), "server".into());
    config.port = Some(0);
    config.mdns = false;
    // The tests change files under the server on purpose; it must not rescan meanwhile.
    config.debounce = Duration::from_secs(600);
    let (runtime, mut events) = Runtime::start(config).await.unwrap();
    loop {
        if let Ok(Event::ScanFinished(_)) = events.recv().await {
            break;
        }
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], runtime.port().unwrap()));
    (runtime, addr, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_its_manifest_and_verified_chunks_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let (runtime, addr, root) = serving_peer(tmp.path()).await;
    let (client, ack) = Client::connect(addr).await;
    assert_eq!(ack.library.games.len(), 1);
    let game = GameId::new("alpha").unwrap();

    // The manifest, as bulk bytes after its header, hashing to what the hello advertised.
    let (header, body) = client.ask(&Request::GetManifest { game: game.clone(), version: "1.0".into() }).await;
    assert_eq!(header, Response::Manifest { len: body.len() as u64 });
    let manifest: Manifest = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest.hash, ack.library.games[0].manifest_hash);

    // Both chunks of the archive, each matching its hash in the manifest.
    let archive = manifest.files.iter().find(|f| f.path == "alpha.rar").unwrap();
    for (i, want) in archive.chunks.iter().enumerate() {
        let request =
            Request::GetChunk { game: game.clone(), version: "1.0".into(), file: "alpha.rar".into(), chunk: i as u64 };
        let (header, bytes) = client.ask(&request).await;
        assert_eq!(header, Response::Chunk { len: bytes.len() as u64 });
        assert_eq!(Hash::of(&bytes), *want, "chunk {i}");
    }

    // Nothing outside the manifest: other versions, other games, the player's files, paths
    // out of the game, chunks past the end.
    let get = |game: &str, version: &str, file: &str, chunk| Request::GetChunk {
        game: GameId::new(game).unwrap(),
        version: version.into(),
        file: file.into(),
        chunk,
    };
    for (request, code) in [
        (get("alpha", "0.9", "alpha.rar", 0), ErrorCode::NotFound),
        (get("beta", "1.0", "alpha.rar", 0), ErrorCode::NotFound),
        (get("alpha", "1.0", "local/save.dat", 0), ErrorCode::NotFound),
        (get("alpha", "1.0", "alpha.rar", 2), ErrorCode::NotFound),
        (get("alpha", "1.0", "../state/identity/key.der", 0), ErrorCode::Malformed),
    ] {
        let (answer, rest) = client.raw(&proto::encode(&request)).await;
        let answer = answer.unwrap();
        assert_eq!(error_code(&answer), Some(code), "{request:?} -> {answer:?}");
        assert!(rest.is_empty());
    }

    // A file swapped for a link after the scan is not read through the link.
    #[cfg(not(unix))]
    let _ = root;
    #[cfg(unix)]
    {
        std::fs::rename(root.join("alpha.rar"), tmp.path().join("moved.rar")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("moved.rar"), root.join("alpha.rar")).unwrap();
        let (answer, rest) = client.raw(&proto::encode(&get("alpha", "1.0", "alpha.rar", 0))).await;
        assert_eq!(error_code(&answer.unwrap()), Some(ErrorCode::Unavailable));
        assert!(rest.is_empty());
    }
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_frames_get_error_codes_and_enough_of_them_end_the_connection() {
    let tmp = tempfile::tempdir().unwrap();
    let (runtime, addr, _) = serving_peer(tmp.path()).await;
    let (client, _) = Client::connect(addr).await;

    let mut oversized = (proto::MAX_FRAME_BYTES + 1).to_be_bytes().to_vec();
    oversized.extend_from_slice(b"{}");
    let unknown = proto::encode(&serde_json::json!({"type": "format-disk"}));
    let malformed = [&3u32.to_be_bytes()[..], b"{{{"].concat();
    for (bytes, code) in
        [(oversized, ErrorCode::TooLarge), (unknown, ErrorCode::UnknownMessage), (malformed, ErrorCode::Malformed)]
    {
        let (answer, _) = client.raw(&bytes).await;
        assert_eq!(error_code(&answer.unwrap()), Some(code));
    }
    // Still served after a few bad requests.
    assert!(matches!(client.ask(&Request::Ping { nonce: 5 }).await.0, Response::Pong { nonce: 5 }));

    // A peer that keeps sending garbage is disconnected as misbehaving.
    for _ in 0..25 {
        if client.conn.close_reason().is_some() {
            break;
        }
        if let Ok((mut send, _recv)) = client.conn.open_bi().await {
            let _ = send.write_all(b"\x00\x00\x00\x01!").await;
            let _ = send.finish();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reason = tokio::time::timeout(Duration::from_secs(5), client.conn.closed()).await.unwrap();
    match reason {
        quinn::ConnectionError::ApplicationClosed(close) => {
            assert_eq!(close.error_code.into_inner(), u64::from(ErrorCode::Misbehaving.code()));
        }
        other => panic!("closed for another reason: {other}"),
    }
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_before_hello_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (runtime, addr, _) = serving_peer(tmp.path()).await;
    let me = Identity::generate().unwrap();
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let tls = tls::client_config(&me, None).unwrap();
    let config = quinn::ClientConfig::new(Arc::new(QuicClientConfig::try_from(tls).unwrap()));
    let conn = endpoint.connect_with(config, addr, tls::SERVER_NAME).unwrap().await.unwrap();
    let (mut send, _recv) = conn.open_bi().await.unwrap();
    let game = GameId::new("alpha").unwrap();
    proto::write_frame(&mut send, &Request::GetManifest { game, version: "1.0".into() }).await.unwrap();
    send.finish().unwrap();
    match tokio::time::timeout(Duration::from_secs(5), conn.closed()).await.unwrap() {
        quinn::ConnectionError::ApplicationClosed(close) => {
            assert_eq!(close.error_code.into_inner(), u64::from(ErrorCode::NotIdentified.code()));
        }
        other => panic!("closed for another reason: {other}"),
    }
    runtime.shutdown().await;
}
