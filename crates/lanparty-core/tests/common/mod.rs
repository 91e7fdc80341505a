//! Helpers shared by the integration tests: a test catalog and game folders on disk.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lanparty_core::catalog::Catalog;

/// A catalog with the games the tests use.
pub fn test_catalog() -> Catalog {
    let entry = |id: &str| {
        format!(
            r#"{{"id":"{id}","title":"Game {id}","description":"A test game.","genre":"Test",
               "players":{{"min":1,"max":8}},"version":"1.0","approx_size_bytes":1000,"can_host_server":true}}"#
        )
    };
    let games: Vec<String> = ["alpha", "beta", "gamma", "delta", "copied"].iter().map(|id| entry(id)).collect();
    Catalog::parse(&format!(r#"{{"schema_version":1,"games":[{}]}}"#, games.join(",")), Path::new("test-catalog.json"))
        .expect("test catalog is valid")
}

/// Deterministic file content of `len` bytes, different per `seed`.
pub fn content(len: u64, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ ((i >> 12) as u8)).collect()
}

/// Writes `files` (relative path, bytes) under `root`, creating folders.
pub fn write_files(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("file has a parent")).expect("create parent");
        fs::write(&path, bytes).expect("write file");
    }
}

/// Creates a downloaded game: an archive and a root version.ini, last modified an hour ago
/// (files modified seconds before a scan are deliberately not cached).
pub fn make_game(games: &Path, id: &str, version: &str, archive_len: u64) -> PathBuf {
    let root = games.join(id);
    write_files(
        &root,
        &[(&format!("{id}.rar"), &content(archive_len, id.len() as u8)), ("version.ini", version.as_bytes())],
    );
    for name in [format!("{id}.rar"), "version.ini".to_owned()] {
        set_mtime(&root.join(name), SystemTime::now() - Duration::from_secs(3600));
    }
    root
}

pub fn set_mtime(path: &Path, when: SystemTime) {
    fs::File::options().write(true).open(path).and_then(|f| f.set_modified(when)).expect("set mtime");
}
