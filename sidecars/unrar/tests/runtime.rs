//! The runtime's side of the sidecar: `lanparty_core::install::unpack::Sidecar` runs this
//! binary, reads its lines and keeps every run in the unpack log.

#![allow(clippy::unwrap_used)]

use lanparty_core::GameId;
use lanparty_core::install::unpack::{Sidecar, UnpackError, UnpackLog, Unpacker};
use lanparty_testkit::rar5::{self, Entry, Writer};
use tokio_util::sync::CancellationToken;

const BIN: &str = env!("CARGO_BIN_EXE_lanparty-unrar");

fn game() -> GameId {
    GameId::new("testgame").unwrap()
}

#[test]
fn a_game_unpacks_through_the_sidecar_with_progress_and_a_log_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("testgame");
    std::fs::create_dir_all(&root).unwrap();
    let big = lanparty_testkit::pattern::pattern_bytes(7, 3 << 20);
    rar5::write_archive(&root.join("b.rar"), &[("data/big.bin", &big)]).unwrap();
    rar5::write_archive(&root.join("a.rar"), &[("game_start.sh", b"#!/bin/sh\n"), ("Spiel/Übung ä.txt", b"hallo")])
        .unwrap();
    std::fs::write(root.join("version.ini"), "1").unwrap();
    let log_path = tmp.path().join("state/logs/unpack.json");
    let sidecar = Sidecar::new(BIN.into(), Some(UnpackLog::new(log_path.clone())));
    let dest = root.join(".lanparty-staging");
    let mut seen = Vec::new();
    let done = sidecar.extract(&game(), &root, &dest, &CancellationToken::new(), &mut |p| seen.push(p)).unwrap();
    assert_eq!((done.archives, done.entries), (2, 3), "{done:?}");
    assert_eq!(done.bytes, big.len() as u64 + 10 + 5);
    assert_eq!(std::fs::read(dest.join("data/big.bin")).unwrap(), big);
    assert_eq!(std::fs::read(dest.join("Spiel/Übung ä.txt")).unwrap(), b"hallo");
    let last = seen.last().expect("progress reported");
    assert_eq!(last.bytes_done, last.bytes_total);
    let runs = UnpackLog::new(log_path).runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].exit, Some(0));
    assert_eq!(runs[0].game, "testgame");
    assert!(runs[0].stdout.contains("\"type\":\"done\""), "{}", runs[0].stdout);
}

#[test]
fn a_hostile_archive_is_refused_with_the_sidecars_reason_and_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("testgame");
    std::fs::create_dir_all(&root).unwrap();
    let mut w = Writer::create(&root.join("evil.rar")).unwrap();
    w.add(&Entry::file_raw_name("../escape.txt", 4), &b"evil"[..]).unwrap();
    w.finish().unwrap();
    let log = UnpackLog::new(tmp.path().join("unpack.json"));
    let sidecar = Sidecar::new(BIN.into(), Some(log));
    let dest = root.join(".lanparty-staging");
    let e = sidecar.extract(&game(), &root, &dest, &CancellationToken::new(), &mut |_| {}).unwrap_err();
    match &e {
        UnpackError::Refused { code, exit, message } => {
            assert_eq!((code.as_str(), *exit), ("unsafe_name", 6), "{message}");
            assert!(message.contains("escape.txt"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!tmp.path().join("escape.txt").exists());
    let runs = UnpackLog::new(tmp.path().join("unpack.json")).runs();
    assert_eq!(runs[0].exit, Some(6));
}

#[test]
fn a_missing_or_crashing_unpacker_is_an_error_that_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Sidecar::new(tmp.path().join("nope"), None).extract(
        &game(),
        tmp.path(),
        tmp.path(),
        &CancellationToken::new(),
        &mut |_| {},
    );
    assert!(matches!(e, Err(UnpackError::Spawn { .. })), "{e:?}");
    assert!(e.unwrap_err().to_string().contains("--unrar"));
    // A program that exits without a result line: `false` stands in for a crashed sidecar.
    let e = Sidecar::new("false".into(), None).extract(
        &game(),
        tmp.path(),
        &tmp.path().join("d"),
        &CancellationToken::new(),
        &mut |_| {},
    );
    assert!(matches!(e, Err(UnpackError::Crashed { .. })), "{e:?}");
}

/// The install transaction with the real sidecar: an install, then an update whose archive is
/// damaged leaves the first install exactly as it was, then a sound update swaps it.
#[test]
fn a_damaged_update_keeps_the_installed_version_and_a_sound_one_replaces_it() {
    use lanparty_core::install::recovery::Kind;
    use lanparty_core::install::run::{Extract, InstallError, Txn, new_op_id};

    let tmp = tempfile::tempdir().unwrap();
    let games = tmp.path().join("games");
    let root = games.join("testgame");
    std::fs::create_dir_all(&root).unwrap();
    rar5::write_archive(&root.join("game.rar"), &[("game_start.sh", b"v1"), ("maps/a.bsp", b"old map")]).unwrap();
    let txn = Txn::new(game(), &games, &tmp.path().join("state"));
    let sidecar = Sidecar::new(BIN.into(), None);
    let stop = CancellationToken::new();
    let run = |kind| {
        txn.run(kind, new_op_id(&game()), Some(Extract { unpacker: &sidecar, stop: &stop, progress: &mut |_| {} }))
    };
    run(Kind::Install).unwrap();
    assert_eq!(std::fs::read(root.join("local/maps/a.bsp")).unwrap(), b"old map");

    // A new version whose archive fails its CRC.
    let mut w = Writer::create(&root.join("game.rar")).unwrap();
    w.add(&Entry::file("game_start.sh", 2), &b"v2"[..]).unwrap();
    w.add(&Entry::file("maps/b.bsp", 7).wrong_crc(), &b"new map"[..]).unwrap();
    w.finish().unwrap();
    let e = run(Kind::Update).unwrap_err();
    assert!(matches!(e, InstallError::Unpack { .. }), "{e}");
    assert_eq!(std::fs::read(root.join("local/game_start.sh")).unwrap(), b"v1");
    assert_eq!(std::fs::read(root.join("local/maps/a.bsp")).unwrap(), b"old map");
    assert!(!root.join(".lanparty-staging").exists() && !root.join(".lanparty-backup").exists());

    rar5::write_archive(&root.join("game.rar"), &[("game_start.sh", b"v2"), ("maps/b.bsp", b"new map")]).unwrap();
    run(Kind::Update).unwrap();
    assert_eq!(std::fs::read(root.join("local/game_start.sh")).unwrap(), b"v2");
    assert!(!root.join("local/maps/a.bsp").exists());
    assert!(!root.join(".lanparty-staging").exists() && !root.join(".lanparty-backup").exists());
}
