//! `lanparty-mkrar` run as a process in a fresh directory.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::volumes::{self, Mode};
use common::{tree, unrar_extract, unrar_list};

fn mkrar(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lanparty-mkrar")).args(args).current_dir(cwd).output().unwrap()
}

fn make_game(root: &Path) {
    fs::create_dir_all(root.join("game/Data")).unwrap();
    fs::create_dir_all(root.join("game/Saves")).unwrap();
    fs::write(root.join("game/Game.exe"), lanparty_testkit::pattern::pattern_bytes(1, 70_000)).unwrap();
    fs::write(root.join("game/Data/level1.pak"), "level one").unwrap();
}

#[test]
fn packs_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    make_game(tmp.path());
    let out = mkrar(tmp.path(), &["game.rar", "game"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "game.rar\n");

    let archive = tmp.path().join("game.rar");
    let names: Vec<String> = unrar_list(&archive).into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["Data", "Data/level1.pak", "Game.exe", "Saves"]);
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    unrar_extract(&archive, &dest);
    assert_eq!(tree(&dest), tree(&tmp.path().join("game")));
    assert_eq!(fs::read(dest.join("Game.exe")).unwrap(), fs::read(tmp.path().join("game/Game.exe")).unwrap());
}

#[test]
fn packs_volumes() {
    let tmp = tempfile::tempdir().unwrap();
    make_game(tmp.path());
    fs::create_dir(tmp.path().join("vols")).unwrap();
    let out = mkrar(tmp.path(), &["--volume-size", "32K", "vols/game.rar", "game"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed, "vols/game.part1.rar\nvols/game.part2.rar\nvols/game.part3.rar\n");
    for line in printed.lines() {
        assert!(fs::metadata(tmp.path().join(line)).unwrap().len() <= 32 * 1024);
    }
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    volumes::process(&tmp.path().join("vols/game.part1.rar"), Mode::Extract(&dest)).unwrap();
    assert_eq!(tree(&dest), tree(&tmp.path().join("game")));
    assert_eq!(fs::read(dest.join("Game.exe")).unwrap(), fs::read(tmp.path().join("game/Game.exe")).unwrap());
}

#[test]
fn usage_and_failure_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&[][..], &["only-one.rar"], &["--volume-size", "1X", "a.rar", "dir"], &["--bogus", "a.rar", "d"]] {
        let out = mkrar(tmp.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"), "{args:?}");
    }
    let out = mkrar(tmp.path(), &["a.rar", "missing"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reading missing failed") && stderr.contains("No such file"), "{stderr}");
}
