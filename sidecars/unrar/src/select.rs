//! Which files are archives to open, and in what order.
//!
//! Decided by file name alone (pure functions, no IO), then confirmed by UnRAR's own volume
//! flags when each archive is opened:
//!
//! - `NAME.rar` is an archive (possibly the first volume of an old-style set, whose later
//!   volumes `NAME.r00`, `NAME.r01`... UnRAR finds by itself);
//! - `NAME.partN.rar` is volume N of a new-style set; only N = 1 (`part1`, `part01`...) starts;
//! - `NAME.r00`..`NAME.r99` (and `.s00`.. for longer old-style sets) are later volumes, never
//!   starts;
//! - `*.rev` are recovery volumes and are never opened; anything else (`.sfx`, `.exe`, `.zip`)
//!   is not an archive for us. Self-extracting archives are not extracted: their stub is a
//!   program, and a game shipped that way is unpacked by running it, which we never do.
//!
//! Extensions compare without regard to case. `--from` takes the starts at the top level of a
//! folder, sorted by name (case-insensitively, then exactly), and refuses a set whose first
//! volume is missing, naming it as self-extracting when it is there as `.exe` or `.sfx`.

/// What a file name says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameKind {
    /// `NAME.rar`: an archive, or the first volume of an old-style set.
    Single,
    /// `NAME.part1.rar`.
    FirstVolume,
    /// `NAME.partN.rar`, N > 1, with the name of the set's first volume.
    LaterVolume { first: String },
    /// `NAME.r00` and the like, with the name of the set's first volume.
    OldStyleVolume { first: String },
    /// `NAME.rev`.
    Recovery,
    /// Anything else.
    Other,
}

impl NameKind {
    pub fn is_start(&self) -> bool {
        matches!(self, Self::Single | Self::FirstVolume)
    }
}

/// Classifies a file name (no directory part).
pub fn classify(file_name: &str) -> NameKind {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".rev") {
        return NameKind::Recovery;
    }
    if let Some(stem) = lower.strip_suffix(".rar") {
        return match part_number(stem) {
            Some((_, digits)) if digits.trim_start_matches('0') == "1" => NameKind::FirstVolume,
            Some((prefix_len, digits)) => {
                let first = format!(
                    "{}{:0width$}{}",
                    &file_name[..prefix_len],
                    1,
                    &file_name[file_name.len() - 4..],
                    width = digits.len()
                );
                NameKind::LaterVolume { first }
            }
            None => NameKind::Single,
        };
    }
    if let Some(dot) = lower.rfind('.') {
        let ext = &lower.as_bytes()[dot + 1..];
        let is_old_style = matches!(ext, [b'r'..=b'z', d1, d2] if d1.is_ascii_digit() && d2.is_ascii_digit());
        if is_old_style && dot > 0 {
            // `.r00` belongs to `NAME.rar`; `.s00` and later letters continue long sets.
            let upper = file_name[dot + 1..].starts_with(|c: char| c.is_ascii_uppercase());
            let first = format!("{}.{}", &file_name[..dot], if upper { "RAR" } else { "rar" });
            return NameKind::OldStyleVolume { first };
        }
    }
    NameKind::Other
}

/// For `stem` ending in `.partDIGITS`: the byte length up to and including `part`, and the
/// digits.
fn part_number(stem: &str) -> Option<(usize, &str)> {
    let digits_start = stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let digits = &stem[digits_start..];
    let prefix = &stem[..digits_start];
    (!digits.is_empty() && prefix.ends_with(".part") && prefix.len() > ".part".len()).then_some((digits_start, digits))
}

/// The name UnRAR gives the volume after `file_name` in a set: `x.part1.rar` → `x.part2.rar`,
/// `x.rar` → `x.r00` → `x.r01`.. → `x.r99` → `x.s00`.
pub fn next_volume_name(file_name: &str) -> Option<String> {
    let lower = file_name.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix(".rar") {
        return Some(match part_number(stem) {
            Some((prefix_len, digits)) => {
                let n: u64 = digits.parse().ok()?;
                format!(
                    "{}{:0width$}{}",
                    &file_name[..prefix_len],
                    n.checked_add(1)?,
                    &file_name[file_name.len() - 4..],
                    width = digits.len()
                )
            }
            None => {
                // `.rar` → `.r00`: UnRAR keeps the extension's first character as it is.
                let (stem, ext) = file_name.split_at(file_name.len() - 3);
                format!("{stem}{}00", &ext[..1])
            }
        });
    }
    let dot = lower.rfind('.')?;
    let [letter, d1, d2] = lower.as_bytes()[dot + 1..] else { return None };
    let number = u32::from(d1.checked_sub(b'0')?) * 10 + u32::from(d2.checked_sub(b'0')?);
    if !matches!(letter, b'r'..=b'z') || !d1.is_ascii_digit() || !d2.is_ascii_digit() {
        return None;
    }
    let (letter, number) = if number == 99 { (letter.checked_add(1)?, 0) } else { (letter, number + 1) };
    let is_upper = file_name[dot + 1..].starts_with(|c: char| c.is_ascii_uppercase());
    let letter = if is_upper { letter.to_ascii_uppercase() } else { letter } as char;
    Some(format!("{}.{letter}{number:02}", &file_name[..dot]))
}

/// Why a folder's file names do not make a usable list of archives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    NoArchives,
    /// A later volume whose set's first volume is not there.
    MissingFirstVolume {
        volume: String,
        first: String,
    },
    /// A later volume whose set starts with a self-extracting volume (`x.exe` or `x.sfx` in
    /// place of `x.rar`, `x.part1.exe` in place of `x.part1.rar`), which we do not open.
    SelfExtractingFirstVolume {
        volume: String,
        sfx: String,
        first: String,
    },
}

/// The archives to open from a folder's file names, sorted; non-first volumes, recovery
/// volumes and other files are left out.
pub fn select(names: &[String]) -> Result<Vec<String>, SelectError> {
    let find = |wanted: &str| names.iter().find(|n| n.eq_ignore_ascii_case(wanted));
    let has = |wanted: &str| find(wanted).is_some();
    // The first volume is missing: is it there as a self-extractor? UnRAR names the volume
    // after `x.exe` (or `.sfx`) as after `x.rar`.
    let missing = |volume: &str, first: String| {
        let stem = &first[..first.len() - ".rar".len()];
        match ["exe", "sfx"].iter().find_map(|ext| find(&format!("{stem}.{ext}"))) {
            Some(sfx) => SelectError::SelfExtractingFirstVolume { volume: volume.into(), sfx: sfx.clone(), first },
            None => SelectError::MissingFirstVolume { volume: volume.into(), first },
        }
    };
    let mut starts = Vec::new();
    for name in names {
        match classify(name) {
            kind if kind.is_start() => starts.push(name.clone()),
            NameKind::LaterVolume { first } if !has(&first) => return Err(missing(name, first)),
            // `.s00` and later could be other tools' files; only `.rNN` is surely RAR's.
            NameKind::OldStyleVolume { first }
                if !has(&first) && name.rsplit('.').next().is_some_and(|e| e.starts_with(['r', 'R'])) =>
            {
                return Err(missing(name, first));
            }
            _ => {}
        }
    }
    if starts.is_empty() {
        return Err(SelectError::NoArchives);
    }
    sort_names(&mut starts);
    Ok(starts)
}

/// Sorts file names case-insensitively, then exactly, so the order is the same everywhere.
pub fn sort_names(names: &mut [String]) {
    names.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then_with(|| a.cmp(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn classifies_volume_names() {
        assert_eq!(classify("game.rar"), NameKind::Single);
        assert_eq!(classify("Game.RAR"), NameKind::Single);
        assert_eq!(classify("game.part1.rar"), NameKind::FirstVolume);
        assert_eq!(classify("game.part001.rar"), NameKind::FirstVolume);
        assert_eq!(classify("game.part2.rar"), NameKind::LaterVolume { first: "game.part1.rar".into() });
        assert_eq!(classify("Game.Part07.RAR"), NameKind::LaterVolume { first: "Game.Part01.RAR".into() });
        assert_eq!(classify("game.part10.rar"), NameKind::LaterVolume { first: "game.part01.rar".into() });
        assert_eq!(classify("game.r00"), NameKind::OldStyleVolume { first: "game.rar".into() });
        assert_eq!(classify("GAME.R13"), NameKind::OldStyleVolume { first: "GAME.RAR".into() });
        assert_eq!(classify("game.s02"), NameKind::OldStyleVolume { first: "game.rar".into() });
        assert_eq!(classify("game.part1.rev"), NameKind::Recovery);
        assert_eq!(classify("game.REV"), NameKind::Recovery);
        for other in ["setup.exe", "game.sfx", "readme.txt", "game.zip", "game", ".rar0", "x.r1", "x.q00"] {
            assert_eq!(classify(other), NameKind::Other, "{other}");
        }
        // `part` must follow a dot and a name: these are plain archives.
        assert_eq!(classify("part2.rar"), NameKind::Single);
        assert_eq!(classify(".part2.rar"), NameKind::Single);
        assert_eq!(classify("depart2.rar"), NameKind::Single);
    }

    #[test]
    fn next_volume_names() {
        let next = |n: &str| next_volume_name(n);
        assert_eq!(next("x.part1.rar").as_deref(), Some("x.part2.rar"));
        assert_eq!(next("x.part09.rar").as_deref(), Some("x.part10.rar"));
        assert_eq!(next("X.Part9.RAR").as_deref(), Some("X.Part10.RAR"));
        assert_eq!(next("x.rar").as_deref(), Some("x.r00"));
        assert_eq!(next("X.RAR").as_deref(), Some("X.R00"));
        // The case of the extension's first character is kept, as UnRAR does.
        assert_eq!(next("x.rAR").as_deref(), Some("x.r00"));
        assert_eq!(next("x.RaR").as_deref(), Some("x.R00"));
        assert_eq!(next("x.Rar").as_deref(), Some("x.R00"));
        assert_eq!(next("x.r00").as_deref(), Some("x.r01"));
        assert_eq!(next("x.r99").as_deref(), Some("x.s00"));
        assert_eq!(next("X.R41").as_deref(), Some("X.R42"));
        assert_eq!(next("x.txt"), None);
        assert_eq!(next("x.rev"), None);
    }

    #[test]
    fn selects_starts_sorted_and_skips_the_rest() {
        let dir = names(&[
            "b.part2.rar",
            "readme.txt",
            "B.part1.rar",
            "c.rar",
            "c.r00",
            "c.r01",
            "a.rar",
            "b.part1.rev",
            "A.rar",
            "setup.sfx",
            "notes.s01",
        ]);
        assert_eq!(select(&dir), Ok(names(&["A.rar", "a.rar", "B.part1.rar", "c.rar"])));
    }

    #[test]
    fn refuses_a_set_without_its_first_volume() {
        assert_eq!(
            select(&names(&["x.part2.rar", "x.part3.rar", "y.rar"])),
            Err(SelectError::MissingFirstVolume { volume: "x.part2.rar".into(), first: "x.part1.rar".into() })
        );
        assert_eq!(
            select(&names(&["old.r00"])),
            Err(SelectError::MissingFirstVolume { volume: "old.r00".into(), first: "old.rar".into() })
        );
        assert_eq!(select(&names(&["readme.txt", "x.rev", "setup.exe"])), Err(SelectError::NoArchives));
        // A set that starts with a self-extracting volume is named as such.
        let sfx = |volume: &str, sfx: &str, first: &str| {
            Err(SelectError::SelfExtractingFirstVolume { volume: volume.into(), sfx: sfx.into(), first: first.into() })
        };
        assert_eq!(select(&names(&["x.exe", "x.r00", "x.r01"])), sfx("x.r00", "x.exe", "x.rar"));
        assert_eq!(select(&names(&["X.SFX", "X.R00"])), sfx("X.R00", "X.SFX", "X.RAR"));
        assert_eq!(
            select(&names(&["a.rar", "g.part1.exe", "g.part2.rar"])),
            sfx("g.part2.rar", "g.part1.exe", "g.part1.rar")
        );
        assert_eq!(
            select(&names(&["y.part01.sfx", "y.part02.rar"])),
            sfx("y.part02.rar", "y.part01.sfx", "y.part01.rar")
        );
        // Not another set's self-extractor.
        assert_eq!(
            select(&names(&["z.exe", "x.part2.rar"])),
            Err(SelectError::MissingFirstVolume { volume: "x.part2.rar".into(), first: "x.part1.rar".into() })
        );
        assert_eq!(select(&[]), Err(SelectError::NoArchives));
    }
}
