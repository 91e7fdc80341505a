//! Helpers for the integration tests: an independent RAR 5 header parser, written from the
//! format note and checked against WinRAR-made fixtures, and wrappers around rarlab's UnRAR
//! (the `unrar` crate; `volumes` for multi-volume sets) for listing and extracting.

#![allow(dead_code)]

pub mod volumes;

use std::fs;
use std::path::{Path, PathBuf};

pub const SIGNATURE: &[u8] = b"Rar!\x1a\x07\x01\x00";

/// A WinRAR-made archive in `fixtures/rar`.
pub fn fixture(name: &str) -> PathBuf {
    let path = lanparty_testkit::rar_fixtures().join(name);
    assert!(path.is_file(), "fixture {} is missing", path.display());
    path
}

/// One parsed block. Header CRCs are verified while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Main {
        flags: u64,
        archive_flags: u64,
        volume_number: Option<u64>,
        extra: Vec<u8>,
    },
    File(FileBlock),
    /// A service header (quick open data, recovery record): the file header's layout.
    Service(FileBlock),
    End {
        flags: u64,
        end_flags: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBlock {
    /// Header flags (HFL_*), including split before (0x08) and after (0x10).
    pub flags: u64,
    pub file_flags: u64,
    pub unpacked_size: u64,
    pub attributes: u64,
    pub unix_mtime: Option<u32>,
    pub crc32: Option<u32>,
    pub compression: u64,
    pub host_os: u64,
    pub name: Vec<u8>,
    /// (record type, record data after the type) for each extra record.
    pub extra_records: Vec<(u64, Vec<u8>)>,
    pub data: Vec<u8>,
}

impl FileBlock {
    pub fn is_dir(&self) -> bool {
        self.file_flags & 0x01 != 0
    }
    pub fn is_split_before(&self) -> bool {
        self.flags & 0x08 != 0
    }
    pub fn is_split_after(&self) -> bool {
        self.flags & 0x10 != 0
    }
    pub fn name(&self) -> String {
        String::from_utf8(self.name.clone()).unwrap()
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn vint(&mut self) -> u64 {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = self.bytes[self.pos];
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
        }
        panic!("vint longer than 10 bytes at {}", self.pos);
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        slice
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().unwrap())
    }
}

/// Parses every block of one archive or volume, up to and including the end header.
pub fn parse(bytes: &[u8]) -> Vec<Block> {
    assert_eq!(&bytes[..8], SIGNATURE, "RAR 5 signature");
    let mut cur = Cursor { bytes, pos: 8 };
    let mut blocks = Vec::new();
    loop {
        let start = cur.pos;
        let crc = cur.u32();
        let size_at = cur.pos;
        let size = cur.vint() as usize;
        assert!(cur.pos - size_at <= 3, "header size vint longer than 3 bytes");
        let header_end = cur.pos + size;
        assert_eq!(crc, crc32fast::hash(&bytes[size_at..header_end]), "header CRC of block at {start}");
        let header_type = cur.vint();
        let flags = cur.vint();
        let extra_size = if flags & 0x01 != 0 { cur.vint() as usize } else { 0 };
        let data_size = if flags & 0x02 != 0 { cur.vint() as usize } else { 0 };
        let extra_at = header_end - extra_size;
        let block = match header_type {
            1 => {
                let archive_flags = cur.vint();
                let volume_number = (archive_flags & 0x02 != 0).then(|| cur.vint());
                Block::Main { flags, archive_flags, volume_number, extra: bytes[extra_at..header_end].to_vec() }
            }
            2 | 3 => {
                let file_flags = cur.vint();
                let unpacked_size = cur.vint();
                let attributes = cur.vint();
                let unix_mtime = (file_flags & 0x02 != 0).then(|| cur.u32());
                let crc32 = (file_flags & 0x04 != 0).then(|| cur.u32());
                let compression = cur.vint();
                let host_os = cur.vint();
                let name_len = cur.vint() as usize;
                let name = cur.take(name_len).to_vec();
                assert_eq!(cur.pos, extra_at, "file header fields end where the extra area starts");
                let mut records = Cursor { bytes: &bytes[extra_at..header_end], pos: 0 };
                let mut extra_records = Vec::new();
                while records.pos < extra_size {
                    let record_size = records.vint() as usize;
                    let record_end = records.pos + record_size;
                    let record_type = records.vint();
                    let data = records.take(record_end - records.pos).to_vec();
                    extra_records.push((record_type, data));
                }
                let data = bytes[header_end..header_end + data_size].to_vec();
                let kind = if header_type == 2 { Block::File } else { Block::Service };
                kind(FileBlock {
                    flags,
                    file_flags,
                    unpacked_size,
                    attributes,
                    unix_mtime,
                    crc32,
                    compression,
                    host_os,
                    name,
                    extra_records,
                    data,
                })
            }
            5 => Block::End { flags, end_flags: cur.vint() },
            other => panic!("unexpected block type {other} at {start}"),
        };
        cur.pos = header_end + data_size;
        let is_end = matches!(block, Block::End { .. });
        blocks.push(block);
        if is_end {
            return blocks;
        }
    }
}

pub fn parse_file(path: &Path) -> Vec<Block> {
    parse(&fs::read(path).unwrap())
}

pub fn files(blocks: &[Block]) -> Vec<&FileBlock> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::File(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// What UnRAR lists for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub size: u64,
    pub is_dir: bool,
    pub crc32: u32,
    pub attributes: u32,
    /// UnRAR's method number: 0x30 is store.
    pub method: u32,
}

/// Lists the archive (the first volume of a set) with UnRAR.
pub fn unrar_list(path: &Path) -> Vec<Listed> {
    unrar::Archive::new(path)
        .open_for_listing()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            Listed {
                name: entry.filename.to_str().unwrap().to_owned(),
                size: entry.unpacked_size,
                is_dir: entry.is_directory(),
                crc32: entry.file_crc,
                attributes: entry.file_attr,
                method: entry.method,
            }
        })
        .collect()
}

/// Extracts every entry with UnRAR into `dest`, which UnRAR's CRC check guards.
/// Only for archives whose names are safe: the `unrar` crate joins names onto `dest` itself.
pub fn unrar_extract(path: &Path, dest: &Path) {
    let mut archive = unrar::Archive::new(path).open_for_processing().unwrap();
    while let Some(header) = archive.read_header().unwrap() {
        archive = header.extract_with_base(dest).unwrap();
    }
}

/// Tests every entry with UnRAR (reads and checks CRCs without writing); the first error.
pub fn unrar_test(path: &Path) -> Result<(), unrar::error::UnrarError> {
    let mut archive = unrar::Archive::new(path).open_for_processing()?;
    while let Some(header) = archive.read_header()? {
        archive = header.test()?;
    }
    Ok(())
}

/// Every path under `root` (relative, `/`-separated, sorted), directories with a trailing `/`.
pub fn tree(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
            if entry.file_type().unwrap().is_dir() {
                out.push(format!("{name}/"));
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}
