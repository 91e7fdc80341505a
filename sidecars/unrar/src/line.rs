//! The JSON lines printed on stdout: one object per line, each with the protocol version `v`
//! and a `type`. Nothing else is printed on stdout; stderr carries only usage text.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::Failure;

/// Version of the JSON lines; bumped when a field changes meaning or goes away (new fields may
/// appear without a bump).
pub const PROTOCOL: u32 = 1;

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line<'a> {
    Version {
        version: &'a str,
        /// UnRAR source release compiled in (fixed by the `unrar_sys` pin).
        unrar: &'a str,
        /// `RARGetDllVersion()`: the DLL API version.
        unrar_api: i32,
    },
    /// An archive (or volume set) about to be listed or extracted.
    Archive {
        path: String,
        /// Volumes after the first, in order (found while checking).
        volumes: Vec<String>,
        is_solid: bool,
        /// Files and folders that will be (or were) written.
        entries: usize,
        /// Declared bytes of those files.
        bytes: u64,
        /// Older versions of files stored with RAR's `-ver`, not extracted.
        old_versions: usize,
    },
    /// In `list`: an entry that would be written. In `extract`: an entry written and verified.
    Entry {
        archive: String,
        /// Normalised, `/`-separated, relative to the destination.
        path: &'a str,
        kind: EntryKind,
        size: u64,
        /// Lower-case hex CRC32 when the archive stores one; `null` for folders and for entries
        /// checked with BLAKE2 (`hash` says which).
        crc32: Option<String>,
        hash: HashKind,
    },
    Progress {
        bytes_done: u64,
        bytes_total: u64,
        entries_done: usize,
        entries_total: usize,
    },
    Done {
        archives: usize,
        entries: usize,
        bytes: u64,
    },
    Error {
        code: &'static str,
        exit: u8,
        message: String,
        archive: Option<String>,
        entry: Option<&'a str>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HashKind {
    None,
    Crc32,
    Blake2,
}

impl<'a> Line<'a> {
    pub fn error(failure: &'a Failure) -> Self {
        Line::Error {
            code: failure.code(),
            exit: failure.exit_code(),
            message: failure.to_string(),
            archive: failure.archive().map(|p| p.display().to_string()),
            entry: failure.entry(),
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    v: u32,
    #[serde(flatten)]
    line: &'a Line<'a>,
}

/// Stdout, one flushed line per call, so the caller sees each line as it happens.
#[derive(Debug)]
pub struct Output<W: Write> {
    out: W,
}

impl<W: Write> Output<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }

    pub fn emit(&mut self, line: &Line<'_>) -> Result<(), Failure> {
        let text = serde_json::to_string(&Envelope { v: PROTOCOL, line })
            .map_err(|e| Failure::Internal(format!("cannot encode a line: {e}")))?;
        writeln!(self.out, "{text}")
            .and_then(|()| self.out.flush())
            .map_err(|e: io::Error| Failure::Internal(format!("cannot write to stdout: {e}")))
    }
}

/// Lets a progress line through at most once per interval.
#[derive(Debug)]
pub struct ProgressGate {
    interval: Duration,
    last: Option<Instant>,
}

impl ProgressGate {
    pub fn new(interval: Duration) -> Self {
        Self { interval, last: None }
    }

    /// Whether a line may go out at `now`; if so, `now` starts the next interval. The first
    /// call waits one interval too, so a small game prints no progress at all.
    pub fn is_due(&mut self, now: Instant) -> bool {
        let start = *self.last.get_or_insert(now);
        if now.duration_since(start) >= self.interval {
            self.last = Some(now);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_version_and_type() {
        let mut buf = Vec::new();
        let mut out = Output::new(&mut buf);
        out.emit(&Line::Done { archives: 1, entries: 2, bytes: 3 }).expect("a Vec takes writes");
        let text = String::from_utf8(buf).expect("JSON is UTF-8");
        assert_eq!(text, "{\"v\":1,\"type\":\"done\",\"archives\":1,\"entries\":2,\"bytes\":3}\n");
    }

    #[test]
    fn progress_gate_bounds_the_rate() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut gate = ProgressGate::new(ms(250));
        assert!(!gate.is_due(t0), "the first interval starts at the first call");
        assert!(!gate.is_due(t0 + ms(249)));
        assert!(gate.is_due(t0 + ms(250)));
        assert!(!gate.is_due(t0 + ms(300)));
        assert!(!gate.is_due(t0 + ms(499)));
        assert!(gate.is_due(t0 + ms(500)));
        assert!(gate.is_due(t0 + ms(10_000)));
    }
}
