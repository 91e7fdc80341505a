//! The logs of dedicated servers started without a console (see [`super::play`]), for the app's
//! log view: `<state>/logs/server-<game>.log`, read from the end.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::catalog::GameId;

/// How much of each server log [`server_logs`] reads: the last 64 KiB.
pub const SERVER_LOG_TAIL: u64 = 64 * 1024;

/// `<state>/logs/server-<game>.log`.
pub fn server_log_path(state_root: &Path, game: &GameId) -> PathBuf {
    state_root.join("logs").join(format!("server-{game}.log"))
}

/// The end of one server's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServerLog {
    pub game: String,
    /// When the log last changed, in seconds since 1970.
    pub modified_unix_s: Option<u64>,
    /// The last [`SERVER_LOG_TAIL`] bytes at most, from a line start, as text.
    pub text: String,
    /// Older output was left out.
    pub truncated: bool,
}

/// The server logs in the state folder `state_root`, the newest first, each its last `tail`
/// bytes. Files that are not a game's server log are skipped; an unreadable one is skipped and
/// logged.
pub fn server_logs(state_root: &Path, tail: u64) -> Vec<ServerLog> {
    let Ok(entries) = fs::read_dir(state_root.join("logs")) else { return Vec::new() };
    let mut logs: Vec<ServerLog> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let game = name.to_str()?.strip_prefix("server-")?.strip_suffix(".log")?;
            let game = GameId::new(game).ok()?;
            // Only plain files: a pipe of that name would block the read forever, a link
            // would read outside the folder.
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                return None;
            }
            match read_tail(&entry.path(), tail) {
                Ok((text, truncated, modified_unix_s)) => {
                    Some(ServerLog { game: game.to_string(), modified_unix_s, text, truncated })
                }
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "cannot read a server log");
                    None
                }
            }
        })
        .collect();
    logs.sort_by(|a, b| b.modified_unix_s.cmp(&a.modified_unix_s).then_with(|| a.game.cmp(&b.game)));
    logs
}

/// The last `tail` bytes of the file at `path` from the first line start in them (the whole
/// last line when none), whether more came before, and when it last changed.
fn read_tail(path: &Path, tail: u64) -> io::Result<(String, bool, Option<u64>)> {
    let mut file = fs::File::open(path)?;
    let meta = file.metadata()?;
    let modified = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
    let len = meta.len();
    let truncated = len > tail;
    // One byte more than the tail when cut: the byte before it says whether the tail begins a
    // line (it is a newline) or the middle of one.
    let read = if truncated { tail + 1 } else { tail };
    file.seek(SeekFrom::Start(len.saturating_sub(read)))?;
    let mut bytes = Vec::new();
    file.take(read).read_to_end(&mut bytes)?;
    let start = match bytes.iter().position(|&b| b == b'\n') {
        _ if !truncated => 0,
        Some(newline) if newline + 1 < bytes.len() => newline + 1,
        _ => 1.min(bytes.len()),
    };
    Ok((String::from_utf8_lossy(&bytes[start..]).into_owned(), truncated, modified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_logs_are_read_from_their_end_newest_first() {
        let state = tempfile::tempdir().unwrap();
        assert!(server_logs(state.path(), 16).is_empty(), "no logs folder yet");
        let logs = state.path().join("logs");
        fs::create_dir_all(&logs).unwrap();
        fs::write(logs.join("server-quake.log"), "first\nsecond\nthird\n").unwrap();
        fs::write(logs.join("play-quake.log"), "not a server").unwrap();
        fs::write(logs.join("server-..log"), "not a game").unwrap();
        let older = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let short = logs.join("server-xonotic.log");
        fs::write(&short, "ready\n").unwrap();
        fs::File::options().write(true).open(&short).unwrap().set_modified(older).unwrap();

        let read = server_logs(state.path(), 10);
        let games: Vec<&str> = read.iter().map(|l| l.game.as_str()).collect();
        assert_eq!(games, ["quake", "xonotic"]);
        assert_eq!((read[0].text.as_str(), read[0].truncated), ("third\n", true), "cut at a line start");
        assert_eq!((read[1].text.as_str(), read[1].truncated), ("ready\n", false));
        assert_eq!(server_log_path(state.path(), &GameId::new("quake").unwrap()), logs.join("server-quake.log"));

        fs::write(logs.join("server-quake.log"), "one very long line without end").unwrap();
        assert_eq!(server_logs(state.path(), 10)[0].text, "ithout end", "no line start: the bytes as they are");

        fs::write(logs.join("server-quake.log"), "aa\nbb\ncc\n").unwrap();
        assert_eq!(server_logs(state.path(), 6)[0].text, "bb\ncc\n", "a tail that begins a line keeps it");
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_or_link_named_like_a_server_log_is_skipped() {
        let state = tempfile::tempdir().unwrap();
        let logs = state.path().join("logs");
        fs::create_dir_all(&logs).unwrap();
        let made = std::process::Command::new("mkfifo").arg(logs.join("server-quake.log")).status().unwrap();
        assert!(made.success());
        fs::write(state.path().join("secret"), "outside").unwrap();
        std::os::unix::fs::symlink(state.path().join("secret"), logs.join("server-xonotic.log")).unwrap();
        assert!(server_logs(state.path(), 10).is_empty(), "neither is read (the pipe would block)");
    }
}
