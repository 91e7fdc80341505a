//! The writer's output against archives made by RAR itself (fixtures/rar): the same
//! entries re-packed by the testkit must give the same headers, field by field, apart from
//! the vint padding and the optional locator record RAR adds.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::collections::HashMap;
use std::io::Cursor;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Block, FileBlock, files, fixture, parse, parse_file};
use lanparty_testkit::rar5::{Entry, VolumeWriter, Writer};

/// Header flag: the block has an extra area.
const HFL_EXTRA: u64 = 0x01;

/// The modification time in a Unix + nanoseconds time record (flags 0x13).
fn unix_ns_mtime(file: &FileBlock) -> SystemTime {
    let (kind, record) = &file.extra_records[0];
    assert_eq!((*kind, record[0]), (3, 0x13), "time record of {}", file.name());
    let secs = u32::from_le_bytes(record[1..5].try_into().unwrap());
    let nanos = u32::from_le_bytes(record[5..9].try_into().unwrap());
    UNIX_EPOCH + Duration::new(u64::from(secs), nanos)
}

/// The entry that re-creates `file`'s header (for unsplit files).
fn entry_like(file: &FileBlock, name: &str) -> Entry {
    let entry = if file.is_dir() { Entry::dir(name) } else { Entry::file(name, file.data.len() as u64) };
    let entry = entry.unix_mode(u32::try_from(file.attributes).unwrap());
    if file.extra_records.is_empty() { entry } else { entry.mtime(unix_ns_mtime(file)) }
}

#[test]
fn repacked_subdirs_archive_has_winrar_headers() {
    let winrar = parse_file(&fixture("rar5-subdirs.rar"));
    let winrar_files = files(&winrar);
    assert_eq!(winrar_files.len(), 10);
    assert!(winrar_files.iter().any(|f| f.is_dir()));
    assert!(winrar_files.iter().any(|f| f.name().contains('ü')));

    let mut writer = Writer::new(Cursor::new(Vec::new())).unwrap();
    for file in &winrar_files {
        writer.add(&entry_like(file, &file.name()), file.data.as_slice()).unwrap();
    }
    let ours = parse(&writer.finish().unwrap().into_inner());

    assert_eq!(ours.len(), winrar.len());
    match (&winrar[0], &ours[0]) {
        (
            Block::Main { flags: theirs, archive_flags: 0, volume_number: None, extra },
            Block::Main { flags: mine, archive_flags: 0, volume_number: None, .. },
        ) => {
            // RAR adds a quick open locator record; the rest of the flags agree.
            assert!(!extra.is_empty());
            assert_eq!(theirs & !HFL_EXTRA, *mine);
        }
        other => panic!("main headers differ: {other:?}"),
    }
    for (theirs, mine) in winrar[1..].iter().zip(&ours[1..]) {
        // File headers agree in every field (the parser undoes RAR's vint padding), and so do
        // the end of archive headers.
        assert_eq!(mine, theirs);
    }
}

#[test]
fn winrar_volumes_split_files_as_the_writer_does() {
    const VOLUME_SIZE: u64 = 102_400;
    let winrar: Vec<Vec<Block>> = (1..=3).map(|n| parse_file(&fixture(&format!("rar5-vols.part{n}.rar")))).collect();

    // How RAR marks volumes: flags, numbers, end headers.
    for (i, volume) in winrar.iter().enumerate() {
        let Block::Main { archive_flags, volume_number, .. } = &volume[0] else { panic!("main header first") };
        // 0x08: RAR also records a recovery record here; the writer adds none.
        let expected = if i == 0 { (0x09, None) } else { (0x0b, Some(i as u64)) };
        assert_eq!((*archive_flags, *volume_number), expected, "volume {}", i + 1);
        let Some(Block::End { end_flags, .. }) = volume.last() else { panic!("end header last") };
        assert_eq!(*end_flags, u64::from(i < 2), "volume {}", i + 1);
    }

    // How RAR checksums split files: each part but the last carries the CRC32 of its own
    // bytes, the last part the CRC32 of the whole file.
    let mut whole: HashMap<String, Vec<u8>> = HashMap::new();
    let mut first_parts: Vec<FileBlock> = Vec::new();
    let mut layout_theirs = Vec::new();
    for (i, volume) in winrar.iter().enumerate() {
        for part in files(volume) {
            let data = whole.entry(part.name()).or_default();
            data.extend_from_slice(&part.data);
            if part.is_split_after() {
                assert_eq!(part.crc32, Some(crc32fast::hash(&part.data)), "part of {}", part.name());
            } else {
                assert_eq!(part.crc32, Some(crc32fast::hash(data)), "last part of {}", part.name());
            }
            if !part.is_split_before() {
                first_parts.push(part.clone());
            }
            layout_theirs.push((i, part.name(), part.is_split_before(), part.is_split_after()));
        }
    }
    assert!(layout_theirs.iter().any(|&(_, _, before, after)| before && after), "a middle part");

    // The same files through the writer, with RAR's volume size: the same parts in the same
    // volumes, and per part the same header fields but the data size and part CRC.
    let mut writer = VolumeWriter::new(VOLUME_SIZE, |_| Ok(Cursor::new(Vec::new()))).unwrap();
    for first in &first_parts {
        let data = &whole[&first.name()];
        // RAR stored these times in the header's 32-bit field, which the writer does not use;
        // without a time both sides have no extra area.
        let entry = Entry::file(&first.name(), data.len() as u64).unix_mode(u32::try_from(first.attributes).unwrap());
        writer.add(&entry, data.as_slice()).unwrap();
    }
    let ours: Vec<Vec<Block>> = writer.finish().unwrap().into_iter().map(|v| parse(&v.into_inner())).collect();
    let mut layout_ours = Vec::new();
    for (i, volume) in ours.iter().enumerate() {
        for part in files(volume) {
            layout_ours.push((i, part.name(), part.is_split_before(), part.is_split_after()));
            let theirs = files(&winrar[i]).into_iter().find(|f| f.name() == part.name()).unwrap();
            assert_eq!(part.unpacked_size, theirs.unpacked_size);
            // File flags: RAR's have 0x02 (32-bit time present) besides the CRC flag.
            assert_eq!((part.flags, part.file_flags | 0x02), (theirs.flags, theirs.file_flags));
            assert_eq!((part.attributes, part.host_os, part.compression), (theirs.attributes, theirs.host_os, 0));
            if !part.is_split_after() {
                assert_eq!(part.crc32, theirs.crc32, "whole-file CRC of {}", part.name());
            }
        }
    }
    assert_eq!(layout_ours, layout_theirs);
}

/// The parser used above must itself agree with UnRAR on a WinRAR archive.
#[test]
fn parser_agrees_with_unrar_on_winrar_archive() {
    let path = fixture("rar5-subdirs.rar");
    let listed = common::unrar_list(&path);
    let parsed = parse_file(&path);
    let parsed = files(&parsed);
    assert_eq!(listed.len(), parsed.len());
    for (l, p) in listed.iter().zip(parsed) {
        assert_eq!(l.name, p.name());
        assert_eq!((l.size, l.is_dir), (p.unpacked_size, p.is_dir()));
        assert_eq!((Some(l.crc32), u64::from(l.attributes)), (p.crc32, p.attributes));
    }
}
