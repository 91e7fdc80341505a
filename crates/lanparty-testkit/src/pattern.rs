//! Deterministic pseudo-random test data: large, incompressible, and checkable without keeping
//! a copy, because any byte can be recomputed from the seed and its offset.

use std::io::{self, Read};

/// Streams `len` pattern bytes for `seed`; see [`fill`].
///
/// ```
/// use lanparty_testkit::pattern::{pattern, pattern_bytes};
/// use std::io::Read;
///
/// let mut streamed = Vec::new();
/// pattern(7, 1000).read_to_end(&mut streamed)?;
/// assert_eq!(streamed, pattern_bytes(7, 1000));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pattern {
    seed: u64,
    pos: u64,
    len: u64,
}

/// A reader of the first `len` bytes of the pattern for `seed`.
pub fn pattern(seed: u64, len: u64) -> Pattern {
    Pattern { seed, pos: 0, len }
}

/// The first `len` bytes of the pattern for `seed`, in memory.
pub fn pattern_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    fill(seed, 0, &mut buf);
    buf
}

/// Fills `buf` with the pattern bytes for `seed` starting at `offset`. Byte `i` of the pattern
/// is byte `i % 8` (little endian) of the SplitMix64 output for word `i / 8`.
pub fn fill(seed: u64, offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    let mut out = &mut buf[..];
    while !out.is_empty() {
        let word = word(seed, pos / 8).to_le_bytes();
        // `pos % 8` is below 8, so the cast is lossless.
        let start = (pos % 8) as usize;
        let n = (8 - start).min(out.len());
        out[..n].copy_from_slice(&word[start..start + n]);
        out = &mut out[n..];
        pos += n as u64;
    }
}

fn word(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len - self.pos;
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        fill(self.seed, self.pos, &mut buf[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_offset_matches_the_whole() {
        let whole = pattern_bytes(3, 100);
        for offset in [0, 1, 7, 8, 9, 63] {
            for len in [0, 1, 8, 17] {
                let mut part = vec![0; len];
                fill(3, offset as u64, &mut part);
                assert_eq!(part, whole[offset..offset + len], "offset {offset} len {len}");
            }
        }
    }

    #[test]
    fn seeds_differ_and_reader_stops() {
        assert_ne!(pattern_bytes(1, 64), pattern_bytes(2, 64));
        assert!(pattern_bytes(0, 8).iter().any(|&b| b != 0));
        let mut buf = Vec::new();
        pattern(1, 5).read_to_end(&mut buf).unwrap();
        assert_eq!(buf, pattern_bytes(1, 5));
    }
}
