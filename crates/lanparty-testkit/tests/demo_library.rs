//! `lanparty-demo-library` run as a process: its games hold archives that UnRAR extracts into
//! runnable scripts, a `version.ini` with the catalog's version, and a second run keeps them.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::volumes::{self, Mode};
use common::{tree, unrar_extract};

fn demo_library(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lanparty-demo-library")).args(args).output().unwrap()
}

fn archives(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".rar"))
        .collect();
    names.sort();
    names
}

#[test]
fn games_extract_into_scripts_that_record_their_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    let games = tmp.path().join("games");
    let out = demo_library(&["--games", "wesnoth,openttd,teeworlds", "--mib", "1", games.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // wesnoth: an archive beside a volume set; openttd: several archives; teeworlds: one.
    let wesnoth = games.join("wesnoth");
    let names = archives(&wesnoth);
    assert!(
        names.contains(&"wesnoth.rar".to_owned()) && names.contains(&"wesnoth-data.part2.rar".to_owned()),
        "{names:?}"
    );
    assert_eq!(archives(&games.join("openttd")), ["openttd-data1.rar", "openttd.rar"]);
    assert_eq!(archives(&games.join("teeworlds")), ["teeworlds.rar"]);
    assert_eq!(fs::read_to_string(wesnoth.join("version.ini")).unwrap(), "1.18.7\n");

    let local = tmp.path().join("local");
    fs::create_dir(&local).unwrap();
    unrar_extract(&wesnoth.join("wesnoth.rar"), &local);
    volumes::process(&wesnoth.join("wesnoth-data.part1.rar"), Mode::Extract(&local)).unwrap();
    assert_eq!(
        tree(&local),
        [
            "README.txt",
            "data/",
            "data/wesnoth-1.pak",
            "game_start.cmd",
            "game_start.sh",
            "server_start.cmd",
            "server_start.sh"
        ]
    );
    assert_eq!(fs::metadata(local.join("data/wesnoth-1.pak")).unwrap().len(), 1024 * 1024);
    assert!(fs::read_to_string(local.join("game_start.cmd")).unwrap().contains("\r\n"));

    // Lanparty runs `sh game_start.sh USERNAME LANGUAGE` in the installation.
    let run = Command::new("sh")
        .args(["game_start.sh", "Ada Lovelace", "german"])
        .current_dir(&local)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        "Hello Ada Lovelace, this is The Battle for Wesnoth 1.18.7 (language: german).\n"
    );
    assert_eq!(fs::read_to_string(local.join("played.txt")).unwrap(), "Ada Lovelace\ngerman\n");

    // A second run keeps what is there.
    fs::write(wesnoth.join("marker"), "kept").unwrap();
    let again = demo_library(&["--games", "wesnoth", games.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(String::from_utf8(again.stdout).unwrap().starts_with("kept "));
    assert!(wesnoth.join("marker").exists());
}

#[test]
fn refuses_unknown_games_and_bad_usage() {
    let tmp = tempfile::tempdir().unwrap();
    let out = demo_library(&["--games", "not-a-game", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-a-game is not in the catalog"));
    for args in [&[][..], &["--mib", "x", "dir"], &["--bogus", "dir"], &["a", "b"]] {
        let out = demo_library(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"), "{args:?}");
    }
}
