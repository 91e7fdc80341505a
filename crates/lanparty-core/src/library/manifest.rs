//! Manifests: the verified description of one version of one game.
//!
//! A manifest lists every file to transfer (relative path, size), the BLAKE3 hash of each
//! fixed-size chunk of it, a hash per file and one hash for the whole manifest. Chunk hashes
//! let a downloader check every chunk before it lands and let a peer serve the chunks it has
//! already verified; the manifest hash lets peers agree on a version with one comparison.
//!
//! The file and manifest hashes are computed over a fixed binary encoding, not over JSON, so
//! field order or whitespace can never make two equal manifests hash differently:
//!
//! ```text
//! file hash     = BLAKE3-derive-key("lanparty 2026-11 file v1",
//!                     size: u64 LE ‖ chunk hash 0 ‖ chunk hash 1 ‖ …)
//! manifest hash = BLAKE3-derive-key("lanparty 2026-11 manifest v1",
//!                     len(game): u32 LE ‖ game ‖ len(version): u32 LE ‖ version ‖
//!                     chunk_size: u64 LE ‖ file count: u64 LE ‖
//!                     for each file in path order: len(path): u32 LE ‖ path ‖ size: u64 LE ‖ file hash)
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::GameId;

/// Size of a chunk, the unit of hashing, verification, transfer and resume.
///
/// 4 MiB: large enough that a 100 GiB game has 25,600 chunks (an 800 KiB hash list) and a
/// request per chunk costs nothing measurable at 1 GB/s; small enough that a chunk refetched
/// after corruption or a crash costs 34 ms of a gigabit link, and that the few chunks in flight per
/// peer fit a small, fixed memory budget. See `docs/DESIGN.md`.
pub const CHUNK_SIZE: u64 = 4 * 1024 * 1024;

const FILE_CONTEXT: &str = "lanparty 2026-11 file v1";
const MANIFEST_CONTEXT: &str = "lanparty 2026-11 manifest v1";

/// A BLAKE3 hash, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    pub fn of(bytes: &[u8]) -> Hash {
        Hash(*blake3::hash(bytes).as_bytes())
    }

    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    pub fn from_hex(s: &str) -> Option<Hash> {
        let bytes = data_encoding::HEXLOWER_PERMISSIVE.decode(s.as_bytes()).ok()?;
        Some(Hash(bytes.try_into().ok()?))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", &self.to_hex()[..12])
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

/// Number of chunks in a file of `size` bytes (an empty file has none).
pub fn chunk_count(size: u64) -> u64 {
    size.div_ceil(CHUNK_SIZE)
}

/// Length of chunk `index` of a file of `size` bytes.
pub fn chunk_len(size: u64, index: u64) -> u64 {
    size.saturating_sub(index * CHUNK_SIZE).min(CHUNK_SIZE)
}

/// The hash of a file, from its size and chunk hashes.
pub fn file_hash(size: u64, chunks: &[Hash]) -> Hash {
    let mut h = blake3::Hasher::new_derive_key(FILE_CONTEXT);
    h.update(&size.to_le_bytes());
    for c in chunks {
        h.update(&c.0);
    }
    Hash(*h.finalize().as_bytes())
}

/// One file of a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the game root, `/`-separated, valid under [`crate::relpath::validate`].
    pub path: String,
    pub size: u64,
    pub hash: Hash,
    pub chunks: Vec<Hash>,
}

/// One version of one game, as a list of hashed files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub game: GameId,
    pub version: String,
    pub chunk_size: u64,
    /// Sorted by path, byte order.
    pub files: Vec<FileEntry>,
    pub hash: Hash,
}

impl Manifest {
    /// Builds a manifest from files (any order) and computes its hash.
    pub fn new(game: GameId, version: String, mut files: Vec<FileEntry>) -> Manifest {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let hash = manifest_hash(&game, &version, CHUNK_SIZE, &files);
        Manifest { game, version, chunk_size: CHUNK_SIZE, files, hash }
    }

    /// Total bytes of all files.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Total number of chunks.
    pub fn chunks(&self) -> u64 {
        self.files.iter().map(|f| f.chunks.len() as u64).sum()
    }
}

fn manifest_hash(game: &GameId, version: &str, chunk_size: u64, files: &[FileEntry]) -> Hash {
    let mut h = blake3::Hasher::new_derive_key(MANIFEST_CONTEXT);
    let mut bytes = |b: &[u8]| {
        // Lengths of game ids, versions and paths are bounded far below u32::MAX by validation.
        h.update(&(b.len() as u32).to_le_bytes());
        h.update(b);
    };
    bytes(game.as_str().as_bytes());
    bytes(version.as_bytes());
    h.update(&chunk_size.to_le_bytes());
    h.update(&(files.len() as u64).to_le_bytes());
    for f in files {
        h.update(&(f.path.len() as u32).to_le_bytes());
        h.update(f.path.as_bytes());
        h.update(&f.size.to_le_bytes());
        h.update(&f.hash.0);
    }
    Hash(*h.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, data: &[u8]) -> FileEntry {
        let chunks: Vec<Hash> = data.chunks(CHUNK_SIZE as usize).map(Hash::of).collect();
        FileEntry { path: path.into(), size: data.len() as u64, hash: file_hash(data.len() as u64, &chunks), chunks }
    }

    #[test]
    fn chunk_arithmetic_at_the_edges() {
        // size               chunks  last chunk length
        let table = [
            (0, 0, 0),
            (1, 1, 1),
            (CHUNK_SIZE - 1, 1, CHUNK_SIZE - 1),
            (CHUNK_SIZE, 1, CHUNK_SIZE),
            (CHUNK_SIZE + 1, 2, 1),
            (3 * CHUNK_SIZE, 3, CHUNK_SIZE),
        ];
        for (size, count, last) in table {
            assert_eq!(chunk_count(size), count, "size {size}");
            if count > 0 {
                assert_eq!(chunk_len(size, count - 1), last, "size {size}");
            }
        }
    }

    #[test]
    fn manifest_hash_ignores_input_order_but_not_content() {
        let id = GameId::new("g").unwrap();
        let a = Manifest::new(id.clone(), "1".into(), vec![entry("a", b"x"), entry("b/c", b"y")]);
        let b = Manifest::new(id.clone(), "1".into(), vec![entry("b/c", b"y"), entry("a", b"x")]);
        assert_eq!(a.hash, b.hash);
        let c = Manifest::new(id.clone(), "1".into(), vec![entry("a", b"x"), entry("b/c", b"z")]);
        assert_ne!(a.hash, c.hash);
        let d = Manifest::new(id, "2".into(), vec![entry("a", b"x"), entry("b/c", b"y")]);
        assert_ne!(a.hash, d.hash);
    }

    #[test]
    fn hash_hex_round_trip_and_json() {
        let h = Hash::of(b"lanparty");
        assert_eq!(Hash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(serde_json::from_str::<Hash>(&serde_json::to_string(&h).unwrap()).unwrap(), h);
        assert_eq!(Hash::from_hex("abc"), None);
    }
}
