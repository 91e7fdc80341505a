//! The wire protocol between peers.
//!
//! Every request travels on its own QUIC bidirectional stream: the requester writes one
//! control frame and finishes its side; the responder writes one control frame and, for bulk
//! answers (a manifest, a chunk), exactly the announced number of raw bytes after it.
//!
//! A control frame is a 4-byte big-endian length followed by that many bytes of JSON. The
//! length is checked against [`MAX_FRAME_BYTES`] before anything is allocated, and every
//! decoded message is validated ([`Request::validate`], [`Response::validate`]) before use, so
//! no count or string from the network is trusted. Decoding never panics: any byte string
//! gives a message or a [`ProtoError`] (property-tested, and fuzzed by `fuzz/`).
//!
//! Frame by frame, with every field, in `docs/DESIGN.md`.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::catalog::{self, GameId, GameMeta};
use crate::library::Hash;

/// ALPN protocol id: the protocol version travels in the TLS handshake, so peers of different
/// versions fail the handshake cleanly instead of misreading each other.
pub const ALPN: &[u8] = b"lanparty/1";
pub const PROTOCOL_VERSION: u32 = 1;
/// Largest control frame, in bytes. A hello with 10,000 games fits in about 1.5 MiB.
pub const MAX_FRAME_BYTES: u32 = 4 * 1024 * 1024;
/// Largest manifest sent as bulk bytes (a 1 TiB game is about 18 MiB of manifest JSON).
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Most games one peer may advertise.
pub const MAX_GAMES: usize = 10_000;
/// Most peers in one peer-exchange message, and addresses per peer.
pub const MAX_PEX_PEERS: usize = 256;
pub const MAX_PEX_ADDRS: usize = 8;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a stream or connection is closed: the number travels as the QUIC application error code,
/// the kebab-case name in [`Response::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u32)]
pub enum ErrorCode {
    /// A frame that is not valid JSON or breaks a bound.
    Malformed = 1,
    /// A frame longer than allowed.
    TooLarge = 2,
    /// A message type this peer does not know.
    UnknownMessage = 3,
    /// The game, version, file or chunk is not shared here.
    NotFound = 4,
    /// The game is shared but cannot be read just now (changed, busy, folder gone).
    Unavailable = 5,
    Internal = 6,
    /// The peer speaks another protocol version.
    ProtocolMismatch = 7,
    /// A request before the hello, or a hello whose id the certificate does not prove.
    NotIdentified = 8,
    /// A second connection between the same two peers; the other one is kept.
    Duplicate = 9,
    /// The peer sent too many bad messages and is disconnected.
    Misbehaving = 10,
    /// The peer is shutting down.
    ShuttingDown = 11,
}

impl ErrorCode {
    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn from_code(code: u64) -> Option<ErrorCode> {
        use ErrorCode::*;
        [
            Malformed,
            TooLarge,
            UnknownMessage,
            NotFound,
            Unavailable,
            Internal,
            ProtocolMismatch,
            NotIdentified,
            Duplicate,
            Misbehaving,
            ShuttingDown,
        ]
        .into_iter()
        .find(|c| u64::from(c.code()) == code)
    }
}

/// A message that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    #[error("frame of {0} bytes is larger than the limit")]
    TooLarge(u64),
    #[error("unknown message type `{0}`")]
    UnknownMessage(String),
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("stream ended early")]
    Truncated,
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl ProtoError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ProtoError::TooLarge(_) => ErrorCode::TooLarge,
            ProtoError::UnknownMessage(_) => ErrorCode::UnknownMessage,
            ProtoError::Malformed(_) | ProtoError::Truncated | ProtoError::Io(_) => ErrorCode::Malformed,
        }
    }
}

/// One game as a peer advertises it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameSummary {
    pub id: GameId,
    pub version: String,
    pub manifest_hash: Hash,
    pub size: u64,
    /// Metadata for games the catalog may lack (from the sharer's `game.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Box<GameMeta>>,
}

/// Everything a peer shares, at one revision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibrarySummary {
    /// Grows by one with every change this peer announces.
    pub revision: u64,
    pub games: Vec<GameSummary>,
}

/// The first request on a connection, and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    pub peer_id: String,
    pub protocol: u32,
    /// UDP port this peer listens on, so others can dial it back.
    pub listen_port: u16,
    pub name: String,
    pub library: LibrarySummary,
}

/// A change of a peer's library: from revision `base` to `revision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDelta {
    pub base: u64,
    pub revision: u64,
    pub upserts: Vec<GameSummary>,
    pub removed: Vec<GameId>,
}

/// A peer known to the sender, for peer exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerAddr {
    pub peer_id: String,
    pub addrs: Vec<SocketAddr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    Hello(Hello),
    Ping {
        nonce: u64,
    },
    /// Pushed when the sender's library changes.
    LibraryDelta(LibraryDelta),
    /// Asks for the whole library (after a gap in deltas).
    GetLibrary,
    /// Pushed when the sender learns of peers (peer exchange).
    Peers {
        peers: Vec<PeerAddr>,
    },
    GetManifest {
        game: GameId,
        version: String,
    },
    GetChunk {
        game: GameId,
        version: String,
        file: String,
        chunk: u64,
    },
}

const REQUEST_TYPES: [&str; 7] =
    ["hello", "ping", "library-delta", "get-library", "peers", "get-manifest", "get-chunk"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Response {
    HelloAck(Hello),
    Pong {
        nonce: u64,
    },
    Ok,
    Library(LibrarySummary),
    /// `len` bytes of manifest JSON follow.
    Manifest {
        len: u64,
    },
    /// `len` bytes of the chunk follow.
    Chunk {
        len: u64,
    },
    Error {
        code: ErrorCode,
        message: String,
    },
}

const RESPONSE_TYPES: [&str; 7] = ["hello-ack", "pong", "ok", "library", "manifest", "chunk", "error"];

fn malformed(what: impl Into<String>) -> ProtoError {
    ProtoError::Malformed(what.into())
}

fn check_summary(summary: &GameSummary) -> Result<(), ProtoError> {
    catalog::check_version(&summary.version).map_err(malformed)?;
    if let Some(meta) = &summary.meta {
        if meta.id != summary.id {
            return Err(malformed("game metadata names another game"));
        }
    }
    Ok(())
}

fn check_library(games: &[GameSummary]) -> Result<(), ProtoError> {
    if games.len() > MAX_GAMES {
        return Err(malformed(format!("more than {MAX_GAMES} games")));
    }
    let mut ids = std::collections::HashSet::new();
    if let Some(dup) = games.iter().find(|g| !ids.insert(&g.id)) {
        return Err(malformed(format!("game `{}` listed twice", dup.id)));
    }
    games.iter().try_for_each(check_summary)
}

impl Hello {
    fn validate(&self) -> Result<(), ProtoError> {
        if self.name.chars().count() > MAX_NAME_CHARS || self.name.chars().any(char::is_control) {
            return Err(malformed("display name too long or with control characters"));
        }
        if crate::identity::PeerId::parse(&self.peer_id).is_none() {
            return Err(malformed("peer id is not 52 base32 characters"));
        }
        check_library(&self.library.games)
    }
}

impl Request {
    /// Checks every bound a decoded request must respect.
    pub fn validate(&self) -> Result<(), ProtoError> {
        match self {
            Request::Hello(hello) => hello.validate(),
            Request::LibraryDelta(delta) => {
                if delta.upserts.len() + delta.removed.len() > MAX_GAMES {
                    return Err(malformed("delta larger than a library"));
                }
                check_library(&delta.upserts)
            }
            Request::Peers { peers } => {
                if peers.len() > MAX_PEX_PEERS || peers.iter().any(|p| p.addrs.len() > MAX_PEX_ADDRS) {
                    return Err(malformed("too many peers or addresses"));
                }
                Ok(())
            }
            Request::GetManifest { version, .. } => catalog::check_version(version).map_err(malformed),
            Request::GetChunk { version, file, .. } => {
                catalog::check_version(version).map_err(malformed)?;
                crate::relpath::validate(file).map_err(|e| malformed(e.to_string()))
            }
            Request::Ping { .. } | Request::GetLibrary => Ok(()),
        }
    }
}

impl Response {
    /// Checks every bound a decoded response must respect.
    pub fn validate(&self) -> Result<(), ProtoError> {
        match self {
            Response::HelloAck(hello) => hello.validate(),
            Response::Library(library) => check_library(&library.games),
            Response::Manifest { len } if *len > MAX_MANIFEST_BYTES => Err(ProtoError::TooLarge(*len)),
            Response::Chunk { len } if *len > crate::library::CHUNK_SIZE => Err(ProtoError::TooLarge(*len)),
            _ => Ok(()),
        }
    }
}

/// Decodes one frame body: JSON of a known `type`, then the message's own bounds.
fn decode<T: serde::de::DeserializeOwned>(body: &[u8], known: &[&str]) -> Result<T, ProtoError> {
    /// Only the `type`; every other field is skipped without being built.
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<std::borrow::Cow<'a, str>>,
    }
    let Kind { kind } = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
    match kind.as_deref() {
        None => return Err(malformed("no `type` field")),
        Some(kind) if !known.contains(&kind) => {
            let shown: String = kind.chars().take(40).collect();
            return Err(ProtoError::UnknownMessage(shown));
        }
        Some(_) => {}
    }
    serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))
}

pub fn decode_request(body: &[u8]) -> Result<Request, ProtoError> {
    let request: Request = decode(body, &REQUEST_TYPES)?;
    request.validate()?;
    Ok(request)
}

pub fn decode_response(body: &[u8]) -> Result<Response, ProtoError> {
    let response: Response = decode(body, &RESPONSE_TYPES)?;
    response.validate()?;
    Ok(response)
}

/// A frame body and the bytes after it.
pub type FrameSplit<'a> = (&'a [u8], &'a [u8]);

/// Splits one frame off the front of `bytes`: `Ok(None)` if more bytes are needed. The length
/// is checked before the body is looked at.
pub fn split_frame(bytes: &[u8]) -> Result<Option<FrameSplit<'_>>, ProtoError> {
    let Some(prefix) = bytes.first_chunk::<4>() else { return Ok(None) };
    let len = u32::from_be_bytes(*prefix);
    if len > MAX_FRAME_BYTES {
        return Err(ProtoError::TooLarge(len.into()));
    }
    let rest = &bytes[4..];
    Ok((rest.len() >= len as usize).then(|| rest.split_at(len as usize)))
}

/// Encodes a message as one frame.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serializing these plain data types cannot fail: no maps with non-string keys, no
    // custom serializers that error.
    let body = serde_json::to_vec(message).unwrap_or_default();
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// Reads one frame body from a stream, refusing an oversized length before allocating.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, ProtoError> {
    let mut prefix = [0u8; 4];
    r.read_exact(&mut prefix).await.map_err(eof_is_truncated)?;
    let len = u32::from_be_bytes(prefix);
    if len > MAX_FRAME_BYTES {
        return Err(ProtoError::TooLarge(len.into()));
    }
    // Grow with what arrives rather than trusting the announced length: a peer that announces
    // 4 MiB and sends nothing costs nothing.
    let mut body = Vec::with_capacity((len as usize).min(64 * 1024));
    r.take(len.into()).read_to_end(&mut body).await?;
    if body.len() != len as usize {
        return Err(ProtoError::Truncated);
    }
    Ok(body)
}

pub async fn write_frame<W: AsyncWrite + Unpin, T: Serialize>(w: &mut W, message: &T) -> std::io::Result<()> {
    w.write_all(&encode(message)).await
}

pub async fn read_request<R: AsyncRead + Unpin>(r: &mut R) -> Result<Request, ProtoError> {
    decode_request(&read_frame(r).await?)
}

pub async fn read_response<R: AsyncRead + Unpin>(r: &mut R) -> Result<Response, ProtoError> {
    decode_response(&read_frame(r).await?)
}

fn eof_is_truncated(e: std::io::Error) -> ProtoError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof { ProtoError::Truncated } else { ProtoError::Io(e) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hello() -> Hello {
        Hello {
            peer_id: crate::identity::Identity::generate().unwrap().peer_id.to_string(),
            protocol: PROTOCOL_VERSION,
            listen_port: 47474,
            name: "Alice's PC".into(),
            library: LibrarySummary {
                revision: 3,
                games: vec![GameSummary {
                    id: GameId::new("openarena").unwrap(),
                    version: "0.8.8".into(),
                    manifest_hash: Hash::of(b"m"),
                    size: 42,
                    meta: None,
                }],
            },
        }
    }

    fn requests() -> Vec<Request> {
        vec![
            Request::Hello(hello()),
            Request::Ping { nonce: 9 },
            Request::LibraryDelta(LibraryDelta { base: 3, revision: 4, upserts: vec![], removed: vec![] }),
            Request::GetLibrary,
            Request::Peers {
                peers: vec![PeerAddr { peer_id: "x".into(), addrs: vec!["10.0.0.2:47474".parse().unwrap()] }],
            },
            Request::GetManifest { game: GameId::new("g").unwrap(), version: "1".into() },
            Request::GetChunk {
                game: GameId::new("g").unwrap(),
                version: "1".into(),
                file: "a/b.rar".into(),
                chunk: 7,
            },
        ]
    }

    #[test]
    fn requests_and_responses_round_trip() {
        for r in requests() {
            let frame = encode(&r);
            let (body, rest) = split_frame(&frame).unwrap().unwrap();
            assert!(rest.is_empty());
            assert_eq!(decode_request(body).unwrap(), r);
        }
        for r in [
            Response::HelloAck(hello()),
            Response::Pong { nonce: 1 },
            Response::Ok,
            Response::Manifest { len: 10 },
            Response::Chunk { len: 10 },
            Response::Error { code: ErrorCode::NotFound, message: "no".into() },
        ] {
            assert_eq!(decode_response(&encode(&r)[4..]).unwrap(), r);
        }
    }

    #[test]
    fn unknown_malformed_and_out_of_bounds_are_told_apart() {
        assert!(matches!(decode_request(br#"{"type":"launch-missiles"}"#), Err(ProtoError::UnknownMessage(_))));
        assert!(matches!(decode_request(br#"{"type":"ping"}"#), Err(ProtoError::Malformed(_))));
        assert!(matches!(decode_request(br#"{"type":"ping","nonce":1,"extra":2}"#), Err(ProtoError::Malformed(_))));
        assert!(matches!(decode_request(b"\xff\xfe"), Err(ProtoError::Malformed(_))));
        let bad_path =
            Request::GetChunk { game: GameId::new("g").unwrap(), version: "1".into(), file: "../x".into(), chunk: 0 };
        assert!(matches!(decode_request(&encode(&bad_path)[4..]), Err(ProtoError::Malformed(_))));
        assert!(matches!(decode_response(br#"{"type":"chunk","len":99999999999}"#), Err(ProtoError::TooLarge(_))));
        let mut h = hello();
        h.name = "x".repeat(65);
        assert!(matches!(decode_request(&encode(&Request::Hello(h))[4..]), Err(ProtoError::Malformed(_))));
    }

    #[test]
    fn oversized_length_is_refused_before_allocation() {
        let frame = [0xff, 0xff, 0xff, 0xff, b'{'];
        assert!(matches!(split_frame(&frame), Err(ProtoError::TooLarge(_))));
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut reader: &[u8] = &frame;
        assert!(matches!(rt.block_on(read_frame(&mut reader)), Err(ProtoError::TooLarge(_))));
        let mut short: &[u8] = &[0, 0, 0, 10, b'{'];
        assert!(matches!(rt.block_on(read_frame(&mut short)), Err(ProtoError::Truncated)));
    }

    #[test]
    fn error_codes_round_trip() {
        for code in 1..=11 {
            assert_eq!(ErrorCode::from_code(code).unwrap().code() as u64, code);
        }
        assert_eq!(ErrorCode::from_code(0), None);
    }

    // File names start with `f`, so none is a reserved Windows name (`aux`, `con`...), which the
    // decoder rightly refuses.
    proptest! {
        #[test]
        fn any_bytes_decode_or_error_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_request(&bytes);
            let _ = decode_response(&bytes);
            let _ = split_frame(&bytes);
        }

        #[test]
        fn json_shaped_garbage_never_panics(s in r#"\{"type":"(ping|get-chunk|hello|peers)"(,"[a-z_]{1,8}":("[^"]{0,8}"|[0-9]{1,20}|\[\]|null))*\}"#) {
            let _ = decode_request(s.as_bytes());
        }

        #[test]
        fn encode_then_decode_is_identity(nonce in any::<u64>(), chunk in any::<u64>(), file in "f[a-z]{0,7}(/f[a-z]{0,7}){0,3}") {
            let ping = Request::Ping { nonce };
            prop_assert_eq!(decode_request(&encode(&ping)[4..]).unwrap(), ping);
            let get = Request::GetChunk { game: GameId::new("g").unwrap(), version: "1".into(), file, chunk };
            prop_assert_eq!(decode_request(&encode(&get)[4..]).unwrap(), get);
        }
    }
}
