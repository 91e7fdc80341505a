//! Regression tests for defects found in review, run as the real binary:
//!
//! - volume sets (RAR 3 and RAR 5 fixtures, old- and new-style names, and sets written by
//!   lanparty-testkit) in a folder whose path is not ASCII, or not even UTF-8: UnRAR reports
//!   the next volume's name with its non-ASCII bytes mapped to U+E080..U+E0FF;
//! - an old version (`name;N`) split across the volumes of a non-solid set, which extraction
//!   skips and UnRAR then hands back as a continuation header;
//! - a `--from` folder whose set starts with a self-extracting first volume;
//! - a `--from` folder holding an archive whose file name is not UTF-8;
//! - not enough free space refused before the destination folder is created.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use lanparty_testkit::pattern::{pattern, pattern_bytes};
use lanparty_testkit::rar5::{self, Entry, VolumeWriter, Writer};

use common::{Node, Run, Sandbox, run, walk};

fn path(p: &Path) -> &str {
    p.to_str().expect("this test's paths are UTF-8")
}

/// The `volumes` of the only `archive` line.
fn volumes(run: &Run) -> Vec<String> {
    let archives = run.of_type("archive");
    assert_eq!(archives.len(), 1, "{run:?}");
    archives[0]["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .map(|v| v.as_str().expect("volume path").to_owned())
        .collect()
}

/// Lists (by first volume and by `--from`) and extracts the set `volumes` in `game`, checking
/// the reported volume paths; returns what was extracted.
fn list_and_extract(cwd: &Path, game: &Path, volumes_on_disk: &[PathBuf], dest: &Path) -> BTreeMap<String, Node> {
    let later: Vec<String> = volumes_on_disk[1..].iter().map(|v| path(v).to_owned()).collect();
    let first = path(&volumes_on_disk[0]);
    for args in [&["list", first][..], &["list", "--from", path(game)][..]] {
        let r = run(cwd, args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert_eq!(volumes(&r), later, "{args:?}");
        for v in &later {
            assert!(Path::new(v).is_file(), "reported volume {v} exists");
        }
    }
    let r = run(cwd, &["extract", "--dest", path(dest), "--from", path(game)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(volumes(&r), later);
    walk(dest)
}

#[test]
fn volume_sets_in_a_folder_with_a_non_ascii_name() {
    let sandbox = Sandbox::new();
    let top = sandbox.path().join("Pokémon jörg");
    let fixture_sets: [&[&str]; 3] = [
        &["rar3-vols.part1.rar", "rar3-vols.part2.rar", "rar3-vols.part3.rar"],
        &["rar5-vols.part1.rar", "rar5-vols.part2.rar", "rar5-vols.part3.rar"],
        &["rar3-old.rar", "rar3-old.r00", "rar3-old.r01"],
    ];
    for names in fixture_sets {
        let set = names[0].split('.').next().expect("stem");
        let game = sandbox.game(&format!("Pokémon jörg/{set}"), names);
        let on_disk: Vec<PathBuf> = names.iter().map(|n| game.join(n)).collect();
        let tree = list_and_extract(sandbox.path(), &game, &on_disk, &top.join(format!("out-{set}")));
        assert_eq!(tree.get("vols/bigfile.txt"), Some(&Node::File { size: 205_000, crc: 0x509a_d74c }), "{set}");
        assert_eq!(tree.get("vols/smallfile.txt"), Some(&Node::File { size: 2050, crc: 0xd08a_1f86 }), "{set}");
    }

    // A set written by the testkit, its files split across four volumes or more.
    let src = top.join("src");
    fs::create_dir_all(src.join("Daten")).expect("create src");
    fs::write(src.join("Daten/groß.bin"), pattern_bytes(1, 300_000)).expect("write");
    fs::write(src.join("klein.txt"), b"klein").expect("write");
    let game = top.join("Spiel");
    fs::create_dir(&game).expect("create game");
    let on_disk = rar5::pack_dir_volumes(&src, &game, "Spiel", 80_000).expect("pack volumes");
    assert!(on_disk.len() >= 4, "{on_disk:?}");
    let tree = list_and_extract(sandbox.path(), &game, &on_disk, &top.join("out-spiel"));
    assert_eq!(tree, walk(&src));
}

/// Bytes that are not UTF-8 (Latin-1 `é`) in the volumes' own names: `--from` must keep them,
/// and so must the volume paths UnRAR reports.
#[cfg(unix)]
#[test]
fn volume_sets_whose_names_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let tmp = tempfile::tempdir().expect("temp dir");
    let game = tmp.path().join(OsStr::from_bytes(b"caf\xe9"));
    let src = tmp.path().join("src");
    fs::create_dir_all(&game).expect("create game");
    fs::create_dir_all(&src).expect("create src");
    fs::write(src.join("big.bin"), pattern_bytes(2, 250_000)).expect("write");
    fs::write(src.join("small.txt"), b"small").expect("write");
    let written = rar5::pack_dir_volumes(&src, &game, "x", 80_000).expect("pack volumes");
    assert!(written.len() >= 3, "{written:?}");
    // Rename x.partN.rar to caf\xe9.partN.rar.
    for (i, volume) in written.iter().enumerate() {
        let mut name = b"caf\xe9".to_vec();
        name.extend_from_slice(format!(".part{}.rar", i + 1).as_bytes());
        fs::rename(volume, game.join(OsStr::from_bytes(&name))).expect("rename");
    }
    // Relative paths keep the arguments UTF-8; the names found in the folder are not.
    let r = run(&game, &["list", "--from", "."]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(volumes(&r).len(), written.len() - 1, "{r:?}");
    let r = run(&game, &["extract", "--dest", "../out", "--from", "."]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(walk(&tmp.path().join("out")), walk(&src));
}

/// An old version (`v.txt;1`, RAR's `-ver`) split across volumes: extraction skips it, and in
/// extraction mode UnRAR then returns the continuation of the skipped entry in the next volume.
#[test]
fn old_versions_split_across_volumes_are_skipped() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let game = tmp.path().join("game");
    fs::create_dir(&game).expect("create game");
    let old_len = 150_000;
    let mut writer = VolumeWriter::create(&game, "set", 60_000).expect("volumes");
    writer.add(&Entry::file_raw_name("a.txt;1", old_len), pattern(1, old_len)).expect("add");
    writer.add(&Entry::file("a.txt", 5), &b"new a"[..]).expect("add");
    writer.add(&Entry::file("b.txt", 5), &b"new b"[..]).expect("add");
    // The last entry, split too: the read after the planned entries meets its continuation.
    writer.add(&Entry::file_raw_name("b.txt;1", old_len), pattern(2, old_len)).expect("add");
    let on_disk = writer.finish().expect("finish");
    assert!(on_disk.len() >= 5, "{on_disk:?}");

    let r = run(tmp.path(), &["list", "--from", path(&game)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.of_type("archive")[0]["old_versions"], 2);
    let dest = tmp.path().join("out");
    let r = run(tmp.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.entries().into_iter().map(|(_, p)| p).collect::<Vec<_>>(), ["a.txt", "b.txt"]);
    assert_eq!(fs::read(dest.join("a.txt")).expect("a"), b"new a");
    assert_eq!(fs::read(dest.join("b.txt")).expect("b"), b"new b");
    assert_eq!(walk(&dest).len(), 2);
}

#[test]
fn self_extracting_first_volumes_are_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (set, names) in [
        ("old", &["x.exe", "x.r00", "x.r01"][..]),
        ("new", &["Game.part1.exe", "Game.part2.rar"][..]),
        ("new-sfx", &["y.part01.sfx", "y.part02.rar"][..]),
    ] {
        let game = tmp.path().join(set);
        fs::create_dir(&game).expect("create");
        for name in names {
            fs::write(game.join(name), b"not opened").expect("write");
        }
        let r = run(tmp.path(), &["list", "--from", path(&game)]);
        assert_eq!(r.code, 3, "{r:?}");
        let message = r.last()["message"].as_str().expect("message");
        assert!(message.contains("self-extracting") && message.contains(names[0]), "{set}: {message}");
        let rar_first = match set {
            "old" => "x.rar",
            "new" => "Game.part1.rar",
            _ => "y.part01.rar",
        };
        assert!(message.contains(rar_first), "{set}: {message}");
    }
}

#[cfg(unix)]
#[test]
fn from_keeps_file_names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let tmp = tempfile::tempdir().expect("temp dir");
    let game = tmp.path().join("game");
    fs::create_dir(&game).expect("create");
    let archive = game.join(OsStr::from_bytes(b"\xff\xfe.rar"));
    rar5::write_archive(&archive, &[("a.txt", b"aaa")]).expect("write archive");
    let r = run(tmp.path(), &["extract", "--dest", "out", "--from", "game"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(fs::read(tmp.path().join("out/a.txt")).expect("a"), b"aaa");
}

#[test]
fn no_space_is_refused_before_the_destination_is_created() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let game = tmp.path().join("game");
    fs::create_dir(&game).expect("create");
    // 1 PiB declared by a 3-byte entry: more than any test machine has free.
    let mut writer = Writer::create(&game.join("liar.rar")).expect("create");
    writer.add(&Entry::file("x.bin", 3).declared_size(1 << 50), &b"abc"[..]).expect("add");
    writer.finish().expect("finish");
    let dest = tmp.path().join("new/deeper/out");
    let r =
        run(tmp.path(), &["extract", "--max-bytes", "1152921504606846976", "--dest", path(&dest), "--from", "game"]);
    assert_eq!((r.code, r.error_code()), (7, "no_space"), "{r:?}");
    assert!(!tmp.path().join("new").exists(), "nothing created");
    // Relative, and directly in the working folder.
    let r = run(tmp.path(), &["extract", "--max-bytes", "1152921504606846976", "--dest", "out", "--from", "game"]);
    assert_eq!((r.code, r.error_code()), (7, "no_space"), "{r:?}");
    assert!(!tmp.path().join("out").exists(), "nothing created");
}
