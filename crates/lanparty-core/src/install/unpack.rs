//! The unpacker: what turns a game's archives into an installation folder.
//!
//! The runtime takes an [`Unpacker`] from whoever starts it, so that the C++ RAR code never runs
//! in the peer's process: the app and `lanparty-peer` inject [`Sidecar`], which runs the
//! `lanparty-unrar` binary (section 14 of `docs/DESIGN.md`) and reads its JSON lines. A crash
//! there costs one subprocess and ends as an [`UnpackError::Crashed`].
//!
//! Every run of the sidecar (arguments, stdout, stderr, exit status, start and end time) is kept
//! in the unpack log, `<state>/logs/unpack.json`: the last [`LOG_RUNS`] runs, each output cut to
//! [`LOG_OUTPUT_BYTES`], rewritten atomically after each run so it survives restarts and crashes.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::catalog::GameId;
use crate::state::write_atomic;

/// The sidecar's file name, beside the executable that hosts the runtime.
#[cfg(windows)]
pub const SIDECAR_NAME: &str = "lanparty-unrar.exe";
#[cfg(not(windows))]
pub const SIDECAR_NAME: &str = "lanparty-unrar";
/// Version of the sidecar's JSON lines this runtime reads.
const PROTOCOL: u64 = 1;
/// The unpack log's place in the state directory.
pub fn log_path(state_root: &Path) -> PathBuf {
    state_root.join("logs").join("unpack.json")
}

/// Runs kept in the unpack log.
pub const LOG_RUNS: usize = 50;
/// Bytes of stdout and of stderr kept per run (the end of each: errors come last).
pub const LOG_OUTPUT_BYTES: usize = 32 * 1024;
/// Longest stdout line read from the sidecar; a longer one is a broken sidecar.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// How often a running extraction looks whether it was asked to stop.
const STOP_POLL: Duration = Duration::from_millis(50);

/// How far an extraction has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnpackProgress {
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// What an extraction wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Unpacked {
    pub archives: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// Why an extraction failed. The destination may hold part of the game: the caller extracts
/// into a staging folder and discards it.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("the unpacker {} could not be started ({source}): reinstall Lanparty, or pass --unrar PATH", program.display())]
    Spawn { program: PathBuf, source: std::io::Error },
    /// The sidecar refused or failed, with its own message (which names the archive and entry).
    #[error("{message}")]
    Refused { code: String, exit: i32, message: String },
    #[error("the unpacker stopped without a result ({status}); see the unpack log")]
    Crashed { status: String },
    #[error("the unpacker's output could not be read ({0}); see the unpack log")]
    Output(String),
    /// Stopped on request (a cancel, or the runtime shutting down).
    #[error("the unpacking was cancelled")]
    Cancelled,
    #[error("no unpacker: lanparty-unrar was not found beside this program; reinstall Lanparty, or pass --unrar PATH")]
    Missing,
}

impl UnpackError {
    /// The disk has too little room for the installation.
    pub fn is_no_space(&self) -> bool {
        matches!(self, UnpackError::Refused { code, .. } if code == "no_space")
    }
}

/// Turns the archives of a game root into files under a destination folder. Blocking: call it
/// from the blocking pool. When `stop` is cancelled it ends soon with [`UnpackError::Cancelled`].
pub trait Unpacker: Send + Sync + fmt::Debug {
    fn extract(
        &self,
        game: &GameId,
        game_root: &Path,
        dest: &Path,
        stop: &CancellationToken,
        progress: &mut dyn FnMut(UnpackProgress),
    ) -> Result<Unpacked, UnpackError>;
}

/// The `lanparty-unrar` sidecar, run once per extraction.
#[derive(Debug)]
pub struct Sidecar {
    program: PathBuf,
    log: Option<UnpackLog>,
}

impl Sidecar {
    /// Runs `program`; with a log, every run is recorded there.
    pub fn new(program: PathBuf, log: Option<UnpackLog>) -> Sidecar {
        Sidecar { program, log }
    }

    /// The sidecar beside the running executable, where the app bundle and `cargo build` put it.
    pub fn beside_current_exe() -> Option<PathBuf> {
        let exe = std::env::current_exe().ok()?;
        let path = exe.parent()?.join(SIDECAR_NAME);
        path.is_file().then_some(path)
    }

    pub fn program(&self) -> &Path {
        &self.program
    }
}

/// One line of the sidecar's stdout that the runtime acts on; others are only logged.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Line {
    Progress {
        bytes_done: u64,
        bytes_total: u64,
    },
    Done {
        archives: u64,
        entries: u64,
        bytes: u64,
    },
    Error {
        code: String,
        exit: i32,
        message: String,
    },
    #[serde(other)]
    Other,
}

impl Unpacker for Sidecar {
    fn extract(
        &self,
        game: &GameId,
        game_root: &Path,
        dest: &Path,
        stop: &CancellationToken,
        progress: &mut dyn FnMut(UnpackProgress),
    ) -> Result<Unpacked, UnpackError> {
        let args: Vec<String> = vec![
            "extract".into(),
            "--dest".into(),
            dest.display().to_string(),
            "--exit-with-stdin".into(),
            "--from".into(),
            game_root.display().to_string(),
        ];
        let started = unix_ms();
        let mut child = Command::new(&self.program)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| UnpackError::Spawn { program: self.program.clone(), source })?;
        // Held open and never written: when this process dies, the pipe closes and the sidecar
        // (`--exit-with-stdin`) ends too, instead of extracting on as an orphan.
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // Stderr on its own thread, so a chatty sidecar cannot block on a full pipe.
        let stderr = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                let mut kept = Tail::default();
                let mut buf = [0u8; 8192];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    kept.push(&buf[..n]);
                }
                kept.into_string()
            })
        });
        let child = Arc::new(Mutex::new(child));
        // A cancel kills the sidecar from a watcher thread; its stdout then ends, which ends the
        // read loop below. Dropping `running` tells the watcher the run is over.
        let (running, over) = std::sync::mpsc::channel::<()>();
        let watcher = {
            let (child, stop) = (child.clone(), stop.clone());
            std::thread::spawn(move || {
                loop {
                    match over.recv_timeout(STOP_POLL) {
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) if stop.is_cancelled() => {
                            let _ = lock(&child).kill();
                            return true;
                        }
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                        _ => return false,
                    }
                }
            })
        };
        let mut stdout_kept = Tail::default();
        let mut result: Option<Result<Unpacked, UnpackError>> = None;
        let mut unread = false;
        if let Some(out) = stdout {
            let mut out = BufReader::new(out);
            let mut line = Vec::new();
            loop {
                line.clear();
                match read_line(&mut out, &mut line) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        result.get_or_insert(Err(UnpackError::Output(e.to_string())));
                        unread = true;
                        break;
                    }
                }
                stdout_kept.push(&line);
                let Ok(value) = serde_json::from_slice::<serde_json::Value>(&line) else {
                    result.get_or_insert(Err(UnpackError::Output("a line that is not JSON".into())));
                    continue;
                };
                if value.get("v").and_then(serde_json::Value::as_u64) != Some(PROTOCOL) {
                    result.get_or_insert(Err(UnpackError::Output(format!(
                        "protocol {} where {PROTOCOL} was expected; the unpacker does not belong to this Lanparty",
                        value.get("v").map_or("none".into(), ToString::to_string)
                    ))));
                    continue;
                }
                match serde_json::from_value::<Line>(value) {
                    Ok(Line::Progress { bytes_done, bytes_total }) => {
                        progress(UnpackProgress { bytes_done, bytes_total })
                    }
                    Ok(Line::Done { archives, entries, bytes }) => {
                        result.get_or_insert(Ok(Unpacked { archives, entries, bytes }));
                    }
                    Ok(Line::Error { code, exit, message }) => {
                        result.get_or_insert(Err(UnpackError::Refused { code, exit, message }));
                    }
                    Ok(Line::Other) => {}
                    Err(e) => {
                        result.get_or_insert(Err(UnpackError::Output(e.to_string())));
                    }
                }
            }
        }
        // A sidecar whose output is no longer read could block on a full pipe: stop it.
        if unread {
            let _ = lock(&child).kill();
        }
        drop(running);
        let cancelled = watcher.join().unwrap_or(false);
        let status = lock(&child).wait();
        drop(stdin);
        let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        let exit = status.as_ref().ok().and_then(|s| s.code());
        let status_text = match &status {
            Ok(s) => s.to_string(),
            Err(e) => format!("not known: {e}"),
        };
        // Success needs both the `done` line and exit code 0; anything else is a failure.
        let outcome = match (result, exit) {
            (Some(Ok(done)), Some(0)) => Ok(done),
            _ if cancelled => Err(UnpackError::Cancelled),
            (Some(Err(e)), _) => Err(e),
            (_, _) => Err(UnpackError::Crashed { status: status_text.clone() }),
        };
        if let Some(log) = &self.log {
            let run = UnpackRun {
                game: game.to_string(),
                program: self.program.display().to_string(),
                args,
                started_unix_ms: started,
                ended_unix_ms: unix_ms(),
                exit,
                status: status_text,
                stdout: stdout_kept.into_string(),
                stderr,
            };
            if let Err(e) = log.append(run) {
                tracing::warn!(error = %e, "could not write the unpack log");
            }
        }
        outcome
    }
}

/// Reads one `\n`-terminated line of at most [`MAX_LINE_BYTES`] into `line`.
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let n = r.by_ref().take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', line)?;
    if line.len() > MAX_LINE_BYTES {
        return Err(std::io::Error::other(format!("a line longer than {MAX_LINE_BYTES} bytes")));
    }
    Ok(n)
}

/// The last [`LOG_OUTPUT_BYTES`] of a stream.
#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    cut: bool,
}

impl Tail {
    fn push(&mut self, more: &[u8]) {
        self.bytes.extend_from_slice(more);
        if self.bytes.len() > 2 * LOG_OUTPUT_BYTES {
            let drop = self.bytes.len() - LOG_OUTPUT_BYTES;
            self.bytes.drain(..drop);
            self.cut = true;
        }
    }

    fn into_string(mut self) -> String {
        if self.bytes.len() > LOG_OUTPUT_BYTES {
            let drop = self.bytes.len() - LOG_OUTPUT_BYTES;
            self.bytes.drain(..drop);
            self.cut = true;
        }
        let text = String::from_utf8_lossy(&self.bytes).into_owned();
        if self.cut { format!("[…]{text}") } else { text }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// One run of the sidecar, as the unpack log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnpackRun {
    pub game: String,
    pub program: String,
    pub args: Vec<String>,
    pub started_unix_ms: u64,
    pub ended_unix_ms: u64,
    /// The exit code; `None` if it was killed by a signal or could not be waited for.
    pub exit: Option<i32>,
    pub status: String,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct LogFile {
    runs: Vec<UnpackRun>,
}

/// The unpack log: the last [`LOG_RUNS`] sidecar runs, in one JSON file.
#[derive(Debug)]
pub struct UnpackLog {
    path: PathBuf,
    /// Serialises read-modify-write of the file between extractions running at once.
    lock: Mutex<()>,
}

impl UnpackLog {
    /// The log at `path` (created by the first run).
    pub fn new(path: PathBuf) -> UnpackLog {
        UnpackLog { path, lock: Mutex::new(()) }
    }

    /// The runs kept, oldest first; an unreadable log reads as empty (the next run replaces it).
    pub fn runs(&self) -> Vec<UnpackRun> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.read().runs
    }

    fn read(&self) -> LogFile {
        std::fs::read(&self.path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn append(&self, run: UnpackRun) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut log = self.read();
        log.runs.push(run);
        let excess = log.runs.len().saturating_sub(LOG_RUNS);
        log.runs.drain(..excess);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(&log).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(i: u64) -> UnpackRun {
        UnpackRun {
            game: "g".into(),
            program: "x".into(),
            args: vec![],
            started_unix_ms: i,
            ended_unix_ms: i,
            exit: Some(0),
            status: "exit status: 0".into(),
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    #[test]
    fn the_log_keeps_the_newest_runs_across_reopening() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("logs/unpack.json");
        let log = UnpackLog::new(path.clone());
        for i in 0..(LOG_RUNS as u64 + 5) {
            log.append(run(i)).unwrap();
        }
        let runs = UnpackLog::new(path).runs();
        assert_eq!(runs.len(), LOG_RUNS);
        assert_eq!(runs.first().unwrap().started_unix_ms, 5);
        assert_eq!(runs.last().unwrap().started_unix_ms, LOG_RUNS as u64 + 4);
    }

    #[test]
    fn output_keeps_its_end_and_says_it_was_cut() {
        let mut t = Tail::default();
        for _ in 0..10 {
            t.push(&[b'a'; LOG_OUTPUT_BYTES / 2]);
        }
        t.push(b"the error");
        let s = t.into_string();
        assert!(s.starts_with("[…]") && s.ends_with("the error"));
        assert!(s.len() <= LOG_OUTPUT_BYTES + "[…]".len());
    }

    #[test]
    fn lines_are_bounded() {
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        let mut r = std::io::Cursor::new(long);
        let mut line = Vec::new();
        assert!(read_line(&mut r, &mut line).is_err());
        let mut r = std::io::Cursor::new(b"{\"v\":1}\nnext\n".to_vec());
        line.clear();
        assert_eq!(read_line(&mut r, &mut line).unwrap(), 8);
        assert_eq!(line, b"{\"v\":1}\n");
    }

    /// A stand-in program that prints one progress line and then hangs (or floods stdout with
    /// an endless line): the runner must stop it on a cancel, and on output it cannot read.
    #[cfg(unix)]
    fn script(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-unrar");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn a_cancel_kills_a_running_unpacker_and_the_log_records_it() {
        let tmp = tempfile::tempdir().unwrap();
        let program =
            script(tmp.path(), r#"echo '{"v":1,"type":"progress","bytes_done":1,"bytes_total":9}'; exec sleep 60"#);
        let log_path = tmp.path().join("unpack.json");
        let sidecar = Sidecar::new(program, Some(UnpackLog::new(log_path.clone())));
        let stop = CancellationToken::new();
        let started = std::time::Instant::now();
        let mut seen = Vec::new();
        let result = std::thread::scope(|s| {
            let stopper = stop.clone();
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                stopper.cancel();
            });
            let game = GameId::new("g").unwrap();
            sidecar.extract(&game, tmp.path(), &tmp.path().join("d"), &stop, &mut |p| seen.push(p))
        });
        assert!(matches!(result, Err(UnpackError::Cancelled)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert_eq!(seen, [UnpackProgress { bytes_done: 1, bytes_total: 9 }]);
        let runs = UnpackLog::new(log_path).runs();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].exit, None, "killed by a signal: {}", runs[0].status);
        assert!(runs[0].args.contains(&"--exit-with-stdin".to_owned()));
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_output_stops_the_unpacker_instead_of_waiting_for_it() {
        let tmp = tempfile::tempdir().unwrap();
        // One endless line: longer than any line the runtime reads, and the writer never ends.
        let program = script(tmp.path(), "exec tr -d '\\n' < /dev/zero");
        let sidecar = Sidecar::new(program, None);
        let game = GameId::new("g").unwrap();
        let started = std::time::Instant::now();
        let result = sidecar.extract(&game, tmp.path(), &tmp.path().join("d"), &CancellationToken::new(), &mut |_| {});
        assert!(matches!(result, Err(UnpackError::Output(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}
