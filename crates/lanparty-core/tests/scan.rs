//! Scanning edge cases, against real folders in a temp dir.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use lanparty_core::catalog::Catalog;
use lanparty_core::library::cache::HashCache;
use lanparty_core::library::manifest::{CHUNK_SIZE, Hash, file_hash};
use lanparty_core::library::scan::{self, LocalGame, Root, ScanOutput, ScanRequest};
use lanparty_core::library::{GamesDirError, MetaSource};

use common::{content, make_game, set_mtime, test_catalog, write_files};

fn scan_dir(games: &Path, catalog: &Catalog, cache: &mut HashCache) -> ScanOutput {
    let busy = HashSet::new();
    let cancel = AtomicBool::new(false);
    let req = ScanRequest { games_dir: games, catalog, busy: &busy, only: None, threads: 2, cancel: &cancel };
    scan::scan(&req, cache, &|_| {})
}

fn game<'a>(out: &'a ScanOutput, name: &str) -> &'a LocalGame {
    match out.roots.get(name) {
        Some(Root::Game(g)) => g,
        other => panic!("{name} should be a game, is {other:?}"),
    }
}

fn ignored<'a>(out: &'a ScanOutput, name: &str) -> &'a str {
    match out.roots.get(name) {
        Some(Root::Ignored(reason)) => reason,
        other => panic!("{name} should be ignored, is {other:?}"),
    }
}

#[test]
fn empty_folder_has_no_games() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    assert!(out.availability.is_ok());
    assert!(out.roots.is_empty());
}

#[test]
fn missing_games_folder_is_unavailable_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("unplugged");
    let out = scan_dir(&missing, &test_catalog(), &mut HashCache::default());
    assert_eq!(out.availability, Err(GamesDirError::Missing(missing)));

    let file = tmp.path().join("file");
    fs::write(&file, b"").unwrap();
    let out = scan_dir(&file, &test_catalog(), &mut HashCache::default());
    assert_eq!(out.availability, Err(GamesDirError::NotADirectory(file)));
}

#[test]
fn catalog_game_with_version_ini_is_shareable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "alpha", "1.0", 1000);
    fs::create_dir_all(root.join("local/save")).unwrap();
    fs::write(root.join("local/save/player.dat"), b"mine").unwrap();
    fs::create_dir_all(root.join(".lanparty-staging")).unwrap();
    fs::write(root.join(".lanparty-staging/x"), b"launcher's").unwrap();
    fs::write(root.join("Thumbs.db"), b"junk").unwrap();

    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let g = game(&out, "alpha");
    assert!(g.is_shareable(), "{:?}", g.unshareable);
    assert!(g.is_downloaded && g.is_installed);
    assert_eq!(g.version.as_deref(), Some("1.0"));
    assert_eq!(g.meta_source, MetaSource::Catalog);
    let paths: Vec<&str> = g.manifest.as_ref().unwrap().files.iter().map(|f| f.path.as_str()).collect();
    // local/, reserved names and OS junk are never part of a game.
    assert_eq!(paths, ["alpha.rar", "version.ini"]);
}

#[test]
fn non_catalog_folder_and_stray_file_are_ignored_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    make_game(tmp.path(), "unknown-game", "1", 10);
    fs::write(tmp.path().join("notes.txt"), b"stray").unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    assert!(ignored(&out, "unknown-game").contains("not in the catalog"));
    assert!(ignored(&out, "notes.txt").contains("not a folder"));
}

#[test]
fn game_json_makes_a_game_shareable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "homebrew", "0.3", 100);
    let meta = r#"{"id":"homebrew","title":"Homebrew","description":"Ours.","genre":"Party",
        "players":{"min":2,"max":4},"version":"0.3","approx_size_bytes":100,"can_host_server":false}"#;
    fs::write(root.join("game.json"), meta).unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let g = game(&out, "homebrew");
    assert_eq!(g.meta_source, MetaSource::GameJson);
    assert_eq!(g.meta.title, "Homebrew");
    assert!(g.is_shareable());
}

#[test]
fn invalid_game_json_names_file_line_column_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "broken", "1", 10);
    fs::write(
        root.join("game.json"),
        "{\"id\":\"broken\",\"title\":\"B\",\"description\":\"\",\"genre\":\"G\",\n\"players\":{\"min\":1,\"max\":\"many\"}}",
    )
    .unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let reason = ignored(&out, "broken");
    let expected_prefix = format!("{}:2:", root.join("game.json").display());
    assert!(reason.starts_with(&expected_prefix), "{reason}");
    assert!(reason.contains("field `players.max`"), "{reason}");

    fs::write(root.join("game.json"), r#"{"id":"other","title":"B","description":"","genre":"G","players":{"min":1,"max":2},"version":"1","approx_size_bytes":1,"can_host_server":false}"#).unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    assert!(ignored(&out, "broken").contains("does not match the folder name"));
}

#[test]
fn nested_version_ini_does_not_count() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(&tmp.path().join("beta"), &[("beta.rar", b"data"), ("sub/version.ini", b"1.0")]);
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let g = game(&out, "beta");
    assert!(!g.is_downloaded);
    assert!(g.manifest.is_none());
    assert!(g.unshareable.as_deref().unwrap().contains("no version.ini"));
}

#[cfg(unix)]
#[test]
fn symlinked_root_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let games = tmp.path().join("games");
    fs::create_dir(&games).unwrap();
    make_game(tmp.path(), "gamma", "1.0", 100);
    std::os::unix::fs::symlink(tmp.path().join("gamma"), games.join("gamma")).unwrap();
    let out = scan_dir(&games, &test_catalog(), &mut HashCache::default());
    assert!(ignored(&out, "gamma").contains("symbolic link"));
}

#[cfg(unix)]
#[test]
fn symlink_inside_a_game_makes_it_unshareable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "gamma", "1.0", 100);
    std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let g = game(&out, "gamma");
    assert!(!g.is_shareable());
    assert!(g.unshareable.as_deref().unwrap().contains("symbolic link"));
}

#[test]
fn names_windows_cannot_hold_make_a_game_unshareable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "delta", "1.0", 10);
    fs::write(root.join("aux.txt"), b"x").unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    assert!(game(&out, "delta").unshareable.as_deref().unwrap().contains("reserved device name"));

    fs::remove_file(root.join("aux.txt")).unwrap();
    fs::write(root.join("Delta.RAR"), b"x").unwrap();
    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    assert!(game(&out, "delta").unshareable.as_deref().unwrap().contains("same file on Windows"));
}

#[test]
fn chunk_edges_hash_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    // One file per edge size; hashes checked against BLAKE3 of each chunk computed here.
    let sizes =
        [("empty.bin", 0), ("minus.bin", CHUNK_SIZE - 1), ("equal.bin", CHUNK_SIZE), ("plus.bin", CHUNK_SIZE + 1)];
    let root = tmp.path().join("alpha");
    let datas: Vec<(String, Vec<u8>)> =
        sizes.iter().enumerate().map(|(i, (n, len))| (n.to_string(), content(*len, i as u8))).collect();
    let files: Vec<(&str, &[u8])> = datas.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    write_files(&root, &files);
    fs::write(root.join("version.ini"), "1.0").unwrap();

    let out = scan_dir(tmp.path(), &test_catalog(), &mut HashCache::default());
    let manifest = game(&out, "alpha").manifest.clone().unwrap();
    for (name, data) in &datas {
        let entry = manifest.files.iter().find(|f| &f.path == name).unwrap();
        let want: Vec<Hash> = data.chunks(CHUNK_SIZE as usize).map(Hash::of).collect();
        assert_eq!(entry.size, data.len() as u64, "{name}");
        assert_eq!(entry.chunks, want, "{name}");
        assert_eq!(entry.hash, file_hash(entry.size, &want), "{name}");
    }
    let counts: Vec<usize> = ["empty.bin", "minus.bin", "equal.bin", "plus.bin"]
        .iter()
        .map(|n| manifest.files.iter().find(|f| f.path == *n).unwrap().chunks.len())
        .collect();
    assert_eq!(counts, [0, 1, 1, 2]);
}

#[test]
fn unchanged_library_hashes_nothing_and_changes_rehash_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    make_game(tmp.path(), "alpha", "1.0", 3 * CHUNK_SIZE);
    let beta = make_game(tmp.path(), "beta", "2.0", 1000);
    let catalog = test_catalog();
    let mut cache = HashCache::default();

    let first = scan_dir(tmp.path(), &catalog, &mut cache);
    assert_eq!(first.stats.hashed_bytes, 3 * CHUNK_SIZE + 1000 + 3 + 3);
    let second = scan_dir(tmp.path(), &catalog, &mut cache);
    assert_eq!(second.stats.hashed_bytes, 0);
    assert_eq!(second.stats.hashed_files, 0);
    assert_eq!(game(&first, "alpha").manifest, game(&second, "alpha").manifest);

    fs::write(beta.join("beta.rar"), content(2000, 9)).unwrap();
    let third = scan_dir(tmp.path(), &catalog, &mut cache);
    assert_eq!((third.stats.hashed_files, third.stats.hashed_bytes), (1, 2000));
    assert_ne!(
        game(&first, "beta").manifest.as_ref().unwrap().hash,
        game(&third, "beta").manifest.as_ref().unwrap().hash
    );
}

/// A file rewritten with the same size and time right after it was hashed (FAT32 keeps
/// 2-second timestamps) must not keep its old hashes: recent files are never cached.
#[test]
fn same_size_same_mtime_rewrite_of_a_recent_file_is_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let root = make_game(tmp.path(), "alpha", "1.0", 1000);
    let archive = root.join("alpha.rar");
    fs::write(&archive, content(1000, 1)).unwrap();
    let written = fs::metadata(&archive).unwrap().modified().unwrap();
    let catalog = test_catalog();
    let mut cache = HashCache::default();
    let first = scan_dir(tmp.path(), &catalog, &mut cache);

    fs::write(&archive, content(1000, 2)).unwrap();
    set_mtime(&archive, written);
    let second = scan_dir(tmp.path(), &catalog, &mut cache);
    assert_eq!(second.stats.hashed_bytes, 1000, "the recent file is hashed again, the old version.ini is not");
    let hash = |out: &ScanOutput| game(out, "alpha").manifest.as_ref().unwrap().hash;
    assert_ne!(hash(&first), hash(&second));
}
