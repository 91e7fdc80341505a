//! Entry names: from what UnRAR reports to a validated, `/`-separated relative path, and from
//! that path to the place on disk.
//!
//! UnRAR has already changed a name before we see it (`Archive::ConvertFileHeader` in the
//! vendored 7.1.0): in RAR 1.5–4.x entries every `\` and `/` becomes the platform separator
//! (RAR 4 wrote `\` on every platform), in RAR 5 entries only `/` does; on Windows builds it
//! also replaces `:` and a RAR 5 name's `\` with `_`. On Unix, a RAR 3 name in a legacy code
//! page that the C locale cannot decode arrives as U+FFFE followed by its bytes mapped to
//! U+E080..U+E0FF. [`normalise`] undoes only those library encodings, deliberately and in this
//! order, and then hands the result to `lanparty_relpath::validate`; anything still hostile is
//! refused, never repaired:
//!
//! 1. a name holding U+FFFE is turned back into its bytes and must then be UTF-8;
//! 2. `\` becomes `/` where it separates folders: RAR 1.5–4.x entries, and all entries on
//!    Windows, where UnRAR reports `\` as the separator. In a RAR 5 entry on Unix, UnRAR has
//!    already turned a `\` into `_` when the entry was made on Windows (`arcread.cpp`), so only
//!    an entry made on Unix, where `\` is part of a name, reaches `validate` with one, and is
//!    refused;
//! 3. a folder entry loses one trailing `/`;
//! 4. `validate`: no empty, `.` or `..` components, not absolute, no drive letters or `:`, no
//!    Windows device names, control characters, trailing dots or spaces, over-long names.
//!
//! [`target`] is the only way a path on disk is made from an entry: the destination joined with
//! the validated components, one at a time.

use std::fmt;
use std::path::{Path, PathBuf};

use lanparty_relpath::{self as relpath, PathError};

/// UnRAR's mark for a name whose bytes it could not decode (`MappedStringMark`).
const MAPPED_MARK: char = '\u{FFFE}';
/// Where UnRAR maps undecodable bytes 0x80..=0xFF (`MapAreaStart`).
const MAP_AREA_START: u32 = 0xE000;

/// Why an entry name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// The name is not Unicode (a legacy code page), or UnRAR had to cut it.
    NotUnicode,
    /// The name breaks a path rule.
    Rule(PathError),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUnicode => f.write_str("the name is not valid Unicode (an old archive in a legacy code page?)"),
            Self::Rule(e) => e.fmt(f),
        }
    }
}

/// Turns a name as UnRAR reports it into a validated relative path (steps in the module doc).
/// `backslash_separates` is true for RAR 1.5–4.x entries and for every entry on Windows.
pub fn normalise(raw: &str, backslash_separates: bool, is_dir: bool) -> Result<String, NameError> {
    let mut name = if is_mapped(raw) { unmap(raw).ok_or(NameError::NotUnicode)? } else { raw.to_owned() };
    if backslash_separates {
        name = name.replace('\\', "/");
    }
    if is_dir && name.ends_with('/') {
        name.pop();
    }
    relpath::validate(&name).map_err(NameError::Rule)?;
    Ok(name)
}

/// Whether `\` separates folders in an entry of this format on this platform.
pub fn backslash_separates(is_rar5: bool) -> bool {
    cfg!(windows) || !is_rar5
}

/// Reverses UnRAR's byte mapping; `None` when the bytes are not UTF-8.
fn unmap(raw: &str) -> Option<String> {
    String::from_utf8(unmap_bytes(raw)).ok()
}

/// Whether `raw` carries UnRAR's byte mapping (see [`unmap_bytes`]).
pub fn is_mapped(raw: &str) -> bool {
    raw.contains(MAPPED_MARK)
}

/// Reverses UnRAR's byte mapping (`CharToWideMap` in `unicode.cpp`: on Unix, each byte >= 0x80
/// that the locale cannot decode becomes U+E080..U+E0FF, and U+FFFE marks the string): the
/// marks are dropped, mapped characters become their bytes again and any other character its
/// UTF-8. Used for entry names and for the volume names UnRAR reports.
pub fn unmap_bytes(raw: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(raw.len());
    for c in raw.chars() {
        match u32::from(c) {
            _ if c == MAPPED_MARK => {}
            // Only bytes >= 0x80 are ever mapped, so this cannot produce `/`, `\` or `.`.
            u @ 0xE080..=0xE0FF => bytes.push((u - MAP_AREA_START) as u8),
            _ => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    bytes
}

/// If `path` names a stored older version of a file (`name;3`, RAR's `-ver`), the current
/// version's path.
pub fn version_base(path: &str) -> Option<&str> {
    let (base, number) = path.rsplit_once(';')?;
    (!base.is_empty() && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(base)
}

/// The place on disk of a validated entry path: `root` joined with its components one at a
/// time, never through the library's own path handling.
pub fn target(root: &Path, rel: &str) -> PathBuf {
    debug_assert!(relpath::validate(rel).is_ok(), "only validated paths reach the disk");
    relpath::join(root, rel)
}

/// The ancestors of a relative path, shortest first: `a/b/c` gives `a`, `a/b`.
pub fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Component;

    #[test]
    fn rar4_backslashes_become_separators() {
        assert_eq!(normalise("Data\\Maps\\dm1.bsp", true, false), Ok("Data/Maps/dm1.bsp".into()));
        assert_eq!(normalise("Data/Maps", true, true), Ok("Data/Maps".into()));
        assert_eq!(normalise("Data\\Maps\\", true, true), Ok("Data/Maps".into()));
    }

    #[test]
    fn rar5_backslash_on_unix_is_refused() {
        assert_eq!(normalise("a\\b", false, false), Err(NameError::Rule(PathError::Backslash)));
    }

    #[test]
    fn still_hostile_after_normalising_is_refused() {
        for (raw, rar4) in [
            ("..\\..\\evil.dll", true),
            ("../x", false),
            ("\\Windows\\x", true),
            ("C:\\boot.ini", true),
            ("a/file.txt:stream", false),
            ("sub\\CON", true),
            ("aux.txt", false),
            ("x\u{1}", false),
            ("dir./x", false),
            ("a//b", false),
            ("", false),
            ("/etc/passwd", false),
            ("a/./b", true),
        ] {
            assert!(normalise(raw, rar4, false).is_err(), "{raw:?} should be refused");
        }
        // Only one trailing separator goes, and only from folders.
        assert!(normalise("a//", false, true).is_err());
        assert!(normalise("a/", false, false).is_err());
    }

    #[test]
    fn mapped_legacy_bytes_are_decoded_or_refused() {
        // "у.txt" stored as raw UTF-8 in a RAR 3 name without the Unicode flag.
        let mapped = "\u{FFFE}\u{E0D1}\u{E083}.txt";
        assert_eq!(normalise(mapped, true, false), Ok("у.txt".into()));
        // A single 0xE9 (é in Latin-1) is not UTF-8.
        assert_eq!(normalise("caf\u{FFFE}\u{E0E9}", true, false), Err(NameError::NotUnicode));
        // Low private-use characters are not bytes UnRAR maps; they stay characters.
        assert_eq!(normalise("\u{FFFE}\u{E02F}", false, false), Ok("\u{E02F}".into()));
    }

    #[test]
    fn unmapped_bytes_need_not_be_utf8() {
        assert_eq!(unmap_bytes("/t/Pok\u{FFFE}\u{E0C3}\u{E0A9}mon"), "/t/Pokémon".as_bytes());
        assert_eq!(unmap_bytes("caf\u{FFFE}\u{E0E9}.part2.rar"), b"caf\xe9.part2.rar");
        assert_eq!(unmap_bytes("\u{FFFE}\u{E02F}é"), "\u{E02F}é".as_bytes());
        assert!(is_mapped("a\u{FFFE}") && !is_mapped("a\u{E0E9}"));
    }

    #[test]
    fn version_suffixes() {
        assert_eq!(version_base("versioned.txt;1"), Some("versioned.txt"));
        assert_eq!(version_base("d/x;12"), Some("d/x"));
        for none in ["versioned.txt", "a;", ";1", "a;1b", "a;-1"] {
            assert_eq!(version_base(none), None, "{none}");
        }
    }

    #[test]
    fn ancestors_shortest_first() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(ancestors("a").count(), 0);
    }

    proptest! {
        /// Whatever name an archive holds, an accepted one lands strictly inside the
        /// destination, built from plain components only.
        #[test]
        fn accepted_names_stay_inside(
            raw in "[a-zA-Z0-9 ./\\\\:;_\u{FFFE}\u{E080}-\u{E0FF}é-]{0,48}",
            rar4 in any::<bool>(),
            is_dir in any::<bool>(),
        ) {
            if let Ok(rel) = normalise(&raw, rar4, is_dir) {
                let root = Path::new("/dest/root");
                let path = target(root, &rel);
                prop_assert!(path.starts_with(root) && path != root);
                let inner = path.strip_prefix(root).expect("starts_with was checked");
                for c in inner.components() {
                    prop_assert!(matches!(c, Component::Normal(_)), "{raw:?} -> {path:?}");
                }
                prop_assert_eq!(inner.components().count(), rel.split('/').count());
            }
        }

        #[test]
        fn normalise_never_panics(raw in any::<String>(), rar4 in any::<bool>(), is_dir in any::<bool>()) {
            let _ = normalise(&raw, rar4, is_dir);
        }
    }
}
