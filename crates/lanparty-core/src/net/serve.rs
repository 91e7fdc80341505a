//! Answering a peer's requests, one stream each.
//!
//! Only what the current [`LocalShare`] lists is served: a request names a game, a version, a
//! file path and a chunk index, and each is looked up in our own manifest; the path on disk is
//! the one our scan found, never one built from the request. A file is read only if, resolved,
//! it lies exactly where the manifest says under the game root (no link on the way), and
//! chunks are streamed in small blocks so a request never costs a chunk of memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Command, Ctx, MAX_STRIKES, SharedGame};
use crate::identity::PeerId;
use crate::library::manifest::chunk_len;
use crate::library::{CHUNK_SIZE, FileEntry};
use crate::proto::{self, ErrorCode, Request, Response};

/// Bulk answers (chunks, manifests) sent at once across all peers...
pub(super) const MAX_CONCURRENT_UPLOADS: usize = 16;
/// ...and to one peer: one peer cannot take every slot.
const MAX_UPLOADS_PER_PEER: usize = 4;
/// Longest wait for the peer to take one block: a peer that stops reading loses its slot.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Block size when streaming a chunk from disk to the network.
const BLOCK: usize = 256 * 1024;
/// How long a peer may take to send its request frame.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves every stream the peer opens until the connection ends, then tells the manager.
pub(super) async fn drive(conn: quinn::Connection, peer_id: PeerId, ctx: Arc<Ctx>) {
    let strikes = Arc::new(AtomicU32::new(0));
    let uploads = Arc::new(tokio::sync::Semaphore::new(MAX_UPLOADS_PER_PEER));
    let reason = loop {
        let accepted = tokio::select! {
            _ = ctx.shutdown.cancelled() => break "shutting down".to_owned(),
            accepted = conn.accept_bi() => accepted,
        };
        match accepted {
            Ok((send, recv)) => {
                let (ctx2, conn2, strikes, uploads) = (ctx.clone(), conn.clone(), strikes.clone(), uploads.clone());
                ctx.tasks.spawn(async move {
                    if let Err(code) = handle(send, recv, peer_id, &ctx2, &conn2, &uploads).await {
                        let n = strikes.fetch_add(1, Ordering::Relaxed) + 1;
                        tracing::debug!(peer = %peer_id.short(), ?code, strikes = n, "bad request");
                        if n >= MAX_STRIKES {
                            conn2.close(ErrorCode::Misbehaving.code().into(), b"too many bad requests");
                        }
                    }
                });
            }
            Err(e) => break describe_close(&e),
        }
    };
    // What the path looked like from this (sending) side: MTU, congestion, losses.
    let path = conn.stats().path;
    tracing::debug!(peer = %peer_id.short(), %reason, mtu = path.current_mtu, cwnd = path.cwnd,
        congestion_events = path.congestion_events, lost_packets = path.lost_packets,
        black_holes = path.black_holes_detected, rtt_ms = path.rtt.as_millis(), "connection ended");
    let stable_id = conn.stable_id();
    let _ = ctx.manager.send(Command::Disconnected { peer_id, stable_id, reason }).await;
}

fn describe_close(e: &quinn::ConnectionError) -> String {
    match e {
        quinn::ConnectionError::TimedOut => "stopped answering".to_owned(),
        quinn::ConnectionError::ApplicationClosed(close) => {
            match proto::ErrorCode::from_code(close.error_code.into_inner()) {
                Some(ErrorCode::ShuttingDown) => "shut down".to_owned(),
                Some(code) => format!("closed ({code:?})"),
                None => "closed".to_owned(),
            }
        }
        quinn::ConnectionError::LocallyClosed => "disconnected".to_owned(),
        other => other.to_string(),
    }
}

/// Serves one stream. `Err` carries the code of a bad request, which counts as a strike.
async fn handle(
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    peer_id: PeerId,
    ctx: &Ctx,
    conn: &quinn::Connection,
    peer_uploads: &tokio::sync::Semaphore,
) -> Result<(), ErrorCode> {
    let request = match tokio::time::timeout(REQUEST_TIMEOUT, proto::read_request(&mut recv)).await {
        Ok(Ok(request)) => request,
        Ok(Err(e)) => {
            let code = e.code();
            refuse(&mut send, &mut recv, code, &e.to_string()).await;
            return Err(code);
        }
        Err(_) => {
            refuse(&mut send, &mut recv, ErrorCode::Malformed, "request timed out").await;
            return Err(ErrorCode::Malformed);
        }
    };
    let answer = match request {
        Request::Ping { nonce } => Response::Pong { nonce },
        Request::GetLibrary => Response::Library(ctx.share.borrow().summary()),
        Request::LibraryDelta(delta) => {
            let _ = ctx.manager.send(Command::Delta { peer_id, delta }).await;
            Response::Ok
        }
        Request::Peers { peers } => {
            let _ = ctx.manager.send(Command::Learned { from: peer_id, peers }).await;
            Response::Ok
        }
        Request::Hello(_) => {
            refuse(&mut send, &mut recv, ErrorCode::Malformed, "hello twice").await;
            return Err(ErrorCode::Malformed);
        }
        Request::GetManifest { game, version } => {
            let shared = ctx.share.borrow().games.get(&game).cloned();
            match shared.filter(|g| g.manifest.version == version) {
                None => not_found(&game, &version),
                Some(shared) => {
                    #[cfg(feature = "test-faults")]
                    faults::stall_manifest().await;
                    let Some(_permits) = upload_slot(ctx, conn, peer_uploads).await else { return Ok(()) };
                    let body = &shared.manifest_json;
                    let header = Response::Manifest { len: body.len() as u64 };
                    let sent = async {
                        proto::write_frame(&mut send, &header).await.ok()?;
                        for block in body.chunks(ctx.limit.block_size(BLOCK)) {
                            write_block(ctx, &mut send, block).await?;
                        }
                        Some(())
                    };
                    if sent.await.is_some() {
                        let _ = send.finish();
                    }
                    return Ok(());
                }
            }
        }
        Request::GetChunk { game, version, file, chunk } => {
            let shared = ctx.share.borrow().games.get(&game).cloned();
            let Some(shared) = shared.filter(|g| g.manifest.version == version) else {
                return respond(&mut send, not_found(&game, &version)).await;
            };
            let Some(entry) = find_file(&shared, &file) else {
                return respond(&mut send, error(ErrorCode::NotFound, &format!("no file {file} in {game} {version}")))
                    .await;
            };
            if chunk >= entry.chunks.len() as u64 {
                return respond(&mut send, error(ErrorCode::NotFound, &format!("{file} has no chunk {chunk}"))).await;
            }
            let Some(_permits) = upload_slot(ctx, conn, peer_uploads).await else { return Ok(()) };
            return send_chunk(ctx, &mut send, &shared.root, entry, chunk).await;
        }
    };
    respond(&mut send, answer).await
}

/// A slot for a bulk answer: one of this peer's, then one of all peers'. `None` if the
/// connection closes while waiting.
async fn upload_slot<'a>(
    ctx: &'a Ctx,
    conn: &quinn::Connection,
    peer_uploads: &'a tokio::sync::Semaphore,
) -> Option<(tokio::sync::SemaphorePermit<'a>, tokio::sync::SemaphorePermit<'a>)> {
    tokio::select! {
        _ = conn.closed() => None,
        permits = async {
            let mine = peer_uploads.acquire().await.ok()?;
            let all = ctx.uploads.acquire().await.ok()?;
            Some((mine, all))
        } => permits,
    }
}

/// Writes one block (at the upload limit, if any), or gives up (resetting the stream) when the
/// peer does not take it in time.
async fn write_block(ctx: &Ctx, send: &mut quinn::SendStream, block: &[u8]) -> Option<()> {
    ctx.limit.take(block.len()).await;
    match tokio::time::timeout(WRITE_TIMEOUT, send.write_all(block)).await {
        Ok(Ok(())) => {
            ctx.uploaded.fetch_add(block.len() as u64, Ordering::Relaxed);
            Some(())
        }
        Ok(Err(_)) => None,
        Err(_) => {
            let _ = send.reset(ErrorCode::Unavailable.code().into());
            None
        }
    }
}

async fn respond(send: &mut quinn::SendStream, response: Response) -> Result<(), ErrorCode> {
    if proto::write_frame(send, &response).await.is_ok() {
        let _ = send.finish();
    }
    Ok(())
}

/// Answers a bad request with an error frame, then closes both directions with its code.
async fn refuse(send: &mut quinn::SendStream, recv: &mut quinn::RecvStream, code: ErrorCode, message: &str) {
    let message: String = message.chars().take(200).collect();
    let _ = proto::write_frame(send, &Response::Error { code, message }).await;
    let _ = send.finish();
    let _ = recv.stop(code.code().into());
}

fn error(code: ErrorCode, message: &str) -> Response {
    Response::Error { code, message: message.to_owned() }
}

fn not_found(game: &crate::catalog::GameId, version: &str) -> Response {
    error(ErrorCode::NotFound, &format!("{game} {version} is not shared here"))
}

fn find_file<'a>(shared: &'a SharedGame, path: &str) -> Option<&'a FileEntry> {
    let files = &shared.manifest.files;
    files.binary_search_by(|f| f.path.as_str().cmp(path)).ok().map(|i| &files[i])
}

/// Opens the file of `entry` under `root` only if no link lies on the way: the resolved path
/// must be exactly the resolved root joined with the manifest's path.
async fn open_plain(root: &Path, rel: &str) -> std::io::Result<tokio::fs::File> {
    let (root, rel) = (root.to_path_buf(), rel.to_owned());
    let path: PathBuf = tokio::task::spawn_blocking(move || {
        let real_root = std::fs::canonicalize(&root)?;
        let expected = crate::relpath::join(&real_root, &rel);
        let real = std::fs::canonicalize(crate::relpath::join(&root, &rel))?;
        if real != expected || std::fs::symlink_metadata(&root)?.file_type().is_symlink() {
            return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "path leads through a link"));
        }
        Ok(real)
    })
    .await
    .map_err(std::io::Error::other)??;
    tokio::fs::File::open(path).await
}

async fn send_chunk(
    ctx: &Ctx,
    send: &mut quinn::SendStream,
    root: &Path,
    entry: &FileEntry,
    chunk: u64,
) -> Result<(), ErrorCode> {
    let len = chunk_len(entry.size, chunk);
    let mut file = match open_plain(root, &entry.path).await {
        Ok(f) => f,
        Err(e) => {
            return respond(send, error(ErrorCode::Unavailable, &format!("cannot read {}: {e}", entry.path))).await;
        }
    };
    let size_now = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    if size_now != entry.size {
        return respond(send, error(ErrorCode::Unavailable, &format!("{} changed on disk", entry.path))).await;
    }
    if proto::write_frame(send, &Response::Chunk { len }).await.is_err() {
        return Ok(());
    }
    if file.seek(std::io::SeekFrom::Start(chunk * CHUNK_SIZE)).await.is_err() {
        let _ = send.reset(ErrorCode::Unavailable.code().into());
        return Ok(());
    }
    let mut left = len as usize;
    let mut buf = vec![0u8; ctx.limit.block_size(BLOCK).min(left.max(1))];
    while left > 0 {
        let want = left.min(buf.len());
        if file.read_exact(&mut buf[..want]).await.is_err() {
            // The file shrank under us: the peer must not take a short chunk as whole.
            let _ = send.reset(ErrorCode::Unavailable.code().into());
            return Ok(());
        }
        #[cfg(feature = "test-faults")]
        faults::corrupt(&mut buf[..want]);
        if write_block(ctx, send, &buf[..want]).await.is_none() {
            return Ok(());
        }
        left -= want;
    }
    let _ = send.finish();
    Ok(())
}

/// Fault switches for the integration tests, compiled only with the `test-faults` feature.
#[cfg(feature = "test-faults")]
pub(crate) mod faults {
    /// With `LANPARTY_TEST_STALL_MANIFEST` set, a manifest is sent only after 30 s: a peer
    /// too slow to answer.
    pub async fn stall_manifest() {
        if std::env::var_os("LANPARTY_TEST_STALL_MANIFEST").is_some() {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
    }

    /// With `LANPARTY_TEST_CORRUPT_CHUNKS` set, every chunk served has a byte flipped.
    pub fn corrupt(block: &mut [u8]) {
        if std::env::var_os("LANPARTY_TEST_CORRUPT_CHUNKS").is_some() {
            if let Some(b) = block.first_mut() {
                *b ^= 0xff;
            }
        }
    }
}
