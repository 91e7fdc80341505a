//! Relative path rules, in a crate of their own so that both the peer runtime (as
//! `lanparty_core::relpath`) and the RAR extractor sidecar use the very same ones.
//!
//! Every relative path that reaches the disk from outside this process (a manifest from a
//! peer, an archive entry, a file found while scanning that will be offered to Windows peers)
//! passes [`validate`] first. The rules are the intersection of what Linux and Windows can
//! store, so a game shared from one can always be written on the other, and no accepted path
//! can leave the directory it is joined to: `/` is the only separator, every component is a
//! plain name, and names Windows gives special meaning (`CON`, `a:b`, `x.`) are refused.
//!
//! Collisions that only show on a case-insensitive or normalising file system (`A.rar` next to
//! `a.rar`, or `é` composed and decomposed) are caught by [`collision_key`].

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

/// Longest accepted path, in bytes of UTF-8.
pub const MAX_PATH_BYTES: usize = 1024;
/// Longest accepted component, in bytes of UTF-8 (the common file system limit).
pub const MAX_COMPONENT_BYTES: usize = 255;
/// Deepest accepted nesting.
pub const MAX_DEPTH: usize = 64;

/// Why a relative path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path is empty")]
    Empty,
    #[error("path is longer than {MAX_PATH_BYTES} bytes")]
    TooLong,
    #[error("path is nested deeper than {MAX_DEPTH} folders")]
    TooDeep,
    #[error("path is absolute")]
    Absolute,
    #[error("path uses a backslash; only `/` separates folders")]
    Backslash,
    #[error("path has an empty component (`//` or a trailing `/`)")]
    EmptyComponent,
    #[error("path has a `.` or `..` component")]
    DotComponent,
    #[error("component `{0}` is longer than {MAX_COMPONENT_BYTES} bytes")]
    ComponentTooLong(String),
    #[error("component `{0}` contains a control character")]
    ControlChar(String),
    #[error("component `{0}` contains `{1}`, which Windows does not allow in names")]
    ForbiddenChar(String, char),
    #[error("component `{0}` ends with a dot or space, which Windows strips")]
    TrailingDotOrSpace(String),
    #[error("component `{0}` is a reserved device name on Windows")]
    ReservedName(String),
}

/// Checks a `/`-separated relative path against the rules in the module doc.
pub fn validate(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(PathError::TooLong);
    }
    if path.starts_with('/') {
        return Err(PathError::Absolute);
    }
    if path.contains('\\') {
        return Err(PathError::Backslash);
    }
    let mut depth = 0;
    for component in path.split('/') {
        depth += 1;
        if depth > MAX_DEPTH {
            return Err(PathError::TooDeep);
        }
        validate_component(component)?;
    }
    Ok(())
}

/// Checks one file or folder name.
pub fn validate_component(name: &str) -> Result<(), PathError> {
    if name.is_empty() {
        return Err(PathError::EmptyComponent);
    }
    if name == "." || name == ".." {
        return Err(PathError::DotComponent);
    }
    if name.len() > MAX_COMPONENT_BYTES {
        return Err(PathError::ComponentTooLong(truncated(name)));
    }
    if name.chars().any(char::is_control) {
        return Err(PathError::ControlChar(name.escape_debug().to_string()));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')) {
        // `:` also covers drive letters (`C:`) and NTFS alternate data streams (`a:stream`).
        return Err(PathError::ForbiddenChar(name.to_owned(), c));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Err(PathError::TrailingDotOrSpace(name.to_owned()));
    }
    if is_reserved_windows_name(name) {
        return Err(PathError::ReservedName(name.to_owned()));
    }
    Ok(())
}

/// Whether Windows treats `name` as a device, with or without an extension: `CON`,
/// `nul.txt`, `COM1.tar.gz`, `LPT¹`. Windows also ignores spaces before the extension.
pub fn is_reserved_windows_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let mut chars = upper.chars();
            let prefix: String = chars.by_ref().take(3).collect();
            let rest: Vec<char> = chars.collect();
            (prefix == "COM" || prefix == "LPT")
                && matches!(rest.as_slice(), [c] if c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
        }
    }
}

/// The key under which two paths collide on a case-insensitive, normalising file system
/// (Windows, macOS): Unicode NFC, then lower case.
pub fn collision_key(path: &str) -> String {
    path.nfc().collect::<String>().to_lowercase()
}

/// Joins a validated relative path under `base`, one component at a time, so the result is
/// built with the platform's own separator.
pub fn join(base: &Path, rel: &str) -> PathBuf {
    let mut out = base.to_path_buf();
    for component in rel.split('/') {
        out.push(component);
    }
    out
}

fn truncated(name: &str) -> String {
    let mut end = 40.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_game_paths() {
        for ok in [
            "game.part1.rar",
            "data/maps/dm1.bsp",
            "sub/with space/long fn.txt",
            "sub/üȵĩöḋè/file.txt",
            ".hidden",
            "CONSOLE.txt",
            "com10",
            "a..b",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_escapes_and_windows_specials() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a/",
            "C:/Windows",
            "C:x",
            "file.txt:stream",
            "a\\b",
            "CON",
            "con.txt",
            "Nul.tar.gz",
            "COM1",
            "lpt9.log",
            "COM¹",
            "CON .txt",
            "name.",
            "name ",
            "bell\u{7}",
            "new\nline",
            "what?",
            "star*",
        ] {
            assert!(validate(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(validate(&"a".repeat(256)), Err(PathError::ComponentTooLong(format!("{}…", "a".repeat(40)))));
        assert_eq!(validate(&["a"; 65].join("/")), Err(PathError::TooDeep));
    }

    #[test]
    fn collision_key_folds_case_and_normalisation() {
        assert_eq!(collision_key("Data/Map.RAR"), collision_key("data/map.rar"));
        assert_eq!(collision_key("caf\u{e9}"), collision_key("cafe\u{301}"));
        assert_ne!(collision_key("a"), collision_key("b"));
    }

    proptest! {
        /// Whatever is accepted stays strictly inside the base it is joined to.
        #[test]
        fn accepted_paths_stay_inside(path in "[a-zA-Z0-9 ./\\\\:_-]{0,40}") {
            if validate(&path).is_ok() {
                let base = Path::new("/base/dir");
                let joined = join(base, &path);
                prop_assert!(joined.starts_with(base));
                prop_assert!(joined != base);
                for c in joined.strip_prefix(base).unwrap().components() {
                    prop_assert!(matches!(c, std::path::Component::Normal(_)));
                }
            }
        }

        #[test]
        fn validation_never_panics(path in any::<String>()) {
            let _ = validate(&path);
        }
    }
}
