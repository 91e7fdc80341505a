//! The hash cache: chunk and file hashes of files already hashed, keyed by (path, size,
//! modification time), so a rescan of an unchanged library reads no file contents.
//!
//! It lives in the state directory as JSON and is replaced atomically. A cache that cannot be
//! read (missing, corrupt, another chunk size) is treated as empty: the cost is one rehash.

use std::collections::HashMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::manifest::{CHUNK_SIZE, Hash};
use crate::state;

const CACHE_FORMAT: u32 = 1;

/// What identifies an unchanged file: its size and modification time in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        let mtime_ns = meta.modified().map_or(0, |t| match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
        });
        Stamp { size: meta.len(), mtime_ns }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    #[serde(flatten)]
    pub stamp: Stamp,
    pub hash: Hash,
    /// Chunk hashes, concatenated as hex to keep the file compact.
    #[serde(with = "hex_hashes")]
    pub chunks: Vec<Hash>,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    chunk_size: u64,
    entries: HashMap<String, CacheEntry>,
}

/// Hashes of files by their path under the games folder (`<game>/<relative path>`).
#[derive(Debug, Default)]
pub struct HashCache {
    entries: HashMap<String, CacheEntry>,
    is_dirty: bool,
}

impl HashCache {
    /// Loads the cache, or an empty one if the file is missing or unusable.
    pub fn load(path: &Path) -> HashCache {
        let Ok(bytes) = std::fs::read(path) else { return HashCache::default() };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file) if file.format == CACHE_FORMAT && file.chunk_size == CHUNK_SIZE => {
                HashCache { entries: file.entries, is_dirty: false }
            }
            Ok(_) => HashCache::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "hash cache unreadable; files will be rehashed");
                HashCache::default()
            }
        }
    }

    /// Writes the cache if it changed since it was loaded or last saved.
    pub fn save_if_dirty(&mut self, path: &Path) -> std::io::Result<()> {
        if !self.is_dirty {
            return Ok(());
        }
        let file =
            CacheFile { format: CACHE_FORMAT, chunk_size: CHUNK_SIZE, entries: std::mem::take(&mut self.entries) };
        let result =
            serde_json::to_vec(&file).map_err(std::io::Error::other).and_then(|b| state::write_atomic(path, &b));
        self.entries = file.entries;
        if result.is_ok() {
            self.is_dirty = false;
        }
        result
    }

    pub fn get(&self, key: &str, stamp: Stamp) -> Option<&CacheEntry> {
        self.entries.get(key).filter(|e| e.stamp == stamp)
    }

    pub fn insert(&mut self, key: String, entry: CacheEntry) {
        if self.entries.get(&key) != Some(&entry) {
            self.entries.insert(key, entry);
            self.is_dirty = true;
        }
    }

    /// Drops entries whose key fails `keep` (files gone since).
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|k, _| keep(k));
        self.is_dirty |= self.entries.len() != before;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

mod hex_hashes {
    use super::Hash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(hashes.len() * 64);
        for h in hashes {
            out.push_str(&h.to_hex());
        }
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let s = String::deserialize(d)?;
        // ASCII first: slicing at multiples of 64 must land on character boundaries.
        if !s.is_ascii() || s.len() % 64 != 0 {
            return Err(serde::de::Error::custom("chunk hash list is not a multiple of 64 hex digits"));
        }
        (0..s.len())
            .step_by(64)
            .map(|i| Hash::from_hex(&s[i..i + 64]).ok_or_else(|| serde::de::Error::custom("bad hex")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_only_matches_same_stamp() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.json");
        let mut cache = HashCache::load(&path);
        assert!(cache.is_empty());
        let stamp = Stamp { size: 3, mtime_ns: 42 };
        let entry = CacheEntry { stamp, hash: Hash::of(b"f"), chunks: vec![Hash::of(b"a"), Hash::of(b"b")] };
        cache.insert("g/a".into(), entry.clone());
        cache.save_if_dirty(&path).unwrap();
        let loaded = HashCache::load(&path);
        assert_eq!(loaded.get("g/a", stamp), Some(&entry));
        assert_eq!(loaded.get("g/a", Stamp { size: 3, mtime_ns: 43 }), None);
    }

    #[test]
    fn corrupt_cache_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(HashCache::load(&path).is_empty());
    }
}
