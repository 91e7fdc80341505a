//! Trusting a manifest from the network: which one to take, and whether it is sound.
//!
//! Pure logic. Peers advertise a manifest hash per game version; the one advertised by the most
//! peers is taken, a tie is no agreement. The manifest fetched for that hash is then checked
//! completely before anything touches the disk: its hashes recompute to the advertised one, its
//! sizes and chunk counts agree, and every path is one this machine can write safely.

use std::collections::{BTreeMap, HashSet};

use crate::catalog::GameId;
use crate::library::manifest::{chunk_count, file_hash};
use crate::library::{CHUNK_SIZE, Hash, LOCAL_DIR, Manifest, RESERVED_PREFIX, VERSION_FILE};
use crate::relpath;

/// Why peers' manifests cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("no peer has {game} {version}")]
    NoSource { game: GameId, version: String },
    #[error(
        "peers disagree on the content of {game} {version} ({votes}): ask the organiser which copy is right, then have the others rescan or remove theirs"
    )]
    NoAgreement { game: GameId, version: String, votes: String },
    #[error("the manifest received for {game} {version} is not the one advertised: {reason}")]
    Mismatch { game: GameId, version: String, reason: String },
    #[error("the manifest of {game} {version} has an unsafe path `{path}`: {reason}")]
    UnsafePath { game: GameId, version: String, path: String, reason: String },
}

/// The manifest hash most peers advertise, and who advertises it. A tie for the most votes is
/// no agreement; the dissenters are left out.
pub fn choose<P: Clone>(
    game: &GameId,
    version: &str,
    advertised: &[(P, Hash)],
) -> Result<(Hash, Vec<P>), ManifestError> {
    let mut votes: BTreeMap<Hash, Vec<P>> = BTreeMap::new();
    for (peer, hash) in advertised {
        votes.entry(*hash).or_default().push(peer.clone());
    }
    let mut ranked: Vec<(Hash, Vec<P>)> = votes.into_iter().collect();
    ranked.sort_by_key(|(_, peers)| std::cmp::Reverse(peers.len()));
    match ranked.as_slice() {
        [] => Err(ManifestError::NoSource { game: game.clone(), version: version.to_owned() }),
        [(_, first), (_, second), ..] if first.len() == second.len() => {
            let votes = ranked
                .iter()
                .map(|(h, ps)| format!("{} peer(s) for {}", ps.len(), &h.to_hex()[..12]))
                .collect::<Vec<_>>()
                .join(", ");
            Err(ManifestError::NoAgreement { game: game.clone(), version: version.to_owned(), votes })
        }
        _ => {
            let (hash, peers) = ranked.swap_remove(0);
            Ok((hash, peers))
        }
    }
}

/// Checks a manifest received for `game` `version` that should hash to `expected`.
pub fn check(manifest: &Manifest, game: &GameId, version: &str, expected: Hash) -> Result<(), ManifestError> {
    let mismatch = |reason: String| ManifestError::Mismatch { game: game.clone(), version: version.to_owned(), reason };
    if &manifest.game != game || manifest.version != version {
        return Err(mismatch(format!("it describes {} {}", manifest.game, manifest.version)));
    }
    if manifest.chunk_size != CHUNK_SIZE {
        return Err(mismatch(format!("chunk size {} is not {CHUNK_SIZE}", manifest.chunk_size)));
    }
    let mut keys = HashSet::new();
    for file in &manifest.files {
        let unsafe_path = |reason: String| ManifestError::UnsafePath {
            game: game.clone(),
            version: version.to_owned(),
            path: file.path.escape_debug().to_string(),
            reason,
        };
        relpath::validate(&file.path).map_err(|e| unsafe_path(e.to_string()))?;
        let key = relpath::collision_key(&file.path);
        let top = key.split('/').next().unwrap_or_default();
        if top == LOCAL_DIR || top.starts_with(RESERVED_PREFIX) {
            return Err(unsafe_path("it would write into the install folder or the launcher's reserved names".into()));
        }
        // On Windows `VERSION.INI` is `version.ini`: written early, it would mark the download
        // complete before it is.
        if key == VERSION_FILE && file.path != VERSION_FILE {
            return Err(unsafe_path("it is version.ini under another case".into()));
        }
        if !keys.insert(key) {
            return Err(unsafe_path("two files collide on case-insensitive file systems".into()));
        }
        if chunk_count(file.size) != file.chunks.len() as u64 {
            return Err(mismatch(format!(
                "{} has {} chunk hashes for {} bytes",
                file.path,
                file.chunks.len(),
                file.size
            )));
        }
        if file_hash(file.size, &file.chunks) != file.hash {
            return Err(mismatch(format!("the hash of {} does not match its chunks", file.path)));
        }
    }
    // Without a root version.ini the download could never be seen as complete.
    if !manifest.files.iter().any(|f| f.path == VERSION_FILE) {
        return Err(mismatch(format!("it has no {VERSION_FILE} at the game root")));
    }
    let rebuilt = Manifest::new(game.clone(), version.to_owned(), manifest.files.clone());
    if rebuilt.hash != manifest.hash || manifest.hash != expected || rebuilt.files != manifest.files {
        return Err(mismatch("its hash does not match (files out of order, or altered)".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::FileEntry;
    use proptest::prelude::*;

    fn id() -> GameId {
        GameId::new("quake").unwrap()
    }

    fn entry(path: &str, data: &[u8]) -> FileEntry {
        let chunks: Vec<Hash> = data.chunks(CHUNK_SIZE as usize).map(Hash::of).collect();
        FileEntry { path: path.into(), size: data.len() as u64, hash: file_hash(data.len() as u64, &chunks), chunks }
    }

    fn manifest(paths: &[&str]) -> Manifest {
        Manifest::new(id(), "1.0".into(), paths.iter().map(|p| entry(p, p.as_bytes())).collect())
    }

    #[test]
    fn plurality_wins_ties_do_not() {
        let (a, b) = (Hash::of(b"a"), Hash::of(b"b"));
        let (hash, peers) = choose(&id(), "1.0", &[(1, a), (2, b), (3, a)]).unwrap();
        assert_eq!((hash, peers), (a, vec![1, 3]));
        assert!(matches!(choose(&id(), "1.0", &[(1, a), (2, b)]), Err(ManifestError::NoAgreement { .. })));
        assert!(matches!(choose::<u8>(&id(), "1.0", &[]), Err(ManifestError::NoSource { .. })));
        assert_eq!(choose(&id(), "1.0", &[(7, b)]).unwrap(), (b, vec![7]));
        let text = choose(&id(), "1.0", &[(1, a), (2, b)]).unwrap_err().to_string();
        assert!(text.contains("peers disagree") && text.contains("1 peer(s)"), "{text}");
    }

    #[test]
    fn a_sound_manifest_passes() {
        let m = manifest(&["quake.part1.rar", "quake.part2.rar", "version.ini", "data/readme.txt"]);
        assert_eq!(check(&m, &id(), "1.0", m.hash), Ok(()));
    }

    #[test]
    fn hostile_paths_are_refused_before_anything_is_created() {
        for bad in [
            "../escape.rar",
            "/etc/passwd",
            "C:/Windows/x.dll",
            "a\\..\\b",
            "CON",
            "nul.txt",
            "bell\u{7}.rar",
            "stream.rar:evil",
            "local/save.dat",
            "LOCAL/x",
            ".lanparty-staging/x",
            "trailing.",
            "VERSION.INI",
        ] {
            // The hashes are consistent: only the path is wrong.
            let m = manifest(&[bad]);
            let err = check(&m, &id(), "1.0", m.hash).unwrap_err();
            assert!(matches!(err, ManifestError::UnsafePath { .. }), "{bad:?}: {err}");
        }
        let m = manifest(&["Data.rar", "data.rar"]);
        assert!(matches!(check(&m, &id(), "1.0", m.hash), Err(ManifestError::UnsafePath { .. })));
    }

    #[test]
    fn tampering_is_caught() {
        let good = manifest(&["a.rar", "b.rar", "version.ini"]);
        let other = manifest(&["c.rar", "version.ini"]);
        let no_version = manifest(&["a.rar"]);
        assert!(matches!(check(&no_version, &id(), "1.0", no_version.hash), Err(ManifestError::Mismatch { .. })));
        assert!(matches!(check(&good, &id(), "1.0", other.hash), Err(ManifestError::Mismatch { .. })));
        assert!(matches!(check(&good, &id(), "2.0", good.hash), Err(ManifestError::Mismatch { .. })));

        let mut chunk_swapped = good.clone();
        chunk_swapped.files[0].chunks[0] = Hash::of(b"evil");
        assert!(matches!(check(&chunk_swapped, &id(), "1.0", good.hash), Err(ManifestError::Mismatch { .. })));

        let mut resized = good.clone();
        resized.files[0].size = CHUNK_SIZE * 3;
        assert!(matches!(check(&resized, &id(), "1.0", good.hash), Err(ManifestError::Mismatch { .. })));

        let mut reordered = good.clone();
        reordered.files.reverse();
        assert!(matches!(check(&reordered, &id(), "1.0", good.hash), Err(ManifestError::Mismatch { .. })));
    }

    proptest! {
        /// Whatever path a manifest carries, an accepted one joins strictly inside the root.
        #[test]
        fn accepted_paths_stay_inside_the_game(path in "[a-zA-Z0-9 ./\\\\:_-]{1,30}") {
            let m = manifest(&[&path, VERSION_FILE]);
            if check(&m, &id(), "1.0", m.hash).is_ok() {
                let root = std::path::Path::new("/games/quake");
                let joined = relpath::join(root, &path);
                prop_assert!(joined.starts_with(root) && joined != root);
                prop_assert!(!joined.starts_with(root.join(LOCAL_DIR)));
            }
        }
    }
}
