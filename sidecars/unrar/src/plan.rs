//! The check that runs before anything is written: every entry of every archive is read (headers
//! only) and must pass, and the whole game must fit.
//!
//! Refused, naming the archive and entry: encrypted entries or headers; symbolic links, hard
//! links, junctions, file copies and any other redirection record, RAR 3 Unix symlinks (mode
//! `S_IFLNK`), Windows reparse points (attribute `0x400`) and Unix special files; names that
//! fail [`names::normalise`]; two entries of the whole game whose paths collide on Windows or
//! macOS (case, Unicode normalisation), including implied parent folders (`Data/a` next to
//! `data/b`); a path that is both a file and a folder; the same file twice; more than
//! [`MAX_ENTRIES`] entries in one archive.
//!
//! Stored older versions (`name;N` next to `name`, RAR's `-ver`) are kept out of the plan, as
//! UnRAR's own extraction does by default; the DLL does not expose the version flag, so the
//! name pattern with the current version present decides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::endmark::{self, EndMark};
use crate::error::Failure;
use crate::ffi::{self, Checksum, Code, Header, Host, Mode};
use crate::names::{self, NameError};
use crate::select;

/// Most entries one archive may hold; bounds the plan's memory.
pub const MAX_ENTRIES: usize = 1_000_000;
/// Default for `--max-bytes`: 1 TiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 40;
/// Free space asked for beyond the declared sizes: folders and file system overhead.
pub const FREE_SPACE_MARGIN_BYTES: u64 = 64 * 1024 * 1024;

/// Windows `FILE_ATTRIBUTE_REPARSE_POINT`.
const WINDOWS_REPARSE_POINT: u32 = 0x400;
const UNIX_TYPE_MASK: u32 = 0o170_000;
const UNIX_DIR: u32 = 0o040_000;
const UNIX_FILE: u32 = 0o100_000;
const UNIX_SYMLINK: u32 = 0o120_000;

/// One entry that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as UnRAR reported it, to match headers when extracting.
    pub stored_name: String,
    /// Normalised and validated.
    pub path: String,
    pub is_dir: bool,
    /// Declared unpacked size; 0 for folders.
    pub size: u64,
    /// The whole file's checksum (for an entry split over volumes, the last part's).
    pub checksum: Checksum,
    /// A stored older version, read past but not written.
    pub is_old_version: bool,
}

/// One archive (or volume set) that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePlan {
    /// As given (or found by `--from`); the first volume of a set.
    pub path: PathBuf,
    pub is_solid: bool,
    /// Volumes after the first, as UnRAR found them.
    pub volumes: Vec<PathBuf>,
    /// In archive order, old versions included.
    pub entries: Vec<Entry>,
}

impl ArchivePlan {
    /// The entries that will be written.
    pub fn written(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| !e.is_old_version)
    }

    pub fn bytes(&self) -> u64 {
        self.written().map(|e| e.size).fold(0, u64::saturating_add)
    }
}

/// Checks one header: what an entry is, then its name.
pub fn check_header(archive: &Path, h: &Header) -> Result<Entry, Failure> {
    let entry = || h.name.clone();
    if h.is_encrypted {
        return Err(Failure::Password { archive: archive.into(), entry: Some(entry()) });
    }
    if let Some(redirect) = h.redirect {
        return Err(Failure::Link {
            archive: archive.into(),
            entry: entry(),
            kind: redirect.to_string(),
            target: h.redirect_target.clone(),
        });
    }
    match h.host {
        Host::Windows if h.attributes & WINDOWS_REPARSE_POINT != 0 => {
            return Err(Failure::Link {
                archive: archive.into(),
                entry: entry(),
                kind: "a Windows reparse point (link or junction)".into(),
                target: String::new(),
            });
        }
        Host::Windows => {}
        Host::Unix => {
            let kind = h.attributes & UNIX_TYPE_MASK;
            let expected = if h.is_dir { UNIX_DIR } else { UNIX_FILE };
            // 0: no type bits stored (old archives); UnRAR then makes a plain file or folder.
            if kind == UNIX_SYMLINK {
                return Err(Failure::Link {
                    archive: archive.into(),
                    entry: entry(),
                    kind: "a symbolic link".into(),
                    target: String::new(),
                });
            }
            if kind != 0 && kind != expected {
                return Err(Failure::SpecialFile { archive: archive.into(), entry: entry(), mode: h.attributes });
            }
        }
    }
    if !h.is_name_intact {
        return Err(Failure::UnsafeName { archive: archive.into(), entry: entry(), reason: NameError::NotUnicode });
    }
    let path = names::normalise(&h.name, names::backslash_separates(h.is_rar5()), h.is_dir)
        .map_err(|reason| Failure::UnsafeName { archive: archive.into(), entry: entry(), reason })?;
    Ok(Entry {
        stored_name: h.name.clone(),
        path,
        is_dir: h.is_dir,
        size: if h.is_dir { 0 } else { h.unpacked_size },
        checksum: h.checksum,
        is_old_version: false,
    })
}

/// Marks stored older versions: `name;N` when `name` is a file of the same archive.
pub fn mark_old_versions(entries: &mut [Entry]) {
    let files: std::collections::HashSet<String> =
        entries.iter().filter(|e| !e.is_dir).map(|e| e.path.clone()).collect();
    for e in entries.iter_mut().filter(|e| !e.is_dir) {
        e.is_old_version = names::version_base(&e.path).is_some_and(|base| files.contains(base));
    }
}

/// Refuses paths that collide across the whole game (see the module doc).
pub fn check_collisions(archives: &[ArchivePlan]) -> Result<(), Failure> {
    struct Seen<'a> {
        archive: &'a Path,
        path: &'a str,
        is_dir: bool,
    }
    let mut seen: HashMap<String, Seen<'_>> = HashMap::new();
    for plan in archives {
        for e in plan.written() {
            let implied = names::ancestors(&e.path).map(|a| (a, true));
            for (path, is_dir) in implied.chain([(e.path.as_str(), e.is_dir)]) {
                let key = lanparty_relpath::collision_key(path);
                let Some(before) = seen.get(&key) else {
                    seen.insert(key, Seen { archive: &plan.path, path, is_dir });
                    continue;
                };
                let failure = match (before.is_dir, is_dir) {
                    (true, true) if before.path == path => continue,
                    (false, false) if before.path == path => Failure::Duplicate {
                        archive: plan.path.clone(),
                        entry: path.into(),
                        other_archive: before.archive.into(),
                    },
                    (true, true) | (false, false) => Failure::Collision {
                        archive: plan.path.clone(),
                        entry: path.into(),
                        other_archive: before.archive.into(),
                        other: before.path.into(),
                    },
                    _ => Failure::FileAndFolder {
                        archive: plan.path.clone(),
                        entry: path.into(),
                        other: before.path.into(),
                    },
                };
                return Err(failure);
            }
        }
    }
    Ok(())
}

/// Declared bytes of every file that will be written; refused above `max_bytes`.
pub fn total_bytes(archives: &[ArchivePlan], max_bytes: u64) -> Result<u64, Failure> {
    let total = archives
        .iter()
        .flat_map(ArchivePlan::written)
        .try_fold(0u64, |sum, e| sum.checked_add(e.size))
        .unwrap_or(u64::MAX);
    if total > max_bytes {
        return Err(Failure::TooLarge { total, max: max_bytes });
    }
    Ok(total)
}

/// Refuses when `total` declared bytes (plus the margin) do not fit in `available`.
pub fn check_space(dest: &Path, total: u64, available: u64) -> Result<(), Failure> {
    let needed = total.saturating_add(FREE_SPACE_MARGIN_BYTES);
    if needed > available {
        return Err(Failure::NoSpace { dest: dest.into(), needed, available });
    }
    Ok(())
}

/// Reads every header of one archive (all its volumes) and checks it.
pub fn scan(path: &Path) -> Result<ArchivePlan, Failure> {
    let mut archive = ffi::Archive::open(path, Mode::List).map_err(|e| open_failure(path, &e))?;
    let flags = archive.flags();
    if flags.is_volume() && !flags.is_first_volume() {
        return Err(Failure::LaterVolume { path: path.into() });
    }
    if flags.has_encrypted_headers() {
        return Err(Failure::Password { archive: path.into(), entry: None });
    }
    let mut entries: Vec<Entry> = Vec::new();
    loop {
        let last = entries.last().map(|e| e.stored_name.clone());
        let header = match archive.read_header() {
            Ok(Some(h)) => h,
            Ok(None) => break,
            Err(code) => return Err(call_failure(path, code, &archive, last, Stage::Header)),
        };
        if header.is_split_before {
            // A later part of the entry before it: same name, and its checksum is the file's.
            let checked = check_header(path, &header)?;
            match entries.last_mut() {
                Some(prev) if prev.stored_name == header.name && prev.is_dir == checked.is_dir => {
                    prev.checksum = checked.checksum;
                }
                _ => {
                    return Err(Failure::Corrupt {
                        archive: path.into(),
                        entry: Some(header.name),
                        detail: "a volume continues an entry that the previous volume did not start".into(),
                    });
                }
            }
        } else {
            if entries.len() >= MAX_ENTRIES {
                return Err(Failure::TooManyEntries { archive: path.into(), max: MAX_ENTRIES });
            }
            entries.push(check_header(path, &header)?);
        }
        archive.skip().map_err(|code| call_failure(path, code, &archive, Some(header.name.clone()), Stage::Skip))?;
    }
    mark_old_versions(&mut entries);
    let volumes = archive.volumes().to_vec();
    let last_entry = entries.last().map(|e| e.stored_name.clone());
    check_complete(path, &volumes, flags.is_volume(), last_entry)?;
    Ok(ArchivePlan { path: path.into(), is_solid: flags.is_solid(), volumes, entries })
}

/// Catches an archive cut between two entries, which UnRAR reads as a shorter archive: every
/// RAR 5 volume must reach its end-of-archive header, and a set must not stop before a next
/// volume that is there on disk.
fn check_complete(
    path: &Path,
    volumes: &[PathBuf],
    is_volume: bool,
    last_entry: Option<String>,
) -> Result<(), Failure> {
    let cut = |volume: &Path, detail: String| Failure::Corrupt {
        archive: path.into(),
        entry: last_entry.clone(),
        detail: if volume == path {
            detail
        } else {
            format!("{detail} (in volume {})", volume.file_name().unwrap_or_default().to_string_lossy())
        },
    };
    let all = std::iter::once(path).chain(volumes.iter().map(PathBuf::as_path));
    for volume in all {
        match endmark::rar5_end_mark(volume) {
            Ok(EndMark::Missing) => {
                return Err(cut(
                    volume,
                    "the archive ends after it, before its end-of-archive header (cut short?)".into(),
                ));
            }
            Ok(EndMark::Found | EndMark::NotChecked) => {}
            Err(source) => return Err(Failure::ArchiveUnreadable { path: volume.into(), source }),
        }
    }
    let last = volumes.last().map_or(path, PathBuf::as_path);
    if let Some(next) = next_volume_path(last).filter(|_| is_volume) {
        if next.exists() {
            let next = next.file_name().unwrap_or_default().to_string_lossy().into_owned();
            return Err(cut(
                last,
                format!("the set ends after it, yet {next} is there too (a volume is damaged or cut short?)"),
            ));
        }
    }
    Ok(())
}

/// The volume after `volume` by name (`select::next_volume_name`), keeping file names that are
/// not UTF-8: on Unix each byte goes through as one Latin-1 character, which the ASCII-only
/// name logic leaves alone, and comes back as that byte.
fn next_volume_path(volume: &Path) -> Option<PathBuf> {
    let name = volume.file_name()?;
    #[cfg(unix)]
    let next = {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let latin1: String = name.as_bytes().iter().map(|&b| char::from(b)).collect();
        let next = select::next_volume_name(&latin1)?;
        let bytes = next.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect::<Option<Vec<u8>>>()?;
        std::ffi::OsString::from_vec(bytes)
    };
    #[cfg(not(unix))]
    let next = std::ffi::OsString::from(select::next_volume_name(&name.to_string_lossy())?);
    Some(volume.with_file_name(next))
}

/// Checks a whole game: every archive, then collisions across them, then the size limit.
/// Returns the plans and the declared total.
pub fn scan_all(paths: &[PathBuf], max_bytes: u64) -> Result<(Vec<ArchivePlan>, u64), Failure> {
    let mut plans: Vec<ArchivePlan> = Vec::with_capacity(paths.len());
    for path in paths {
        plans.push(scan(path)?);
    }
    // A start that is also a later volume of another set would be extracted twice.
    for plan in &plans {
        if let Some(set) = plans.iter().find(|other| other.volumes.iter().any(|v| same_file(v, &plan.path))) {
            return Err(Failure::AlsoAVolume { path: plan.path.clone(), set: set.path.clone() });
        }
    }
    check_collisions(&plans)?;
    let total = total_bytes(&plans, max_bytes)?;
    Ok((plans, total))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Maps a failed open.
pub fn open_failure(path: &Path, e: &ffi::OpenError) -> Failure {
    let archive = path.to_path_buf();
    match e.code {
        _ if e.is_password_requested => Failure::Password { archive, entry: None },
        Code::MissingPassword | Code::BadPassword => Failure::Password { archive, entry: None },
        Code::BadArchive => Failure::NotRar { path: archive },
        Code::Open => {
            Failure::ArchiveUnreadable { path: archive, source: std::io::Error::other("UnRAR could not open it") }
        }
        Code::UnknownFormat => Failure::Corrupt {
            archive,
            entry: None,
            detail: "unknown archive format or encryption (made by a newer RAR?)".into(),
        },
        code => Failure::Corrupt { archive, entry: None, detail: describe(code, Stage::Header, false) },
    }
}

/// Which call failed, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Header,
    Skip,
    Data,
}

/// Maps a failed header read or processing call on an open archive. `entry` is the entry being
/// processed, or for `Stage::Header` the one before the header that failed.
pub fn call_failure(path: &Path, code: Code, archive: &ffi::Archive, entry: Option<String>, stage: Stage) -> Failure {
    let path = path.to_path_buf();
    if archive.is_password_requested() || matches!(code, Code::MissingPassword | Code::BadPassword) {
        return Failure::Password { archive: path, entry };
    }
    if let Some(volume) = archive.missing_volume() {
        return Failure::MissingVolume { archive: path, volume: volume.into(), entry };
    }
    let detail = describe(code, stage, entry.is_some());
    Failure::Corrupt { archive: path, entry, detail }
}

/// For `Stage::Header`, `entry` is the entry before the header that failed.
fn describe(code: Code, stage: Stage, has_entry: bool) -> String {
    match (code, stage) {
        (Code::BadData, Stage::Header) if has_entry => "a header after it is damaged".into(),
        (Code::BadData, Stage::Header) => "a header is damaged".into(),
        (Code::BadData, _) => "the data does not match its checksum".into(),
        (Code::Open, _) => "the next volume cannot be opened".into(),
        (Code::Read, _) => "read error (the archive is truncated?)".into(),
        (Code::UnknownFormat, _) => "unknown compression method (made by a newer RAR?)".into(),
        (Code::LargeDict, _) => "the entry needs a dictionary larger than UnRAR allows".into(),
        (Code::NoMemory, _) => "UnRAR ran out of memory".into(),
        (Code::Reference, _) => "an entry refers to another that is missing".into(),
        (other, _) => format!("UnRAR failed ({other:?})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::Redirect;

    fn header(name: &str) -> Header {
        Header {
            name: name.into(),
            is_name_intact: true,
            is_dir: false,
            is_encrypted: false,
            is_split_before: false,
            is_split_after: false,
            unpacked_size: 10,
            packed_size: 10,
            host: Host::Unix,
            attributes: 0o100_644,
            unpack_version: 29,
            checksum: Checksum::Crc32(7),
            redirect: None,
            redirect_target: String::new(),
        }
    }

    fn entry(path: &str, is_dir: bool) -> Entry {
        Entry {
            stored_name: path.into(),
            path: path.into(),
            is_dir,
            size: if is_dir { 0 } else { 1 },
            checksum: Checksum::None,
            is_old_version: false,
        }
    }

    fn plan(name: &str, entries: Vec<Entry>) -> ArchivePlan {
        ArchivePlan { path: name.into(), is_solid: false, volumes: vec![], entries }
    }

    fn code(r: Result<Entry, Failure>) -> &'static str {
        r.err().map_or("ok", |f| f.code())
    }

    #[test]
    fn refuses_links_specials_and_encryption() {
        let a = Path::new("a.rar");
        assert_eq!(code(check_header(a, &header("x"))), "ok");
        let with = |f: &dyn Fn(&mut Header)| {
            let mut h = header("x");
            f(&mut h);
            code(check_header(a, &h))
        };
        assert_eq!(with(&|h| h.redirect = Some(Redirect::HardLink)), "link");
        assert_eq!(with(&|h| h.redirect = Some(Redirect::FileCopy)), "link");
        assert_eq!(with(&|h| h.attributes = 0o120_777), "link");
        assert_eq!(with(&|h| h.attributes = 0o010_644), "special_file");
        assert_eq!(with(&|h| h.attributes = 0o040_755), "special_file");
        assert_eq!(with(&|h| h.attributes = 0o644), "ok");
        assert_eq!(
            with(&|h| {
                h.host = Host::Windows;
                h.attributes = 0x420;
            }),
            "link"
        );
        assert_eq!(with(&|h| h.is_encrypted = true), "password");
        assert_eq!(with(&|h| h.is_name_intact = false), "unsafe_name");
        assert_eq!(with(&|h| h.name = "..\\x".into()), "unsafe_name");
    }

    #[test]
    fn rar4_and_rar5_names_normalise_differently() {
        let a = Path::new("a.rar");
        let mut h = header("Data\\x.bin");
        assert_eq!(check_header(a, &h).map(|e| e.path).ok().as_deref(), Some("Data/x.bin"));
        h.unpack_version = 50;
        assert_eq!(code(check_header(a, &h)), if cfg!(windows) { "ok" } else { "unsafe_name" });
    }

    #[test]
    fn old_versions_need_the_current_one() {
        let mut entries =
            vec![entry("v.txt;1", false), entry("v.txt;2", false), entry("v.txt", false), entry("w;1", false)];
        mark_old_versions(&mut entries);
        let old: Vec<bool> = entries.iter().map(|e| e.is_old_version).collect();
        assert_eq!(old, [true, true, false, false]);
    }

    #[test]
    fn collisions_across_archives_and_parents() {
        let ok = [
            plan("a.rar", vec![entry("Data", true), entry("Data/x", false)]),
            plan("b.rar", vec![entry("Data/y", false), entry("Data", true)]),
        ];
        assert!(check_collisions(&ok).is_ok());
        let cases: [(Vec<ArchivePlan>, &str); 5] = [
            (vec![plan("a.rar", vec![entry("A.txt", false)]), plan("b.rar", vec![entry("a.txt", false)])], "A.txt"),
            (vec![plan("a.rar", vec![entry("x", false)]), plan("b.rar", vec![entry("x", false)])], "x"),
            (vec![plan("a.rar", vec![entry("Data/a", false), entry("data/b", false)])], "Data"),
            (vec![plan("a.rar", vec![entry("x", false), entry("x/y", false)])], "x"),
            (vec![plan("a.rar", vec![entry("caf\u{e9}/1", false), entry("cafe\u{301}/2", false)])], "caf\u{e9}"),
        ];
        for (plans, why) in cases {
            let failure = check_collisions(&plans).expect_err(why);
            assert_eq!(failure.code(), "collision", "{why}: {failure}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn next_volume_paths_keep_bytes_that_are_not_utf8() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let at = |name: &[u8]| Path::new("/g").join(OsStr::from_bytes(name));
        assert_eq!(next_volume_path(&at(b"caf\xe9.part9.rar")), Some(at(b"caf\xe9.part10.rar")));
        assert_eq!(next_volume_path(&at(b"\xff.rar")), Some(at(b"\xff.r00")));
        assert_eq!(next_volume_path(&at("Pokémon.R99".as_bytes())), Some(at("Pokémon.S00".as_bytes())));
        assert_eq!(next_volume_path(&at(b"x.txt")), None);
    }

    #[test]
    fn sizes_are_bounded() {
        let mut big = entry("big", false);
        big.size = u64::MAX;
        let plans = [plan("a.rar", vec![big, entry("small", false)])];
        assert_eq!(total_bytes(&plans, DEFAULT_MAX_BYTES).map_err(|f| f.code()), Err("too_large"));
        let plans = [plan("a.rar", vec![entry("x", false), entry("y", false)])];
        assert_eq!(total_bytes(&plans, 2).ok(), Some(2));
        assert_eq!(total_bytes(&plans, 1).map_err(|f| f.code()), Err("too_large"));
        assert!(check_space(Path::new("/d"), 10, 10 + FREE_SPACE_MARGIN_BYTES).is_ok());
        assert_eq!(
            check_space(Path::new("/d"), 11, 10 + FREE_SPACE_MARGIN_BYTES).map_err(|f| f.code()),
            Err("no_space")
        );
    }
}
