//! Every way a run can fail, with its exit code, its `code` in the error line, and a message a
//! person can act on.

use std::io;
use std::path::{Path, PathBuf};

use crate::names::NameError;

/// Exit codes; the crate doc of `main.rs` and the design document list them.
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const ARCHIVE: u8 = 3;
    pub const PASSWORD: u8 = 4;
    pub const CORRUPT: u8 = 5;
    pub const UNSAFE: u8 = 6;
    pub const SPACE: u8 = 7;
    pub const DEST: u8 = 8;
    /// `--exit-with-stdin`: stdin closed, so the caller that started the sidecar is gone.
    pub const CALLER_GONE: u8 = 9;
}

/// The file name of an archive or volume, for messages (the error line carries the full path).
fn name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Longest entry name (or link target) shown in a message, in bytes; the error line's `entry`
/// field carries the whole name.
const SHOWN_NAME_BYTES: usize = 120;

/// An entry name for a message: cut to [`SHOWN_NAME_BYTES`] (at a character boundary, marked
/// with `…`), so that an archive's 4096-character names cannot make the message long.
fn shown(entry: &str) -> String {
    if entry.len() <= SHOWN_NAME_BYTES {
        return entry.to_owned();
    }
    let mut end = SHOWN_NAME_BYTES;
    while !entry.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &entry[..end])
}

fn bytes(n: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= GIB {
        format!("{:.1} GiB", n as f64 / GIB as f64)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} bytes")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    // --- usage (2)
    #[error("{0}")]
    Usage(String),

    // --- the archive cannot be used (3)
    #[error("cannot read {}: {source}: check the path", path.display())]
    ArchiveUnreadable { path: PathBuf, source: io::Error },
    #[error("{} is not a RAR archive", name(path))]
    NotRar { path: PathBuf },
    #[error("{} is not a .rar file; self-extracting archives and other files are not extracted", name(path))]
    NotRarName { path: PathBuf },
    #[error("{} is a recovery volume; recovery volumes are never opened: pass the set's first volume", name(path))]
    RecoveryVolume { path: PathBuf },
    #[error("{} is not the first volume of its set: pass {first} instead", name(path))]
    NotFirstVolume { path: PathBuf, first: String },
    #[error("{} is a later volume of a multi-volume set: pass the set's first volume instead", name(path))]
    LaterVolume { path: PathBuf },
    #[error(
        "{} is a volume of {}, which is also given: pass each set once, by its first volume",
        name(path),
        name(set)
    )]
    AlsoAVolume { path: PathBuf, set: PathBuf },
    #[error("{} is given twice", name(path))]
    GivenTwice { path: PathBuf },
    #[error("no RAR archives in {}: expected files ending in .rar", dir.display())]
    NoArchives { dir: PathBuf },
    #[error("{volume} in {} belongs to a set whose first volume {first} is missing: copy every part of the set", dir.display())]
    MissingFirstVolume { dir: PathBuf, volume: String, first: String },
    #[error("{volume} in {} belongs to a set whose first volume {sfx} is self-extracting; self-extracting first volumes are not supported: re-pack the set, or supply its first volume as {first}", dir.display())]
    SelfExtractingFirstVolume { dir: PathBuf, volume: String, sfx: String, first: String },
    #[error("cannot list {}: {source}", dir.display())]
    FolderUnreadable { dir: PathBuf, source: io::Error },

    // --- password (4)
    #[error("{} is password protected{}: Lanparty does not extract encrypted archives; get an unencrypted copy", name(archive), entry.as_ref().map(|e| format!(" (entry `{}`)", shown(e))).unwrap_or_default())]
    Password { archive: PathBuf, entry: Option<String> },

    // --- corrupt, truncated or incomplete (5)
    #[error("{}: {}{detail}: the archive is damaged or incomplete; copy it again", name(archive), entry.as_ref().map(|e| format!("entry `{}`: ", shown(e))).unwrap_or_default())]
    Corrupt { archive: PathBuf, entry: Option<String>, detail: String },
    #[error("{}: volume {} is missing{}: copy every part of the set into the same folder", name(archive), name(volume), entry.as_ref().map(|e| format!(" (needed for `{}`)", shown(e))).unwrap_or_default())]
    MissingVolume { archive: PathBuf, volume: PathBuf, entry: Option<String> },

    // --- unsafe archive, refused before anything is written (6)
    #[error("{}: entry `{}` is refused: {reason}; nothing was extracted", name(archive), shown(entry))]
    UnsafeName { archive: PathBuf, entry: String, reason: NameError },
    #[error("{}: entry `{}` is {kind}{}; links are never extracted, nothing was extracted", name(archive), shown(entry), if target.is_empty() { String::new() } else { format!(" to `{}`", shown(target)) })]
    Link { archive: PathBuf, entry: String, kind: String, target: String },
    #[error(
        "{}: entry `{}` is a special file (mode {mode:o}), not a file or folder; nothing was extracted",
        name(archive),
        shown(entry)
    )]
    SpecialFile { archive: PathBuf, entry: String, mode: u32 },
    #[error(
        "`{}` in {} and `{}` in {} are the same path on Windows or macOS; nothing was extracted",
        shown(other),
        name(other_archive),
        shown(entry),
        name(archive)
    )]
    Collision { archive: PathBuf, entry: String, other_archive: PathBuf, other: String },
    #[error("`{}` in {} is both a file and a folder{}; nothing was extracted", shown(entry), name(archive), if other == entry { String::new() } else { format!(" (with `{}`)", shown(other)) })]
    FileAndFolder { archive: PathBuf, entry: String, other: String },
    #[error(
        "`{}` appears twice (in {} and {}); nothing was extracted",
        shown(entry),
        name(other_archive),
        name(archive)
    )]
    Duplicate { archive: PathBuf, entry: String, other_archive: PathBuf },
    #[error("{} has more than {max} entries; nothing was extracted", name(archive))]
    TooManyEntries { archive: PathBuf, max: usize },

    // --- size (7)
    #[error("the archives declare {} of files, more than the limit of {} (--max-bytes); nothing was extracted", bytes(*total), bytes(*max))]
    TooLarge { total: u64, max: u64 },
    #[error("{} needs {} free and has {}: free some space or choose another folder; nothing was extracted", dest.display(), bytes(*needed), bytes(*available))]
    NoSpace { dest: PathBuf, needed: u64, available: u64 },

    // --- destination (8)
    #[error("cannot {action} {}: {source}", path.display())]
    Dest { action: &'static str, path: PathBuf, source: io::Error },
    #[error("{} already exists: extract into an empty folder", path.display())]
    Exists { path: PathBuf },
    #[error("{} is not a plain {expected} inside the destination after writing it", path.display())]
    NotPlain { path: PathBuf, expected: &'static str },

    // --- internal (1)
    #[error("internal error: {0}")]
    Internal(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => exit::USAGE,
            Self::ArchiveUnreadable { .. }
            | Self::NotRar { .. }
            | Self::NotRarName { .. }
            | Self::RecoveryVolume { .. }
            | Self::NotFirstVolume { .. }
            | Self::LaterVolume { .. }
            | Self::AlsoAVolume { .. }
            | Self::GivenTwice { .. }
            | Self::NoArchives { .. }
            | Self::MissingFirstVolume { .. }
            | Self::SelfExtractingFirstVolume { .. }
            | Self::FolderUnreadable { .. } => exit::ARCHIVE,
            Self::Password { .. } => exit::PASSWORD,
            Self::Corrupt { .. } | Self::MissingVolume { .. } => exit::CORRUPT,
            Self::UnsafeName { .. }
            | Self::Link { .. }
            | Self::SpecialFile { .. }
            | Self::Collision { .. }
            | Self::FileAndFolder { .. }
            | Self::Duplicate { .. }
            | Self::TooManyEntries { .. } => exit::UNSAFE,
            Self::TooLarge { .. } | Self::NoSpace { .. } => exit::SPACE,
            Self::Dest { .. } | Self::Exists { .. } | Self::NotPlain { .. } => exit::DEST,
            Self::Internal(_) => exit::INTERNAL,
        }
    }

    /// The error line's `code`: finer than the exit code, stable for the caller to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Usage(_) => "usage",
            Self::ArchiveUnreadable { .. } | Self::FolderUnreadable { .. } => "unreadable",
            Self::NotRar { .. } | Self::NotRarName { .. } | Self::SelfExtractingFirstVolume { .. } => "not_rar",
            Self::NotFirstVolume { .. } | Self::LaterVolume { .. } | Self::AlsoAVolume { .. } => "not_first_volume",
            Self::RecoveryVolume { .. } => "recovery_volume",
            Self::GivenTwice { .. } => "given_twice",
            Self::NoArchives { .. } => "no_archives",
            Self::MissingFirstVolume { .. } | Self::MissingVolume { .. } => "missing_volume",
            Self::Password { .. } => "password",
            Self::Corrupt { .. } => "corrupt",
            Self::UnsafeName { .. } => "unsafe_name",
            Self::Link { .. } => "link",
            Self::SpecialFile { .. } => "special_file",
            Self::Collision { .. } | Self::FileAndFolder { .. } | Self::Duplicate { .. } => "collision",
            Self::TooManyEntries { .. } => "too_many_entries",
            Self::TooLarge { .. } => "too_large",
            Self::NoSpace { .. } => "no_space",
            Self::Dest { .. } | Self::NotPlain { .. } => "destination",
            Self::Exists { .. } => "exists",
            Self::Internal(_) => "internal",
        }
    }

    /// The archive (first volume) the failure is about, if any.
    pub fn archive(&self) -> Option<&Path> {
        match self {
            Self::ArchiveUnreadable { path, .. }
            | Self::NotRar { path }
            | Self::NotRarName { path }
            | Self::RecoveryVolume { path }
            | Self::NotFirstVolume { path, .. }
            | Self::LaterVolume { path }
            | Self::AlsoAVolume { path, .. }
            | Self::GivenTwice { path } => Some(path),
            Self::Password { archive, .. }
            | Self::Corrupt { archive, .. }
            | Self::MissingVolume { archive, .. }
            | Self::UnsafeName { archive, .. }
            | Self::Link { archive, .. }
            | Self::SpecialFile { archive, .. }
            | Self::Collision { archive, .. }
            | Self::FileAndFolder { archive, .. }
            | Self::Duplicate { archive, .. }
            | Self::TooManyEntries { archive, .. } => Some(archive),
            _ => None,
        }
    }

    /// The entry the failure is about, as stored in the archive (or normalised, once it was).
    pub fn entry(&self) -> Option<&str> {
        match self {
            Self::Password { entry, .. } | Self::Corrupt { entry, .. } | Self::MissingVolume { entry, .. } => {
                entry.as_deref()
            }
            Self::UnsafeName { entry, .. }
            | Self::Link { entry, .. }
            | Self::SpecialFile { entry, .. }
            | Self::Collision { entry, .. }
            | Self::FileAndFolder { entry, .. }
            | Self::Duplicate { entry, .. } => Some(entry),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_entry_names_are_cut_in_messages_only() {
        assert_eq!(shown("Data/x.bin"), "Data/x.bin");
        assert_eq!(shown(&"x".repeat(SHOWN_NAME_BYTES)), "x".repeat(SHOWN_NAME_BYTES));
        let long = format!("{}é{}", "x".repeat(SHOWN_NAME_BYTES - 1), "y".repeat(3000));
        assert_eq!(shown(&long), format!("{}…", "x".repeat(SHOWN_NAME_BYTES - 1)));
        let failure = Failure::UnsafeName {
            archive: "g/a.rar".into(),
            entry: long.clone(),
            reason: NameError::Rule(lanparty_relpath::PathError::TooLong),
        };
        assert!(failure.to_string().len() < 400, "{failure}");
        assert_eq!(failure.entry(), Some(long.as_str()), "the error line keeps the whole name");
    }
}
