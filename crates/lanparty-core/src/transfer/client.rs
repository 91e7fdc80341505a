//! Asking a peer for a manifest or a chunk: one QUIC stream per request (section 10 of
//! `docs/DESIGN.md`). Every length is checked against what was asked for before a byte is
//! kept, and a peer that stops sending mid-answer is given up on.

use std::time::Duration;

use crate::catalog::GameId;
use crate::library::Manifest;
use crate::proto::{self, ErrorCode, MAX_MANIFEST_BYTES, Request, Response};

/// Longest wait for the next bytes of an answer.
const STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request brought nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The connection is gone: the peer left or restarted.
    #[error("connection lost: {0}")]
    Lost(String),
    /// The peer answered with an error (it no longer has the game, the file changed...).
    #[error("refused ({code:?}): {message}")]
    Refused { code: ErrorCode, message: String },
    /// The peer broke the protocol: a wrong length, a wrong answer type, garbage.
    #[error("bad answer: {0}")]
    Protocol(String),
    #[error("no data for {} s", STALL_TIMEOUT.as_secs())]
    Stalled,
}

impl From<quinn::ConnectionError> for FetchError {
    fn from(e: quinn::ConnectionError) -> FetchError {
        FetchError::Lost(e.to_string())
    }
}

impl From<quinn::WriteError> for FetchError {
    fn from(e: quinn::WriteError) -> FetchError {
        match e {
            quinn::WriteError::ConnectionLost(e) => e.into(),
            other => FetchError::Protocol(other.to_string()),
        }
    }
}

impl From<quinn::ReadError> for FetchError {
    fn from(e: quinn::ReadError) -> FetchError {
        match e {
            quinn::ReadError::ConnectionLost(e) => e.into(),
            other => FetchError::Protocol(other.to_string()),
        }
    }
}

async fn stalling<T>(f: impl Future<Output = Result<T, FetchError>>) -> Result<T, FetchError> {
    tokio::time::timeout(STALL_TIMEOUT, f).await.map_err(|_| FetchError::Stalled)?
}

/// Opens a stream, sends `req` and reads the answer frame.
async fn ask(conn: &quinn::Connection, req: &Request) -> Result<(Response, quinn::RecvStream), FetchError> {
    stalling(async {
        let (mut send, mut recv) = conn.open_bi().await?;
        send.write_all(&proto::encode(req)).await?;
        let _ = send.finish();
        let response = proto::read_response(&mut recv).await.map_err(|e| match e {
            proto::ProtoError::Io(e) => FetchError::Lost(e.to_string()),
            other => FetchError::Protocol(other.to_string()),
        })?;
        if let Response::Error { code, message } = response {
            let message: String = message.chars().take(200).collect();
            return Err(FetchError::Refused { code, message });
        }
        Ok((response, recv))
    })
    .await
}

/// Reads exactly `buf.len()` bytes, each read within [`STALL_TIMEOUT`].
async fn read_exactly(recv: &mut quinn::RecvStream, buf: &mut [u8]) -> Result<(), FetchError> {
    let mut at = 0;
    while at < buf.len() {
        let read =
            tokio::time::timeout(STALL_TIMEOUT, recv.read(&mut buf[at..])).await.map_err(|_| FetchError::Stalled)?;
        match read? {
            Some(n) => at += n,
            None => return Err(FetchError::Protocol(format!("answer ended after {at} of {} bytes", buf.len()))),
        }
    }
    Ok(())
}

/// Fetches the manifest of `game` `version`, as JSON bytes of at most [`MAX_MANIFEST_BYTES`],
/// and decodes it. The caller checks it against the hash it expects.
pub async fn get_manifest(conn: &quinn::Connection, game: &GameId, version: &str) -> Result<Manifest, FetchError> {
    let req = Request::GetManifest { game: game.clone(), version: version.to_owned() };
    let (response, mut recv) = ask(conn, &req).await?;
    let Response::Manifest { len } = response else {
        return Err(FetchError::Protocol(format!("expected a manifest, got {response:?}")));
    };
    if len > MAX_MANIFEST_BYTES {
        return Err(FetchError::Protocol(format!("manifest of {len} bytes is larger than allowed")));
    }
    // Grows with what arrives: an announced length costs nothing until the bytes come.
    let mut body = Vec::with_capacity((len as usize).min(1 << 20));
    let mut block = vec![0u8; 64 * 1024];
    while (body.len() as u64) < len {
        let want = ((len - body.len() as u64) as usize).min(block.len());
        read_exactly(&mut recv, &mut block[..want]).await?;
        body.extend_from_slice(&block[..want]);
    }
    serde_json::from_slice(&body).map_err(|e| FetchError::Protocol(format!("manifest is not valid: {e}")))
}

/// What to fetch: a chunk of a file of a game version, and its length per the manifest.
#[derive(Debug, Clone)]
pub struct ChunkRequest {
    pub game: GameId,
    pub version: String,
    pub file: String,
    pub chunk: u32,
    pub len: usize,
}

/// Fetches one chunk into `buf`, which is the chunk's length. The caller verifies it.
pub async fn get_chunk(conn: &quinn::Connection, want: &ChunkRequest, buf: &mut [u8]) -> Result<(), FetchError> {
    let req = Request::GetChunk {
        game: want.game.clone(),
        version: want.version.clone(),
        file: want.file.clone(),
        chunk: want.chunk.into(),
    };
    let (response, mut recv) = ask(conn, &req).await?;
    match response {
        Response::Chunk { len } if len == want.len as u64 => {}
        Response::Chunk { len } => {
            return Err(FetchError::Protocol(format!("chunk of {len} bytes, the manifest says {}", want.len)));
        }
        other => return Err(FetchError::Protocol(format!("expected a chunk, got {other:?}"))),
    }
    if buf.len() != want.len {
        return Err(FetchError::Protocol(format!("buffer of {} bytes for a chunk of {}", buf.len(), want.len)));
    }
    read_exactly(&mut recv, buf).await
}
