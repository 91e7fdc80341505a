//! Every archive in crates/lanparty-testkit/fixtures/rar, extracted by the real binary from a copy: the result is
//! exactly the entries, sizes and CRCs of the archive's `.exp` dump, or the documented refusal,
//! with nothing written.

mod common;

use std::path::Path;

use common::{Node, Sandbox, expected_tree, parse_exp, run, snapshot, walk};

/// What each fixture must give. A fixture missing here fails `every_fixture_is_covered`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Extracts to exactly its `.exp` listing.
    Extracts,
    /// Refused with this error code and exit code, before writing anything.
    Refused(&'static str, i32),
}

use Outcome::{Extracts, Refused};

const PASSWORD: Outcome = Refused("password", 4);
const LINK: Outcome = Refused("link", 6);
const CORRUPT: Outcome = Refused("corrupt", 5);
const LATER_VOLUME: Outcome = Refused("not_first_volume", 3);
const NOT_RAR: Outcome = Refused("not_rar", 3);

const TABLE: &[(&str, Outcome)] = &[
    ("ctime0.rar", Extracts),
    ("ctime1.rar", Extracts),
    ("ctime2.rar", Extracts),
    ("ctime3.rar", Extracts),
    ("ctime4.rar", Extracts),
    ("ctime5.rar", Extracts),
    // RAR 1.5/2.0 archives with per-file comments: UnRAR 7.1 finds their file headers'
    // checksums wrong and reports a damaged header at the end; we take its word.
    ("rar15-comment-lock.rar", CORRUPT),
    ("rar15-comment.rar", CORRUPT),
    ("rar202-comment-nopsw.rar", CORRUPT),
    ("rar202-comment-psw.rar", PASSWORD),
    ("rar2-unix-owner.rar", Extracts),
    ("rar3-comment-hpsw.rar", PASSWORD),
    ("rar3-comment-plain.rar", Extracts),
    ("rar3-comment-psw.rar", PASSWORD),
    ("rar3-old.rar", Extracts),
    ("rar3-old.r00", LATER_VOLUME),
    ("rar3-old.r01", LATER_VOLUME),
    ("rar3-owner.rar", Extracts),
    ("rar3-readonly-unix.rar", Extracts),
    ("rar3-readonly-win.rar", Extracts),
    ("rar3-seektest.sfx", NOT_RAR),
    ("rar3-solid.rar", Extracts),
    ("rar3-subdirs.rar", Extracts),
    ("rar3-symlink-unix.rar", LINK),
    // Older versions (`versioned.txt;1`, `;2`) are skipped, as in the dump.
    ("rar3-versions.rar", Extracts),
    ("rar3-vols.part1.rar", Extracts),
    ("rar3-vols.part2.rar", LATER_VOLUME),
    ("rar3-vols.part3.rar", LATER_VOLUME),
    ("rar5-blake.rar", Extracts),
    ("rar5-crc.rar", Extracts),
    ("rar5-crc.sfx", NOT_RAR),
    // File copies (RAR 5 `-oi` references) are redirections like links.
    ("rar5-dups.rar", LINK),
    ("rar5-evil-symlink-traversal.rar", LINK),
    ("rar5-hlink.rar", LINK),
    ("rar5-hpsw.rar", PASSWORD),
    ("rar5-owner.rar", Extracts),
    ("rar5-psw-blake.rar", PASSWORD),
    ("rar5-psw.rar", PASSWORD),
    ("rar5-quick-open.rar", Extracts),
    ("rar5-readonly-unix.rar", Extracts),
    ("rar5-readonly-win.rar", Extracts),
    ("rar5-solid-qo.rar", Extracts),
    ("rar5-solid.rar", Extracts),
    ("rar5-subdirs.rar", Extracts),
    ("rar5-symlink-unix.rar", LINK),
    ("rar5-symlink-win.rar", LINK),
    ("rar5-times.rar", Extracts),
    ("rar5-times2.rar", Extracts),
    ("rar5-versions.rar", Extracts),
    ("rar5-vols.part1.rar", Extracts),
    ("rar5-vols.part2.rar", LATER_VOLUME),
    ("rar5-vols.part3.rar", LATER_VOLUME),
    ("seektest.rar", Extracts),
    ("unicode.rar", Extracts),
    ("unicode2.rar", Extracts),
];

#[test]
fn every_fixture_is_covered() {
    for item in std::fs::read_dir(common::fixtures()).expect("fixtures readable") {
        let name = item.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".exp") || name == "README.md" || name == "LICENSE.rarfile" {
            continue;
        }
        assert!(TABLE.iter().any(|(n, _)| *n == name), "fixture {name} has no expected outcome in TABLE");
    }
}

#[test]
fn every_fixture_extracts_as_dumped_or_is_refused() {
    let fixtures_before = snapshot(&common::fixtures());
    let sandbox = Sandbox::new();
    for &(name, outcome) in TABLE {
        // Deep, so that an escape through `..` would still land inside the sandbox and show up.
        let dest = sandbox.path().join("out").join(name).join("a/b/dest");
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("create dest parent");
        let before = snapshot(sandbox.path());
        let archive = sandbox.src(name);
        let run = run(sandbox.path(), &["extract", "--dest", path(&dest), path(&archive)]);
        match outcome {
            Extracts => {
                assert_eq!(run.code, 0, "{name}: {run:?}");
                let exp = parse_exp(&common::fixtures().join(format!("{name}.exp")));
                let (files, dirs) = expected_tree(&exp);
                let tree = walk(&dest);
                let got_files: Vec<(&String, u64, u32)> = tree
                    .iter()
                    .filter_map(|(p, n)| match n {
                        Node::File { size, crc } => Some((p, *size, *crc)),
                        Node::Dir => None,
                    })
                    .collect();
                assert_eq!(got_files.len(), files.len(), "{name}: files {got_files:?} vs {files:?}");
                for (p, size, crc) in got_files {
                    let (want_size, want_crc) = files.get(p).unwrap_or_else(|| panic!("{name}: unexpected {p}"));
                    assert_eq!(size, *want_size, "{name}: size of {p}");
                    if let Some(want) = want_crc {
                        assert_eq!(crc, *want, "{name}: CRC of {p}");
                    }
                }
                let got_dirs: Vec<&String> = tree.iter().filter(|(_, n)| **n == Node::Dir).map(|(p, _)| p).collect();
                assert_eq!(got_dirs, dirs.iter().collect::<Vec<_>>(), "{name}: folders");
                // The entry lines name exactly what was written.
                let mut listed: Vec<String> = run.entries().into_iter().map(|(_, p)| p).collect();
                listed.sort();
                let mut written: Vec<String> = exp.iter().map(|e| e.name.clone()).collect();
                written.sort();
                assert_eq!(listed, written, "{name}: entry lines");
                assert_eq!(run.last()["bytes"], files.values().map(|(s, _)| s).sum::<u64>(), "{name}");
                // `list` agrees with `extract`.
                let listing = common::run(sandbox.path(), &["list", path(&archive)]);
                assert_eq!(listing.code, 0, "{name}: {listing:?}");
                assert_eq!(listing.entries(), run.entries(), "{name}: list and extract");
            }
            Refused(code, exit) => {
                assert_eq!((run.error_code(), run.code), (code, exit), "{name}: {run:?}");
                assert_eq!(snapshot(sandbox.path()), before, "{name}: nothing may be written anywhere");
                let listing = common::run(sandbox.path(), &["list", path(&archive)]);
                assert_eq!((listing.error_code(), listing.code), (code, exit), "{name}: list refuses too");
            }
        }
    }
    assert_eq!(snapshot(&common::fixtures()), fixtures_before, "fixtures are never modified");
}

#[test]
fn link_refusals_name_the_entry() {
    let sandbox = Sandbox::new();
    for (name, entry, says) in [
        ("rar3-symlink-unix.rar", "data_link", "symbolic link"),
        ("rar5-symlink-unix.rar", "data_link", "symbolic link to `data.txt`"),
        ("rar5-symlink-win.rar", "links/bad_link", "Windows symbolic link"),
        ("rar5-hlink.rar", "stest2.txt", "hard link to `stest1.txt`"),
        ("rar5-dups.rar", "stest2.txt", "file copy"),
        ("rar5-evil-symlink-traversal.rar", "up", "symbolic link to `..`"),
    ] {
        let run = run(sandbox.path(), &["list", path(&sandbox.src(name))]);
        let error = run.last();
        assert_eq!(error["entry"], entry, "{name}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains(says) && message.contains(entry), "{name}: {message}");
    }
}

#[test]
fn evil_symlink_writes_nothing_outside_or_inside() {
    let sandbox = Sandbox::new();
    let parent = sandbox.path().join("game");
    std::fs::create_dir(&parent).expect("create");
    let dest = parent.join("dest");
    let before = snapshot(sandbox.path());
    let run = run(&parent, &["extract", "--dest", "dest", path(&sandbox.src("rar5-evil-symlink-traversal.rar"))]);
    assert_eq!((run.error_code(), run.code), ("link", 6));
    assert_eq!(snapshot(sandbox.path()), before);
    assert!(!dest.exists() && !parent.join("pwned.txt").exists());
    let outside = sandbox.path().parent().expect("temp dir has a parent");
    assert!(!outside.join("pwned.txt").exists());
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}
