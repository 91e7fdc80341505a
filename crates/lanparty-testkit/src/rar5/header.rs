//! Byte encoding of RAR 5 blocks, with no IO: the writer asks for a block's bytes and writes them.
//!
//! Layout after rarlab's "RAR 5.0 archive format" note. Every block is
//!
//! ```text
//! header CRC32  u32   CRC32 of everything from "header size" to the end of the extra area
//! header size   vint  bytes from "header type" to the end of the extra area (at most 3 bytes)
//! header type   vint  1 main, 2 file, 5 end of archive
//! header flags  vint  HFL_* below
//! extra size    vint  only with HFL_EXTRA
//! data size     vint  only with HFL_DATA
//! ...           type-specific fields, then the extra area; the data area follows the header
//! ```
//!
//! Field choices copy what RAR itself writes (checked against the WinRAR-made archives in
//! shared/fixtures/rar): main and end headers carry HFL_SKIP_IF_UNKNOWN, file headers always
//! carry HFL_DATA (a directory's data size is 0), Unix attributes include the file type bits.
//! One difference: RAR pre-allocates two bytes for small sizes and the compression information
//! (`86 00` for 6, `80 00` for 0), this encoder writes minimal vints; both decode the same.

/// The 8 bytes every RAR 5 archive (and every volume) starts with.
pub(crate) const SIGNATURE: [u8; 8] = *b"Rar!\x1a\x07\x01\x00";

/// The header size field may take at most 3 vint bytes, so a header is below 2 MiB.
pub(crate) const MAX_HEADER_SIZE: u64 = (1 << 21) - 1;

const HEAD_MAIN: u64 = 1;
const HEAD_FILE: u64 = 2;
const HEAD_END: u64 = 5;

const HFL_EXTRA: u64 = 0x0001;
const HFL_DATA: u64 = 0x0002;
const HFL_SKIP_IF_UNKNOWN: u64 = 0x0004;
const HFL_SPLIT_BEFORE: u64 = 0x0008;
const HFL_SPLIT_AFTER: u64 = 0x0010;

const MHFL_VOLUME: u64 = 0x0001;
const MHFL_VOLUME_NUMBER: u64 = 0x0002;

const FHFL_DIRECTORY: u64 = 0x0001;
const FHFL_CRC32: u64 = 0x0004;

/// End of archive flag: this volume is not the last one.
const EHFL_NEXT_VOLUME: u64 = 0x0001;

/// Extra record type of the high precision file time record.
const FHEXTRA_HTIME: u64 = 3;
const HTIME_UNIX: u64 = 0x0001;
const HTIME_MTIME: u64 = 0x0002;
const HTIME_UNIX_NS: u64 = 0x0010;

/// Compression information of a stored file: algorithm version 0 (RAR 5.0), not solid,
/// method 0 (store), dictionary bits 0 (128 KiB, unused when storing).
const COMPRESSION_STORE: u64 = 0;

/// Host OS field of a file header: which rules the name and attributes follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOs {
    /// Windows attributes (`FILE_ATTRIBUTE_*`); a backslash in a name is invalid.
    Windows,
    /// Unix `st_mode` including the file type bits; a backslash is part of a name.
    Unix,
}

impl HostOs {
    fn code(self) -> u64 {
        match self {
            HostOs::Windows => 0,
            HostOs::Unix => 1,
        }
    }
}

/// A modification time as stored in the high precision time extra record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileTime {
    /// Seconds and nanoseconds since 1970 (RAR on Unix writes this).
    Unix { secs: u32, nanos: u32 },
    /// Windows FILETIME: 100 ns ticks since 1601 (RAR on Windows writes this).
    Windows(u64),
}

/// Everything one file header (one part of a file, for split files) says.
#[derive(Debug, Clone)]
pub(crate) struct FileHeader<'a> {
    pub name: &'a [u8],
    pub is_dir: bool,
    /// Size of the whole file after extraction (the same in every part).
    pub unpacked_size: u64,
    /// Size of the data area that follows this header.
    pub data_size: u64,
    /// CRC32 of the whole file, or for a part that continues in the next volume, of that part.
    pub crc32: u32,
    pub attributes: u64,
    pub host_os: HostOs,
    pub mtime: Option<FileTime>,
    pub is_split_before: bool,
    pub is_split_after: bool,
}

/// A header would be larger than RAR's 2 MiB limit (only a huge name can cause it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderTooLarge {
    pub size: u64,
}

/// Appends `value` as a vint: 7 bits per byte, least significant first, high bit = more follow.
pub(crate) fn put_vint(buf: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        // Truncation keeps the low 7 bits, which is the point.
        buf.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    buf.push(value as u8);
}

/// Assembles a complete block: CRC, size, type, flags, optional sizes, `body`, `extra`.
fn block(
    header_type: u64,
    flags: u64,
    data_size: Option<u64>,
    body: &[u8],
    extra: &[u8],
) -> Result<Vec<u8>, HeaderTooLarge> {
    let mut fields = Vec::with_capacity(body.len() + extra.len() + 24);
    put_vint(&mut fields, header_type);
    let mut flags = flags;
    if !extra.is_empty() {
        flags |= HFL_EXTRA;
    }
    if data_size.is_some() {
        flags |= HFL_DATA;
    }
    put_vint(&mut fields, flags);
    if !extra.is_empty() {
        put_vint(&mut fields, extra.len() as u64);
    }
    if let Some(size) = data_size {
        put_vint(&mut fields, size);
    }
    fields.extend_from_slice(body);
    fields.extend_from_slice(extra);

    let size = fields.len() as u64;
    if size > MAX_HEADER_SIZE {
        return Err(HeaderTooLarge { size });
    }
    let mut out = Vec::with_capacity(fields.len() + 8);
    out.extend_from_slice(&[0; 4]);
    put_vint(&mut out, size);
    out.extend_from_slice(&fields);
    let crc = crc32fast::hash(&out[4..]);
    out[..4].copy_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// The main archive header. `volume` is the 0-based volume number in a multi-volume set.
pub(crate) fn main_header(volume: Option<u32>) -> Vec<u8> {
    let mut body = Vec::new();
    match volume {
        None => put_vint(&mut body, 0),
        // The first volume has no volume number field.
        Some(0) => put_vint(&mut body, MHFL_VOLUME),
        Some(number) => {
            put_vint(&mut body, MHFL_VOLUME | MHFL_VOLUME_NUMBER);
            put_vint(&mut body, u64::from(number));
        }
    }
    // A handful of bytes can never reach the size limit.
    block(HEAD_MAIN, HFL_SKIP_IF_UNKNOWN, None, &body, &[]).expect("main header is tiny")
}

/// The end of archive header; `has_next_volume` for every volume of a set but the last.
pub(crate) fn end_header(has_next_volume: bool) -> Vec<u8> {
    let mut body = Vec::new();
    put_vint(&mut body, if has_next_volume { EHFL_NEXT_VOLUME } else { 0 });
    // A handful of bytes can never reach the size limit.
    block(HEAD_END, HFL_SKIP_IF_UNKNOWN, None, &body, &[]).expect("end header is tiny")
}

/// Length of every end of archive header this module writes (both flag values fit one byte).
pub(crate) const END_HEADER_LEN: u64 = 8;

/// A file (or directory) header; the data area of `data_size` bytes must follow it.
pub(crate) fn file_header(h: &FileHeader<'_>) -> Result<Vec<u8>, HeaderTooLarge> {
    let mut body = Vec::with_capacity(h.name.len() + 32);
    let mut file_flags = FHFL_CRC32;
    if h.is_dir {
        file_flags |= FHFL_DIRECTORY;
    }
    put_vint(&mut body, file_flags);
    put_vint(&mut body, h.unpacked_size);
    put_vint(&mut body, h.attributes);
    body.extend_from_slice(&h.crc32.to_le_bytes());
    put_vint(&mut body, COMPRESSION_STORE);
    put_vint(&mut body, h.host_os.code());
    put_vint(&mut body, h.name.len() as u64);
    body.extend_from_slice(h.name);

    let mut extra = Vec::new();
    if let Some(mtime) = h.mtime {
        let mut record = Vec::with_capacity(16);
        put_vint(&mut record, FHEXTRA_HTIME);
        match mtime {
            FileTime::Unix { secs, nanos } => {
                put_vint(&mut record, HTIME_UNIX | HTIME_MTIME | HTIME_UNIX_NS);
                record.extend_from_slice(&secs.to_le_bytes());
                // With HTIME_UNIX_NS the nanoseconds follow all the time fields.
                record.extend_from_slice(&nanos.to_le_bytes());
            }
            FileTime::Windows(ticks) => {
                put_vint(&mut record, HTIME_MTIME);
                record.extend_from_slice(&ticks.to_le_bytes());
            }
        }
        // A record's size counts the bytes from its type field to its end.
        put_vint(&mut extra, record.len() as u64);
        extra.extend_from_slice(&record);
    }

    let mut flags = 0;
    if h.is_split_before {
        flags |= HFL_SPLIT_BEFORE;
    }
    if h.is_split_after {
        flags |= HFL_SPLIT_AFTER;
    }
    block(HEAD_FILE, flags, Some(h.data_size), &body, &extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vint(value: u64) -> Vec<u8> {
        let mut buf = Vec::new();
        put_vint(&mut buf, value);
        buf
    }

    #[test]
    fn vint_known_values() {
        // Each length boundary, plus values seen in WinRAR-made archives.
        let table: &[(u64, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x01]),
            (0x7f, &[0x7f]),
            (0x80, &[0x80, 0x01]),
            (0x3fff, &[0xff, 0x7f]),
            (0x4000, &[0x80, 0x80, 0x01]),
            // 0o100644, a regular file's mode, as in rar5-subdirs.rar.
            (0o100644, &[0xa4, 0x83, 0x02]),
            // The unpacked size of bigfile.txt in rar5-vols.part1.rar.
            (205_000, &[0xc8, 0xc1, 0x0c]),
            (MAX_HEADER_SIZE, &[0xff, 0xff, 0x7f]),
            (u64::from(u32::MAX), &[0xff, 0xff, 0xff, 0xff, 0x0f]),
            (u64::MAX, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        ];
        for &(value, bytes) in table {
            assert_eq!(vint(value), bytes, "vint({value:#x})");
        }
    }

    #[test]
    fn end_header_matches_winrar() {
        // The last 8 bytes of rar5-subdirs.rar and rar5-vols.part3.rar.
        assert_eq!(end_header(false), [0x1d, 0x77, 0x56, 0x51, 0x03, 0x05, 0x04, 0x00]);
        let next = end_header(true);
        assert_eq!(next[4..], [0x03, 0x05, 0x04, 0x01]);
        assert_eq!(next[..4], crc32fast::hash(&next[4..]).to_le_bytes());
        assert_eq!(next.len() as u64, END_HEADER_LEN);
    }

    #[test]
    fn main_header_layout() {
        // CRC, size 3, type 1, flags SKIP_IF_UNKNOWN, archive flags.
        let single = main_header(None);
        assert_eq!(single[4..], [0x03, 0x01, 0x04, 0x00]);
        assert_eq!(single[..4], crc32fast::hash(&single[4..]).to_le_bytes());
        assert_eq!(main_header(Some(0))[4..], [0x03, 0x01, 0x04, 0x01]);
        // Later volumes carry their 0-based number, as rar5-vols.part2.rar does (number 1).
        assert_eq!(main_header(Some(1))[4..], [0x04, 0x01, 0x04, 0x03, 0x01]);
        assert_eq!(main_header(Some(200))[4..], [0x05, 0x01, 0x04, 0x03, 0xc8, 0x01]);
    }

    #[test]
    fn header_crc_covers_size_and_fields() {
        // The CRC32 of "123456789" is the standard IEEE check value.
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
        let header = file_header(&FileHeader {
            name: b"a",
            is_dir: false,
            unpacked_size: 1,
            data_size: 1,
            crc32: 0xe8b7_be43, // CRC32 of "a"
            attributes: 0o100644,
            host_os: HostOs::Unix,
            mtime: None,
            is_split_before: false,
            is_split_after: false,
        })
        .unwrap();
        #[rustfmt::skip]
        let fields = [
            0x10,                   // header size: 16 bytes follow
            0x02,                   // type: file
            0x02,                   // flags: data area present
            0x01,                   // data size
            0x04,                   // file flags: CRC32 present
            0x01,                   // unpacked size
            0xa4, 0x83, 0x02,       // attributes 0o100644
            0x43, 0xbe, 0xb7, 0xe8, // data CRC32
            0x00,                   // compression: store
            0x01,                   // host OS: Unix
            0x01, b'a',             // name
        ];
        assert_eq!(header[4..], fields);
        assert_eq!(header[..4], crc32fast::hash(&fields).to_le_bytes());
    }

    #[test]
    fn file_header_matches_winrar_layout() {
        // The first file header of rar5-subdirs.rar (made by RAR on Linux), field by field.
        let header = file_header(&FileHeader {
            name: b"sub/dir2/file2.txt",
            is_dir: false,
            unpacked_size: 6,
            data_size: 6,
            crc32: 0xc904_a4c7,
            attributes: 0o100644,
            host_os: HostOs::Unix,
            mtime: Some(FileTime::Unix { secs: 0x5f15_dc08, nanos: 319_218_821 }),
            is_split_before: false,
            is_split_after: false,
        })
        .unwrap();
        #[rustfmt::skip]
        let winrar: &[u8] = &[
            0x5b, 0x2a, 0xf1, 0xb2, // header CRC32
            0x30,                   // header size 48
            0x02, 0x03, 0x0b,       // type file, flags extra + data, extra size 11
            0x86, 0x00,             // data size 6, padded to two bytes
            0x04,                   // file flags: CRC32 present
            0x86, 0x00,             // unpacked size 6, padded
            0xa4, 0x83, 0x02,       // attributes 0o100644
            0xc7, 0xa4, 0x04, 0xc9, // data CRC32
            0x80, 0x00,             // compression information 0 (store), padded
            0x01, 0x12,             // host OS Unix, name length 18
            b's', b'u', b'b', b'/', b'd', b'i', b'r', b'2', b'/',
            b'f', b'i', b'l', b'e', b'2', b'.', b't', b'x', b't',
            0x0a, 0x03, 0x13,       // time record: size 10, type 3, flags Unix + mtime + ns
            0x08, 0xdc, 0x15, 0x5f, // mtime seconds
            0x85, 0xe4, 0x06, 0x13, // mtime nanoseconds
        ];
        // RAR pre-allocates two bytes for three of the vints; this encoder writes them minimal.
        let mut expected = winrar.to_vec();
        expected.splice(20..22, [0x00]);
        expected.splice(11..13, [0x06]);
        expected.splice(8..10, [0x06]);
        assert_eq!(header[4], 0x30 - 3, "header size");
        assert_eq!(header[5..], expected[5..]);
    }

    #[test]
    fn windows_time_and_split_flags() {
        let header = file_header(&FileHeader {
            name: b"d",
            is_dir: true,
            unpacked_size: 0,
            data_size: 0,
            crc32: 0,
            attributes: 0x10,
            host_os: HostOs::Windows,
            mtime: Some(FileTime::Windows(0x0102_0304_0506_0708)),
            is_split_before: true,
            is_split_after: true,
        })
        .unwrap();
        #[rustfmt::skip]
        let fields = [
            0x1a,                   // header size
            0x02,                   // type: file
            0x1b,                   // flags: extra, data, split before, split after
            0x0b,                   // extra area size
            0x00,                   // data size
            0x05,                   // file flags: directory, CRC32 present
            0x00,                   // unpacked size
            0x10,                   // attributes: FILE_ATTRIBUTE_DIRECTORY
            0x00, 0x00, 0x00, 0x00, // CRC32
            0x00,                   // compression: store
            0x00,                   // host OS: Windows
            0x01, b'd',             // name
            0x0a, 0x03, 0x02,       // record size 10, type file time, flags: mtime as FILETIME
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
        ];
        assert_eq!(header[4..], fields);
    }

    #[test]
    fn header_size_limit() {
        let name = vec![b'x'; MAX_HEADER_SIZE as usize];
        let h = FileHeader {
            name: &name,
            is_dir: false,
            unpacked_size: 0,
            data_size: 0,
            crc32: 0,
            attributes: 0,
            host_os: HostOs::Unix,
            mtime: None,
            is_split_before: false,
            is_split_after: false,
        };
        assert!(file_header(&h).is_err());
        let fitting = vec![b'x'; MAX_HEADER_SIZE as usize - 15];
        let header = file_header(&FileHeader { name: &fitting, ..h }).unwrap();
        assert_eq!(header.len() as u64, 4 + 3 + MAX_HEADER_SIZE);
    }
}
