//! The resume journal: which chunks of a download are verified, kept in the state dir.
//!
//! An append-only file. After a chunk is verified and written to the staging file, its global
//! index is appended (one `write`, no flush), so a process killed at any moment loses at most
//! the chunks whose records it had not written yet: those still in flight. Power loss is
//! different (the page cache goes too), so every few seconds the download flushes its files
//! and then appends a checkpoint saying how many of the records before it are durable. At
//! resume, records covered by the last checkpoint are trusted; later ones are checked again by
//! hashing the staged bytes.
//!
//! ```text
//! header      "LPJ1" ‖ manifest hash (32 bytes)
//! record      chunk index: u32 LE                       (never 0xFFFF_FFFF)
//! checkpoint  0xFFFF_FFFF ‖ durable records: u32 LE
//! ```
//!
//! A torn last record (a crash mid-write) is ignored. Decoding is pure and never panics.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::library::Hash;

const MAGIC: &[u8; 4] = b"LPJ1";
const HEADER_LEN: usize = 4 + 32;
const CHECKPOINT: u32 = u32::MAX;

/// What a journal says, decoded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Verified chunks whose bytes were flushed before a checkpoint.
    pub durable: Vec<u32>,
    /// Verified chunks recorded after the last checkpoint: to be checked again.
    pub unconfirmed: Vec<u32>,
}

/// Decodes a journal for the manifest `hash` with `chunks` chunks. A journal of another
/// manifest, or a damaged header, reads as empty; indexes out of range are dropped.
pub fn decode(bytes: &[u8], hash: &Hash, chunks: u32) -> Decoded {
    if bytes.len() < HEADER_LEN || &bytes[..4] != MAGIC || bytes[4..HEADER_LEN] != hash.0 {
        return Decoded::default();
    }
    let mut records: Vec<u32> = Vec::new();
    let mut durable = 0usize;
    let mut words = bytes[HEADER_LEN..].chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    while let Some(word) = words.next() {
        if word == CHECKPOINT {
            let Some(n) = words.next() else { break };
            durable = durable.max((n as usize).min(records.len()));
        } else if word < chunks {
            records.push(word);
        }
    }
    let unconfirmed = records.split_off(durable);
    Decoded { durable: records, unconfirmed }
}

/// An open journal, appended to as chunks are verified.
#[derive(Debug)]
pub struct Journal {
    file: File,
    records: u32,
}

impl Journal {
    /// Starts a journal at `path` holding exactly `verified` (all durable), replacing any old one
    /// atomically.
    pub fn create(path: &Path, hash: &Hash, verified: &[u32]) -> io::Result<Journal> {
        let mut bytes = Vec::with_capacity(HEADER_LEN + verified.len() * 4 + 8);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&hash.0);
        for index in verified {
            bytes.extend_from_slice(&index.to_le_bytes());
        }
        let records = verified.len() as u32;
        bytes.extend_from_slice(&CHECKPOINT.to_le_bytes());
        bytes.extend_from_slice(&records.to_le_bytes());
        crate::state::write_atomic(path, &bytes)?;
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Journal { file, records })
    }

    /// Reads the journal at `path`, if any.
    pub fn read(path: &Path, hash: &Hash, chunks: u32) -> io::Result<Decoded> {
        let mut bytes = Vec::new();
        match File::open(path) {
            // At most a record and a checkpoint per chunk, and a header: anything longer is not ours.
            Ok(f) => f.take(HEADER_LEN as u64 + 12 * (u64::from(chunks) + 16)).read_to_end(&mut bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Decoded::default()),
            Err(e) => return Err(e),
        };
        Ok(decode(&bytes, hash, chunks))
    }

    /// Records a verified chunk.
    pub fn append(&mut self, index: u32) -> io::Result<()> {
        self.file.write_all(&index.to_le_bytes())?;
        self.records += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records(&self) -> u32 {
        self.records
    }

    /// Says that the first `durable` records' bytes are on disk. Call only after flushing the
    /// staged files written before those records.
    pub fn checkpoint(&mut self, durable: u32) -> io::Result<()> {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&CHECKPOINT.to_le_bytes());
        bytes[4..].copy_from_slice(&durable.to_le_bytes());
        self.file.write_all(&bytes)
    }

    /// A handle for flushing the journal from another thread.
    pub fn try_clone_file(&self) -> io::Result<File> {
        self.file.try_clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(hash: &Hash) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&hash.0);
        b
    }

    fn words(b: &mut Vec<u8>, ws: &[u32]) {
        for w in ws {
            b.extend_from_slice(&w.to_le_bytes());
        }
    }

    #[test]
    fn records_after_the_last_checkpoint_are_unconfirmed() {
        let h = Hash::of(b"m");
        let mut b = header(&h);
        words(&mut b, &[3, 1, CHECKPOINT, 2, 7, 0, CHECKPOINT, 3, 9]);
        b.extend_from_slice(&[1, 2]); // a torn record
        let d = decode(&b, &h, 10);
        assert_eq!(d.durable, vec![3, 1, 7]);
        assert_eq!(d.unconfirmed, vec![0, 9]);
    }

    #[test]
    fn another_manifest_or_garbage_reads_as_empty_and_out_of_range_is_dropped() {
        let (h, other) = (Hash::of(b"m"), Hash::of(b"n"));
        let mut b = header(&other);
        words(&mut b, &[1, CHECKPOINT, 1]);
        assert_eq!(decode(&b, &h, 10), Decoded::default());
        assert_eq!(decode(b"LPJ1", &h, 10), Decoded::default());
        let mut b = header(&h);
        words(&mut b, &[1, 50, CHECKPOINT, 99]);
        assert_eq!(decode(&b, &h, 10), Decoded { durable: vec![1], unconfirmed: vec![] });
    }

    #[test]
    fn create_append_checkpoint_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("verified.log");
        let h = Hash::of(b"m");
        let mut j = Journal::create(&path, &h, &[4, 5]).unwrap();
        j.append(1).unwrap();
        j.append(2).unwrap();
        j.checkpoint(3).unwrap();
        j.append(0).unwrap();
        assert_eq!(j.records(), 5);
        let d = Journal::read(&path, &h, 6).unwrap();
        assert_eq!(d, Decoded { durable: vec![4, 5, 1], unconfirmed: vec![2, 0] });
        assert_eq!(Journal::read(&tmp.path().join("none"), &h, 6).unwrap(), Decoded::default());
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(tail in proptest::collection::vec(any::<u8>(), 0..256), chunks in 0u32..64) {
            let h = Hash::of(b"m");
            let mut b = header(&h);
            b.extend_from_slice(&tail);
            let d = decode(&b, &h, chunks);
            prop_assert!(d.durable.iter().chain(&d.unconfirmed).all(|&c| c < chunks));
            let _ = decode(&tail, &h, chunks);
        }
    }
}
