//! Whether an archive file reaches its end-of-archive header: a bounded walk over the block
//! headers (never the data), in safe code.
//!
//! UnRAR treats the end of the file as the end of the archive, so an archive cut exactly between
//! two entries lists and extracts "successfully", without the entries after the cut. RAR 5
//! always writes an end-of-archive header (in every volume), so its absence means the file was
//! cut. RAR 1.5–4 archives made by RAR 2.x (and by later versions with `-en`) have none, so
//! there the walk cannot tell a cut from an old archive; `plan` applies it to RAR 5 only.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

const RAR5_SIGNATURE: &[u8; 8] = b"Rar!\x1a\x07\x01\x00";
/// RAR 5 headers are at most 2 MB (format note); a larger size means damage.
const RAR5_MAX_HEADER_BYTES: u64 = 2 * 1024 * 1024;
const RAR5_HEAD_ENCRYPTION: u64 = 4;
const RAR5_HEAD_END: u64 = 5;
const RAR5_FLAG_EXTRA: u64 = 0x1;
const RAR5_FLAG_DATA: u64 = 0x2;

/// What the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndMark {
    /// The end-of-archive header is there.
    Found,
    /// The blocks run out (or break) before it.
    Missing,
    /// Not a plain RAR 5 file (older format, self-extracting, or encrypted headers).
    NotChecked,
}

/// Walks the blocks of the RAR 5 file at `path`.
pub fn rar5_end_mark(path: &Path) -> io::Result<EndMark> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    walk_rar5(BufReader::new(file), len)
}

fn walk_rar5<R: Read + Seek>(mut r: R, len: u64) -> io::Result<EndMark> {
    let mut signature = [0u8; 8];
    if r.read_exact(&mut signature).is_err() || &signature != RAR5_SIGNATURE {
        return Ok(EndMark::NotChecked);
    }
    let mut pos: u64 = 8;
    // Every block moves `pos` forward by at least 5 bytes, so this ends.
    while pos < len {
        r.seek(SeekFrom::Start(pos))?;
        let Some(block) = read_block_head(&mut r)? else { return Ok(EndMark::Missing) };
        match block.kind {
            RAR5_HEAD_END => return Ok(EndMark::Found),
            RAR5_HEAD_ENCRYPTION => return Ok(EndMark::NotChecked),
            _ => {}
        }
        let next = pos.checked_add(4 + block.size_len + block.header_size).and_then(|p| p.checked_add(block.data_size));
        match next {
            Some(next) if next <= len => pos = next,
            _ => return Ok(EndMark::Missing),
        }
    }
    Ok(EndMark::Missing)
}

struct BlockHead {
    kind: u64,
    header_size: u64,
    size_len: u64,
    data_size: u64,
}

/// Reads CRC, header size, type, flags and data size; `None` when the bytes are not a block.
fn read_block_head<R: Read>(r: &mut R) -> io::Result<Option<BlockHead>> {
    let mut crc = [0u8; 4];
    if r.read_exact(&mut crc).is_err() {
        return Ok(None);
    }
    let Some((header_size, size_len)) = vint(r) else { return Ok(None) };
    if header_size == 0 || header_size > RAR5_MAX_HEADER_BYTES {
        return Ok(None);
    }
    let mut header = Vec::new();
    r.take(header_size).read_to_end(&mut header)?;
    if header.len() as u64 != header_size {
        return Ok(None);
    }
    let mut h = header.as_slice();
    let (Some((kind, _)), Some((flags, _))) = (vint(&mut h), vint(&mut h)) else { return Ok(None) };
    if flags & RAR5_FLAG_EXTRA != 0 && vint(&mut h).is_none() {
        return Ok(None);
    }
    let data_size = if flags & RAR5_FLAG_DATA != 0 {
        match vint(&mut h) {
            Some((d, _)) => d,
            None => return Ok(None),
        }
    } else {
        0
    };
    Ok(Some(BlockHead { kind, header_size, size_len, data_size }))
}

/// A RAR 5 variable-length integer (7 bits a byte, at most 10 bytes) and its length.
fn vint<R: Read>(r: &mut R) -> Option<(u64, u64)> {
    let mut value = 0u64;
    for i in 0..10u64 {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).ok()?;
        value |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A block: CRC (not checked here), size, then type and flags (one byte each) and data size.
    fn block(kind: u8, data: &[u8]) -> Vec<u8> {
        let mut header = vec![kind, if data.is_empty() { 0 } else { 2 }];
        if !data.is_empty() {
            header.push(data.len() as u8);
        }
        let mut out = vec![0, 0, 0, 0, header.len() as u8];
        out.extend(header);
        out.extend(data);
        out
    }

    fn walk(bytes: &[u8]) -> EndMark {
        walk_rar5(Cursor::new(bytes), bytes.len() as u64).expect("in memory")
    }

    #[test]
    fn finds_the_end_or_its_absence() {
        let mut archive = RAR5_SIGNATURE.to_vec();
        archive.extend(block(1, &[]));
        archive.extend(block(2, b"file data"));
        let cut = archive.clone();
        archive.extend(block(5, &[]));
        assert_eq!(walk(&archive), EndMark::Found);
        assert_eq!(walk(&cut), EndMark::Missing);
        assert_eq!(walk(&cut[..cut.len() - 3]), EndMark::Missing, "cut inside data");
        assert_eq!(walk(&archive[..archive.len() - 1]), EndMark::Missing, "cut inside the end header");
        assert_eq!(walk(b"MZ\x90\x00 not rar"), EndMark::NotChecked);
        let mut encrypted = RAR5_SIGNATURE.to_vec();
        encrypted.extend(block(4, &[]));
        assert_eq!(walk(&encrypted), EndMark::NotChecked);
    }
}
