//! The CLI contract with the real binary on copies of the fixtures: volume sets, a game made of
//! several archives, the order of the lines, hostile names (patched into real archives),
//! damaged and cut archives, limits, and a destination that holds a link.

mod common;

use std::fs;
use std::path::Path;

use common::{Node, Sandbox, patch_name, run, snapshot, walk};

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn files(tree: &std::collections::BTreeMap<String, Node>) -> Vec<&str> {
    tree.iter().filter(|(_, n)| matches!(n, Node::File { .. })).map(|(p, _)| p.as_str()).collect()
}

#[test]
fn version_line() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.path(), &["version"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.lines.len(), 1);
    assert_eq!(run.lines[0]["type"], "version");
    assert_eq!(run.lines[0]["unrar"], "7.1.0");
    assert_eq!(run.lines[0]["unrar_api"], 9);
}

#[test]
fn usage_errors_exit_2_with_an_error_line() {
    let sandbox = Sandbox::new();
    for args in [
        &[][..],
        &["list"][..],
        &["extract", "src/rar5-crc.rar"][..],
        &["list", "--from", "src", "src/rar5-crc.rar"][..],
        &["list", "src"][..],
        &["frobnicate"][..],
    ] {
        let run = run(sandbox.path(), args);
        assert_eq!((run.code, run.error_code()), (2, "usage"), "{args:?}: {run:?}");
    }
}

#[test]
fn new_style_volume_sets_from_the_first_volume() {
    let sandbox = Sandbox::new();
    for set in ["rar5-vols", "rar3-vols"] {
        let dest = sandbox.path().join(format!("out-{set}"));
        let first = sandbox.src(&format!("{set}.part1.rar"));
        let run = run(sandbox.path(), &["extract", "--dest", path(&dest), path(&first)]);
        assert_eq!(run.code, 0, "{run:?}");
        let archive = run.of_type("archive")[0].clone();
        let volumes: Vec<&str> =
            archive["volumes"].as_array().expect("volumes").iter().filter_map(|v| v.as_str()).collect();
        assert_eq!(volumes.len(), 2, "{archive}");
        assert!(volumes[0].ends_with(&format!("{set}.part2.rar")) && volumes[1].ends_with(&format!("{set}.part3.rar")));
        let tree = walk(&dest);
        assert_eq!(tree.get("vols/bigfile.txt"), Some(&Node::File { size: 205_000, crc: 0x509a_d74c }));
        assert_eq!(tree.get("vols/smallfile.txt"), Some(&Node::File { size: 2050, crc: 0xd08a_1f86 }));

        // A later volume names the first one.
        let later = sandbox.src(&format!("{set}.part2.rar"));
        let run = common::run(sandbox.path(), &["extract", "--dest", "x", path(&later)]);
        assert_eq!((run.code, run.error_code()), (3, "not_first_volume"));
        let message = run.last()["message"].as_str().expect("message");
        assert!(message.contains(&format!("{set}.part1.rar")), "{message}");
    }
}

#[test]
fn old_style_volume_set_from_a_game_folder() {
    let sandbox = Sandbox::new();
    let game = sandbox.game("game", &["rar3-old.rar", "rar3-old.r00", "rar3-old.r01"]);
    fs::write(game.join("rar3-old.rev"), b"recovery volumes are never opened").expect("write");
    let dest = sandbox.path().join("out");
    let run = run(sandbox.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.archives(), ["rar3-old.rar"]);
    assert_eq!(files(&walk(&dest)), ["vols/bigfile.txt", "vols/smallfile.txt"]);
    assert_eq!(walk(&dest).get("vols/bigfile.txt"), Some(&Node::File { size: 205_000, crc: 0x509a_d74c }));
    // `.r00` is never a start, and names its set's first volume.
    let run = common::run(sandbox.path(), &["list", path(&game.join("rar3-old.r00"))]);
    assert_eq!((run.code, run.error_code()), (3, "not_first_volume"));
    assert!(run.last()["message"].as_str().expect("message").contains("rar3-old.rar"));
}

#[test]
fn a_missing_volume_is_named_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    for (set, keep, missing) in [
        ("new", &["rar5-vols.part1.rar", "rar5-vols.part2.rar"][..], "rar5-vols.part3.rar"),
        ("old", &["rar3-old.rar", "rar3-old.r00"][..], "rar3-old.r01"),
    ] {
        let game = sandbox.game(set, keep);
        let dest = sandbox.path().join(format!("out-{set}"));
        let before = snapshot(sandbox.path());
        let run = run(sandbox.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
        assert_eq!((run.code, run.error_code()), (5, "missing_volume"), "{run:?}");
        assert!(run.last()["message"].as_str().expect("message").contains(missing), "{run:?}");
        assert_eq!(snapshot(sandbox.path()), before);
    }
    // A set whose first volume is missing altogether.
    let game = sandbox.game("orphans", &["rar5-vols.part2.rar", "rar5-vols.part3.rar", "rar5-crc.rar"]);
    let run = run(sandbox.path(), &["list", "--from", path(&game)]);
    assert_eq!((run.code, run.error_code()), (3, "missing_volume"));
    assert!(run.last()["message"].as_str().expect("message").contains("rar5-vols.part1.rar"));
}

#[test]
fn a_game_of_several_archives_in_sorted_order() {
    let sandbox = Sandbox::new();
    let game = sandbox.game(
        "game",
        &[
            "unicode.rar",
            "rar5-vols.part3.rar",
            "rar3-subdirs.rar",
            "rar5-vols.part1.rar",
            "ctime5.rar",
            "rar5-vols.part2.rar",
            "rar3-owner.rar",
            "rar5-crc.sfx",
        ],
    );
    fs::write(game.join("readme.txt"), b"not an archive").expect("write");
    fs::write(game.join("rar5-vols.part1.rev"), b"never opened").expect("write");
    fs::create_dir(game.join("sub.rar")).expect("a folder named like an archive is not one");
    let dest = sandbox.path().join("out");
    let run = run(sandbox.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!(run.code, 0, "{run:?}");
    let order = ["ctime5.rar", "rar3-owner.rar", "rar3-subdirs.rar", "rar5-vols.part1.rar", "unicode.rar"];
    assert_eq!(run.archives(), order);
    // Entry lines follow their archive line, archive by archive.
    let mut current = String::new();
    let mut seen = Vec::new();
    for line in &run.lines {
        match line["type"].as_str() {
            Some("archive") => current = line["path"].as_str().expect("path").to_owned(),
            Some("entry") => {
                assert_eq!(line["archive"], current.as_str());
                seen.push(Path::new(&current).file_name().expect("name").to_string_lossy().into_owned());
            }
            _ => {}
        }
    }
    seen.dedup();
    assert_eq!(seen, order);
    let tree = walk(&dest);
    for f in ["timed.txt", "owner1.txt", "owner2.txt", "sub/dir1/file1.txt", "vols/bigfile.txt", "уииоотивл.txt"]
    {
        assert!(matches!(tree.get(f), Some(Node::File { .. })), "{f} missing from {tree:?}");
    }
    let done = run.last();
    let total: u64 = run.of_type("entry").iter().map(|e| e["size"].as_u64().expect("size")).sum();
    assert_eq!(done["bytes"], total);
    assert_eq!(done["archives"], 5);
    let progress = run.of_type("progress");
    let last = progress.last().expect("a final progress line");
    assert_eq!((last["bytes_done"].clone(), last["bytes_total"].clone()), (total.into(), total.into()));

    // Explicit archives keep the caller's order; `list` prints the same entries.
    let listing =
        common::run(sandbox.path(), &["list", path(&game.join("unicode.rar")), path(&game.join("ctime5.rar"))]);
    assert_eq!(listing.archives(), ["unicode.rar", "ctime5.rar"]);
    let from = common::run(sandbox.path(), &["list", "--from", path(&game)]);
    assert_eq!(from.entries(), run.entries());
}

#[test]
fn the_same_file_in_two_archives_is_refused_before_writing() {
    let sandbox = Sandbox::new();
    let game = sandbox.game("game", &["rar5-crc.rar", "rar3-solid.rar"]);
    let dest = sandbox.path().join("out");
    let before = snapshot(sandbox.path());
    let run = run(sandbox.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!((run.code, run.error_code()), (6, "collision"), "{run:?}");
    assert_eq!(run.last()["entry"], "stest1.txt");
    assert_eq!(snapshot(sandbox.path()), before);
    // The same archive twice.
    let a = sandbox.src("rar5-crc.rar");
    let run = common::run(sandbox.path(), &["list", path(&a), path(&a)]);
    assert_eq!((run.code, run.error_code()), (3, "given_twice"));
}

#[test]
fn hostile_names_are_refused_and_rar4_backslashes_are_separators() {
    let sandbox = Sandbox::new();
    // (fixture, stored name, patched name, refused?)
    let cases: &[(&str, &str, &str, bool)] = &[
        ("rar5-crc.rar", "stest1.txt", "../evil.tx", true),
        ("rar5-crc.rar", "stest1.txt", "/etc/pass1", true),
        ("rar5-crc.rar", "stest1.txt", "a:stream.t", true),
        ("rar5-crc.rar", "stest1.txt", "con.tx.txt", true),
        ("rar5-crc.rar", "stest1.txt", "stest1.tx ", true),
        ("rar5-crc.rar", "stest1.txt", "stest1.tx.", true),
        ("rar5-crc.rar", "stest1.txt", "stest\u{1}.txt", true),
        ("rar5-crc.rar", "stest1.txt", "..\\evil.tx", true),
        ("rar5-crc.rar", "stest1.txt", "dir\\st.txt", true),
        ("rar3-owner.rar", "owner1.txt", "..\\evil.tx", true),
        ("rar3-owner.rar", "owner1.txt", "\\etc\\passw", true),
        ("rar3-owner.rar", "owner1.txt", "C:\\own.txt", true),
        ("rar3-owner.rar", "owner1.txt", "LPT1\\o.txt", true),
        ("rar3-owner.rar", "owner2.txt", "OWNER1.txt", true),
        ("rar3-owner.rar", "owner1.txt", "dir\\r1.txt", false),
    ];
    for (i, &(fixture, old, new, is_refused)) in cases.iter().enumerate() {
        let archive = sandbox.path().join(format!("case{i}.rar"));
        fs::copy(sandbox.src(fixture), &archive).expect("copy");
        patch_name(&archive, old, new);
        let dest = sandbox.path().join("deep/a/b").join(format!("out{i}"));
        let before = snapshot(sandbox.path());
        let run = run(sandbox.path(), &["extract", "--dest", path(&dest), path(&archive)]);
        if is_refused {
            assert_eq!(run.code, 6, "{new:?}: {run:?}");
            assert!(["unsafe_name", "collision"].contains(&run.error_code()), "{new:?}: {run:?}");
            assert_eq!(snapshot(sandbox.path()), before, "{new:?}: nothing written");
        } else {
            assert_eq!(run.code, 0, "{new:?}: {run:?}");
            assert_eq!(files(&walk(&dest)), ["dir/r1.txt", "owner2.txt"]);
        }
    }
}

#[test]
fn damaged_and_cut_archives_fail_naming_the_entry() {
    let sandbox = Sandbox::new();
    let good = fs::read(sandbox.src("rar5-crc.rar")).expect("read");
    let second = good.windows(10).position(|w| w == b"stest2.txt").expect("second entry");
    // stest2.txt is stored: flip a byte of its data; cut inside it; cut before its header.
    let mut flipped = good.clone();
    flipped[second + 200] ^= 0xff;
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("flipped.rar", flipped, "stest2.txt"),
        ("cut-in-data.rar", good[..second + 500].to_vec(), "stest2.txt"),
        ("cut-between.rar", good[..second - 20].to_vec(), "stest1.txt"),
    ];
    for (name, bytes, entry) in cases {
        let archive = sandbox.path().join(name);
        fs::write(&archive, bytes).expect("write");
        let dest = sandbox.path().join(format!("out-{name}"));
        let run = run(sandbox.path(), &["extract", "--dest", path(&dest), path(&archive)]);
        assert_eq!((run.code, run.error_code()), (5, "corrupt"), "{name}: {run:?}");
        assert_eq!(run.last()["entry"], entry, "{name}");
        // The failing entry's partial file is gone; entries before it may stay.
        if dest.exists() {
            assert!(files(&walk(&dest)).iter().all(|f| *f == "stest1.txt"), "{name}");
        }
    }
    let fake = sandbox.path().join("fake.rar");
    fs::write(&fake, b"just text").expect("write");
    let run = run(sandbox.path(), &["list", path(&fake)]);
    assert_eq!((run.code, run.error_code()), (3, "not_rar"));
}

#[test]
fn limits_refuse_before_writing() {
    let sandbox = Sandbox::new();
    let dest = sandbox.path().join("out");
    let archive = sandbox.src("rar5-crc.rar");
    let run = run(sandbox.path(), &["extract", "--dest", path(&dest), "--max-bytes", "4095", path(&archive)]);
    assert_eq!((run.code, run.error_code()), (7, "too_large"));
    assert!(!dest.exists());
    let run = common::run(sandbox.path(), &["extract", "--dest", path(&dest), "--max-bytes", "4096", path(&archive)]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn never_overwrites_and_never_writes_through_a_link() {
    let sandbox = Sandbox::new();
    let dest = sandbox.path().join("out");
    let archive = sandbox.src("rar5-crc.rar");
    assert_eq!(run(sandbox.path(), &["extract", "--dest", path(&dest), path(&archive)]).code, 0);
    let again = run(sandbox.path(), &["extract", "--dest", path(&dest), path(&archive)]);
    assert_eq!((again.code, again.error_code()), (8, "exists"));
    assert_eq!(walk(&dest).get("stest1.txt"), Some(&Node::File { size: 2048, crc: 0xc5b7_e6a2 }));

    #[cfg(unix)]
    {
        let outside = sandbox.path().join("outside");
        fs::create_dir(&outside).expect("create");
        let dest = sandbox.path().join("linked");
        fs::create_dir(&dest).expect("create");
        std::os::unix::fs::symlink(&outside, dest.join("vols")).expect("symlink");
        let run =
            common::run(sandbox.path(), &["extract", "--dest", path(&dest), path(&sandbox.src("rar5-vols.part1.rar"))]);
        assert_eq!((run.code, run.error_code()), (8, "destination"), "{run:?}");
        assert!(fs::read_dir(&outside).expect("readable").next().is_none(), "nothing written through the link");
    }
}

#[test]
fn non_archives_and_recovery_volumes_are_never_opened() {
    let sandbox = Sandbox::new();
    let rev = sandbox.path().join("game.part1.rev");
    fs::write(&rev, b"not even RAR").expect("write");
    for (file, code) in [(rev.as_path(), "recovery_volume"), (&sandbox.src("rar5-crc.sfx"), "not_rar")] {
        let run = run(sandbox.path(), &["list", path(file)]);
        assert_eq!((run.code, run.error_code()), (3, code));
    }
    let empty = sandbox.path().join("empty");
    fs::create_dir(&empty).expect("create");
    let run = run(sandbox.path(), &["list", "--from", path(&empty)]);
    assert_eq!((run.code, run.error_code()), (3, "no_archives"));
}

/// `--exit-with-stdin`: the caller holds stdin open for as long as it lives; when it closes, the
/// sidecar stops extracting and exits with code 9 (here while stalled by the test fault, so the
/// extraction could not have finished on its own).
#[cfg(feature = "test-faults")]
#[test]
fn a_closed_stdin_ends_an_extraction_with_code_9() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let sandbox = Sandbox::new();
    let game = sandbox.path().join("game");
    fs::create_dir_all(&game).unwrap();
    lanparty_testkit::rar5::write_archive(&game.join("game.rar"), &[("a.txt", b"a"), ("b.txt", b"b")]).unwrap();
    let dest = sandbox.path().join("dest");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lanparty-unrar"))
        .args(["extract", "--dest", path(&dest), "--exit-with-stdin", "--from", path(&game)])
        .env("LANPARTY_UNRAR_TEST_STALL_AFTER_ENTRIES", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    // The stall prints a progress line once it has stopped.
    for line in lines {
        if line.unwrap().contains("\"type\":\"progress\"") {
            break;
        }
    }
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the sidecar kept running with its stdin closed");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(9));
    assert!(dest.join("a.txt").is_file() && !dest.join("b.txt").exists(), "it stopped halfway");
}
