//! Writing a checked plan to the destination.
//!
//! UnRAR decompresses and verifies (`RAR_TEST`); this module writes. For each entry, in archive
//! order:
//!
//! 1. the header read now must be the one the check saw (name, kind, size), or the archive
//!    changed underneath us and the run stops;
//! 2. every parent folder is created or found with `symlink_metadata` to be a real folder (never
//!    a link) strictly inside the destination;
//! 3. a file is created with `create_new` (never overwriting, never following a link at the
//!    final component) at [`names::target`], and data is written as UnRAR hands it over: a
//!    block that would take the file past its declared size stops the entry, so at most the
//!    declared size is ever written (on Windows, NTFS stream data that UnRAR passes after a
//!    complete file is dropped);
//! 4. afterwards the written size must equal the declared size and, where the archive stores a
//!    CRC32, our own CRC32 of the written bytes must match (UnRAR also checks CRC32 and BLAKE2
//!    and fails the call on a mismatch); on any failure the partial file is removed;
//! 5. the path is checked again with `symlink_metadata`: a plain file or folder, every parent a
//!    real folder, and its canonical path strictly inside the canonical destination.
//!
//! On failure the run stops with an error line and a non-zero exit; entries finished before
//! stay in the destination. The caller extracts into a staging folder and discards it.

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Failure;
use crate::ffi::{self, Checksum, Header, Mode};
use crate::line::{EntryKind, HashKind, Line, Output, ProgressGate};
use crate::names;
use crate::plan::{self, ArchivePlan, Entry, Stage};

/// At most one progress line per this interval.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// Write buffer for extracted files.
const WRITE_BUFFER_BYTES: usize = 1024 * 1024;

/// Running totals for progress lines.
#[derive(Debug)]
struct Progress {
    bytes_done: u64,
    bytes_total: u64,
    entries_done: usize,
    entries_total: usize,
    gate: ProgressGate,
}

impl Progress {
    fn line(&self) -> Line<'static> {
        Line::Progress {
            bytes_done: self.bytes_done,
            bytes_total: self.bytes_total,
            entries_done: self.entries_done,
            entries_total: self.entries_total,
        }
    }
}

/// The `entry` line for a planned entry.
pub fn entry_line<'a>(archive: &Path, e: &'a Entry) -> Line<'a> {
    let (crc32, hash) = match e.checksum {
        _ if e.is_dir => (None, HashKind::None),
        Checksum::Crc32(crc) => (Some(format!("{crc:08x}")), HashKind::Crc32),
        Checksum::Blake2 => (None, HashKind::Blake2),
        Checksum::None => (None, HashKind::None),
    };
    Line::Entry {
        archive: archive.display().to_string(),
        path: &e.path,
        kind: if e.is_dir { EntryKind::Dir } else { EntryKind::File },
        size: e.size,
        crc32,
        hash,
    }
}

/// The `archive` line for a plan.
pub fn archive_line(plan: &ArchivePlan) -> Line<'static> {
    Line::Archive {
        path: plan.path.display().to_string(),
        volumes: plan.volumes.iter().map(|v| v.display().to_string()).collect(),
        is_solid: plan.is_solid,
        entries: plan.written().count(),
        bytes: plan.bytes(),
        old_versions: plan.entries.iter().filter(|e| e.is_old_version).count(),
    }
}

/// Extracts every planned archive into `root` (canonical, existing folder).
pub fn extract_all<W: Write>(
    plans: &[ArchivePlan],
    total: u64,
    root: &Path,
    out: &mut Output<W>,
) -> Result<(), Failure> {
    let mut progress = Progress {
        bytes_done: 0,
        bytes_total: total,
        entries_done: 0,
        entries_total: plans.iter().map(|p| p.written().count()).sum(),
        gate: ProgressGate::new(PROGRESS_INTERVAL),
    };
    for plan in plans {
        out.emit(&archive_line(plan))?;
        extract_archive(plan, root, out, &mut progress)?;
    }
    out.emit(&progress.line())?;
    out.emit(&Line::Done { archives: plans.len(), entries: progress.entries_done, bytes: progress.bytes_done })
}

fn extract_archive<W: Write>(
    plan: &ArchivePlan,
    root: &Path,
    out: &mut Output<W>,
    progress: &mut Progress,
) -> Result<(), Failure> {
    let path = &plan.path;
    let mut archive = ffi::Archive::open(path, Mode::Extract).map_err(|e| plan::open_failure(path, &e))?;
    let mut previous: Option<&Entry> = None;
    for planned in &plan.entries {
        let Some(header) = read_next(&mut archive, path, previous)? else {
            return Err(changed(path, &planned.stored_name));
        };
        previous = Some(planned);
        let now = plan::check_header(path, &header)?;
        if now.stored_name != planned.stored_name || now.is_dir != planned.is_dir || now.size != planned.size {
            return Err(changed(path, &planned.stored_name));
        }
        let call = |archive: &ffi::Archive, code| {
            plan::call_failure(path, code, archive, Some(planned.stored_name.clone()), Stage::Data)
        };
        if planned.is_old_version {
            archive.skip().map_err(|code| call(&archive, code))?;
            continue;
        }
        if planned.is_dir {
            ensure_dirs(root, &planned.path)?;
            archive.skip().map_err(|code| call(&archive, code))?;
        } else {
            if let Some(parent) = planned.path.rsplit_once('/').map(|(p, _)| p) {
                ensure_dirs(root, parent)?;
            }
            write_file(&mut archive, plan, planned, root, out, progress)?;
        }
        verify_plain(root, &planned.path, planned.is_dir)?;
        progress.entries_done += 1;
        out.emit(&entry_line(path, planned))?;
        if progress.gate.is_due(Instant::now()) {
            out.emit(&progress.line())?;
        }
        #[cfg(feature = "test-faults")]
        faults::after_entry(progress.entries_done, &progress.line(), out);
    }
    // Anything after the planned entries means the archive changed since the check.
    match read_next(&mut archive, path, previous)? {
        None => Ok(()),
        Some(h) => Err(changed(path, &h.name)),
    }
}

/// Reads the next entry's header, skipping continuations of `previous` (see
/// [`is_continuation`]).
fn read_next(archive: &mut ffi::Archive, path: &Path, previous: Option<&Entry>) -> Result<Option<Header>, Failure> {
    let previous_name = || previous.map(|e| e.stored_name.clone());
    loop {
        match archive.read_header() {
            Ok(Some(h)) if is_continuation(&h, previous) => {
                archive.skip().map_err(|code| plan::call_failure(path, code, archive, previous_name(), Stage::Skip))?;
            }
            Ok(next) => return Ok(next),
            Err(code) => return Err(plan::call_failure(path, code, archive, previous_name(), Stage::Header)),
        }
    }
}

/// Whether `header`, read while extracting, is a later part of the entry before it rather than
/// an entry. Skipping (`RAR_SKIP`) an entry split across the volumes of a non-solid archive
/// makes UnRAR move to the next volume and, in extraction mode, return that part's header next
/// (only listing mode reads past it, `dll.cpp`). Old versions are skipped that way. The check
/// matched the same part to the same entry (`plan::scan`), so it is skipped in turn.
fn is_continuation(header: &Header, previous: Option<&Entry>) -> bool {
    header.is_split_before && previous.is_some_and(|p| p.stored_name == header.name && p.is_dir == header.is_dir)
}

fn changed(archive: &Path, entry: &str) -> Failure {
    Failure::Corrupt {
        archive: archive.into(),
        entry: Some(entry.into()),
        detail: "the archive changed while it was being extracted".into(),
    }
}

/// What went wrong inside the data callback, kept until the call returns.
enum SinkError {
    TooLong,
    Write(io::Error),
    Output(Failure),
}

fn write_file<W: Write>(
    archive: &mut ffi::Archive,
    plan: &ArchivePlan,
    planned: &Entry,
    root: &Path,
    out: &mut Output<W>,
    progress: &mut Progress,
) -> Result<(), Failure> {
    let target = names::target(root, &planned.path);
    let file = match OpenOptions::new().write(true).create_new(true).open(&target) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(Failure::Exists { path: target }),
        Err(source) => return Err(Failure::Dest { action: "create", path: target, source }),
    };
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER_BYTES, file);
    let mut written: u64 = 0;
    let mut crc = crc32fast::Hasher::new();
    let mut sink_error: Option<SinkError> = None;
    let bytes_before = progress.bytes_done;
    let result = archive.test(&mut |block: &[u8]| {
        let len = block.len() as u64;
        if written.checked_add(len).is_none_or(|end| end > planned.size) {
            if cfg!(windows) && written == planned.size {
                // Windows builds of UnRAR pass an entry's NTFS streams (service headers after
                // it) through the same callback, after the entry's data, even when testing.
                // They are not part of the file and are never written.
                return true;
            }
            sink_error = Some(SinkError::TooLong);
            return false;
        }
        if let Err(e) = writer.write_all(block) {
            sink_error = Some(SinkError::Write(e));
            return false;
        }
        crc.update(block);
        written += len;
        progress.bytes_done = bytes_before + written;
        if progress.gate.is_due(Instant::now()) {
            if let Err(f) = out.emit(&progress.line()) {
                sink_error = Some(SinkError::Output(f));
                return false;
            }
        }
        true
    });
    let flushed = writer.into_inner().map_err(io::IntoInnerError::into_error);
    let entry = Some(planned.stored_name.clone());
    let failure = match (sink_error, result) {
        (Some(SinkError::TooLong), _) => Some(Failure::Corrupt {
            archive: plan.path.clone(),
            entry,
            detail: format!("the entry unpacks to more than its declared {} bytes", planned.size),
        }),
        (Some(SinkError::Write(source)), _) => Some(Failure::Dest { action: "write", path: target.clone(), source }),
        (Some(SinkError::Output(f)), _) => Some(f),
        (None, Err(code)) => Some(plan::call_failure(&plan.path, code, archive, entry, Stage::Data)),
        (None, Ok(())) => match flushed {
            Err(source) => Some(Failure::Dest { action: "write", path: target.clone(), source }),
            Ok(_) if written != planned.size => Some(Failure::Corrupt {
                archive: plan.path.clone(),
                entry,
                detail: format!("the entry unpacked to {written} bytes, its header declares {}", planned.size),
            }),
            Ok(_) => match planned.checksum {
                Checksum::Crc32(expected) if crc.clone().finalize() != expected => Some(Failure::Corrupt {
                    archive: plan.path.clone(),
                    entry,
                    detail: format!("CRC32 {:08x} of the written file is not {expected:08x}", crc.finalize()),
                }),
                _ => None,
            },
        },
    };
    match failure {
        None => Ok(()),
        Some(failure) => {
            // Best effort: the caller discards the staging folder anyway.
            let _ = fs::remove_file(&target);
            Err(failure)
        }
    }
}

/// Creates (or finds) the folders of `rel` under `root`, one component at a time, each a real
/// folder and never a link.
fn ensure_dirs(root: &Path, rel: &str) -> Result<(), Failure> {
    let mut path = root.to_path_buf();
    for component in rel.split('/') {
        path.push(component);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_dir() => continue,
            Ok(_) => return Err(Failure::NotPlain { path, expected: "folder" }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(Failure::Dest { action: "inspect", path, source }),
        }
        if let Err(source) = fs::create_dir(&path) {
            return Err(Failure::Dest { action: "create folder", path, source });
        }
    }
    Ok(())
}

/// After writing: `rel` is a plain file (or folder), every parent a real folder, all strictly
/// inside `root`.
fn verify_plain(root: &Path, rel: &str, is_dir: bool) -> Result<(), Failure> {
    let mut path: PathBuf = root.to_path_buf();
    let components: Vec<&str> = rel.split('/').collect();
    for (i, component) in components.iter().enumerate() {
        path.push(component);
        let is_last = i + 1 == components.len();
        let expect_dir = !is_last || is_dir;
        let expected = if expect_dir { "folder" } else { "file" };
        let ok = fs::symlink_metadata(&path).is_ok_and(|m| {
            let t = m.file_type();
            if expect_dir { t.is_dir() } else { t.is_file() }
        });
        if !ok {
            return Err(Failure::NotPlain { path, expected });
        }
    }
    let inside = fs::canonicalize(&path).is_ok_and(|real| real.starts_with(root) && real != root);
    if !inside {
        return Err(Failure::NotPlain { path, expected: if is_dir { "folder" } else { "file" } });
    }
    Ok(())
}

/// Reads the free space at `root`.
pub fn available_space(root: &Path) -> Result<u64, Failure> {
    fs4::available_space(root).map_err(|source| Failure::Dest {
        action: "read free space of",
        path: root.into(),
        source,
    })
}

/// Where the free space for `dest` can be read before `dest` is created: `dest` itself or its
/// nearest ancestor that exists (`.` for a relative path none of whose folders exist).
pub fn nearest_existing(dest: &Path) -> PathBuf {
    dest.ancestors()
        .map(|a| if a.as_os_str().is_empty() { Path::new(".") } else { a })
        .find(|a| a.exists())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Creates the destination if needed and returns its canonical path.
pub fn prepare_root(dest: &Path) -> Result<PathBuf, Failure> {
    fs::create_dir_all(dest).map_err(|source| Failure::Dest { action: "create", path: dest.into(), source })?;
    let root = fs::canonicalize(dest).map_err(|source| Failure::Dest { action: "open", path: dest.into(), source })?;
    if !fs::metadata(&root).is_ok_and(|m| m.is_dir()) {
        return Err(Failure::NotPlain { path: root, expected: "folder" });
    }
    Ok(root)
}

/// A stall compiled only with the `test-faults` feature: with
/// `LANPARTY_UNRAR_TEST_STALL_AFTER_ENTRIES=N`, the sidecar stops for good after writing N
/// entries, so tests can kill its caller while an extraction is half done.
#[cfg(feature = "test-faults")]
mod faults {
    use super::{Line, Output, Write};

    /// Stalls after `entries_done` entries if the environment asks for it, first printing
    /// `progress` so the caller sees how far it came.
    pub fn after_entry<W: Write>(entries_done: usize, progress: &Line<'_>, out: &mut Output<W>) {
        let stall_after =
            std::env::var("LANPARTY_UNRAR_TEST_STALL_AFTER_ENTRIES").ok().and_then(|v| v.parse::<usize>().ok());
        if stall_after.is_some_and(|n| entries_done >= n) {
            let _ = out.emit(progress);
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_of_the_previous_entry_are_recognised() {
        let header = |name: &str, is_split_before: bool| Header {
            name: name.into(),
            is_name_intact: true,
            is_dir: false,
            is_encrypted: false,
            is_split_before,
            is_split_after: false,
            unpacked_size: 10,
            packed_size: 4,
            host: ffi::Host::Unix,
            attributes: 0o100_644,
            unpack_version: 50,
            checksum: Checksum::Crc32(1),
            redirect: None,
            redirect_target: String::new(),
        };
        let old = Entry {
            stored_name: "v.txt;1".into(),
            path: "v.txt;1".into(),
            is_dir: false,
            size: 10,
            checksum: Checksum::Crc32(1),
            is_old_version: true,
        };
        assert!(is_continuation(&header("v.txt;1", true), Some(&old)));
        assert!(!is_continuation(&header("v.txt;1", false), Some(&old)), "not split: a second entry");
        assert!(!is_continuation(&header("v.txt", true), Some(&old)), "another entry's part");
        assert!(!is_continuation(&header("v.txt;1", true), None), "nothing before it");
        let dir = Entry { is_dir: true, ..old.clone() };
        assert!(!is_continuation(&header("v.txt;1", true), Some(&dir)));
    }

    #[test]
    fn free_space_is_read_at_the_nearest_existing_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        assert_eq!(nearest_existing(root), root);
        assert_eq!(nearest_existing(&root.join("a/b/c")), root);
        fs::create_dir(root.join("a")).expect("create");
        assert_eq!(nearest_existing(&root.join("a/b/c")), root.join("a"));
        assert_eq!(nearest_existing(Path::new("surely-not-here/x")), Path::new("."));
    }

    #[cfg(unix)]
    #[test]
    fn parents_that_are_links_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(outside.path(), root.join("up")).expect("symlink");
        assert_eq!(ensure_dirs(&root, "up/x").map_err(|f| f.code()), Err("destination"));
        assert_eq!(verify_plain(&root, "up", true).map_err(|f| f.code()), Err("destination"));
        assert!(fs::read_dir(outside.path()).expect("readable").next().is_none(), "nothing written outside");
        ensure_dirs(&root, "a/b").expect("plain folders");
        assert!(verify_plain(&root, "a/b", true).is_ok());
        assert!(verify_plain(&root, "a", false).is_err(), "a folder is not a file");
    }
}
