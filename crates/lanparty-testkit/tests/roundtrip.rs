//! Archives written by the testkit, read back by rarlab's UnRAR (the `unrar` crate) and by the
//! independent parser in tests/common: names, sizes, directory flags, CRCs, times, bytes.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod common;

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::volumes::{self, Mode};
use common::{Block, parse_file, tree, unrar_extract, unrar_list, unrar_test};
use lanparty_testkit::pattern::{pattern, pattern_bytes};
use lanparty_testkit::rar5::{self, Entry, HostOs, VolumeWriter, Writer};

const MIB: u64 = 1024 * 1024;

fn time(secs: u64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(secs, nanos)
}

fn mtime_of(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn files_and_directories_round_trip() {
    // Edge sizes around the writer's 1 MiB copy buffer, plus a few MiB.
    let files: Vec<(&str, u64)> = vec![
        ("empty.txt", 0),
        ("one.bin", 1),
        ("Spiel/Übung ä.txt", 13),
        ("Spiel/Daten/buffer-1.bin", MIB - 1),
        ("Spiel/Daten/buffer.bin", MIB),
        ("Spiel/Daten/buffer+1.bin", MIB + 1),
        ("Spiel/Daten/große Datei.pak", 5 * MIB + 3),
        ("日本語/ファイル.dat", 100),
    ];
    let dirs = ["Spiel", "Spiel/Daten", "Spiel/leer", "日本語"];
    let mtime = time(1_600_000_000, 123_456_789);

    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("game.rar");
    let mut writer = Writer::create(&archive).unwrap();
    for dir in dirs {
        writer.add(&Entry::dir(dir).mtime(mtime), io::empty()).unwrap();
    }
    for (seed, &(name, size)) in files.iter().enumerate() {
        writer.add_file(name, pattern(seed as u64, size), size, mtime).unwrap();
    }
    writer.finish().unwrap();

    // UnRAR's listing: every entry, in order, with the stored metadata.
    let listed = unrar_list(&archive);
    assert_eq!(listed.len(), dirs.len() + files.len());
    for (entry, dir) in listed.iter().zip(dirs) {
        assert_eq!((entry.name.as_str(), entry.is_dir, entry.size), (dir, true, 0));
        assert_eq!(entry.attributes, 0o040755);
    }
    for (seed, (entry, &(name, size))) in listed[dirs.len()..].iter().zip(&files).enumerate() {
        assert_eq!((entry.name.as_str(), entry.is_dir, entry.size), (name, false, size));
        let data = pattern_bytes(seed as u64, size as usize);
        assert_eq!(entry.crc32, crc32fast::hash(&data), "{name}");
        assert_eq!(entry.attributes, 0o100644, "{name}");
        assert_eq!(entry.method, 0x30, "{name} is stored");
    }

    // UnRAR's extraction (CRC-checked): the same tree, bytes and times.
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    unrar_extract(&archive, &out);
    let mut expected: Vec<String> = dirs.iter().map(|d| format!("{d}/")).collect();
    expected.extend(files.iter().map(|(name, _)| name.to_string()));
    expected.sort();
    assert_eq!(tree(&out), expected);
    for (seed, &(name, size)) in files.iter().enumerate() {
        let path = out.join(name);
        assert_eq!(fs::read(&path).unwrap(), pattern_bytes(seed as u64, size as usize), "{name}");
        assert_eq!(mtime_of(&path), mtime, "{name}");
    }

    // The independent parser sees the same, plus the fields UnRAR does not report.
    let blocks = parse_file(&archive);
    assert!(matches!(blocks[0], Block::Main { archive_flags: 0, volume_number: None, .. }));
    assert!(matches!(blocks.last(), Some(Block::End { end_flags: 0, .. })));
    for file in common::files(&blocks) {
        assert_eq!(file.compression, 0, "store, version 0");
        assert_eq!(file.host_os, 1, "Unix");
        assert_eq!(file.unix_mtime, None);
        // One high precision time record: Unix seconds + nanoseconds.
        let mut record = vec![0x13];
        record.extend_from_slice(&1_600_000_000u32.to_le_bytes());
        record.extend_from_slice(&123_456_789u32.to_le_bytes());
        assert_eq!(file.extra_records, [(3, record)], "{}", file.name());
        assert_eq!(file.crc32, Some(crc32fast::hash(&file.data)), "{}", file.name());
        assert_eq!(file.data.len() as u64, file.unpacked_size);
    }
    assert_eq!(unrar_test(&archive), Ok(()));
}

#[test]
fn times_before_1970_use_windows_filetime() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("old.rar");
    let mtime = UNIX_EPOCH - Duration::from_secs(86_400 * 365);
    let mut writer = Writer::create(&archive).unwrap();
    writer.add_file("old.txt", &b"old"[..], 3, mtime).unwrap();
    writer.finish().unwrap();

    let blocks = parse_file(&archive);
    let ticks = (11_644_473_600u64 - 86_400 * 365) * 10_000_000;
    let mut record = vec![0x02];
    record.extend_from_slice(&ticks.to_le_bytes());
    assert_eq!(common::files(&blocks)[0].extra_records, [(3, record)]);
    assert_eq!(unrar_test(&archive), Ok(()));
}

#[test]
fn windows_host_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("win.rar");
    let mut writer = Writer::create(&archive).unwrap();
    writer.add(&Entry::dir("Dir").host_os(HostOs::Windows), io::empty()).unwrap();
    writer.add(&Entry::file("Dir/readonly.txt", 2).windows_attributes(0x21), &b"ro"[..]).unwrap();
    writer.finish().unwrap();

    let listed = unrar_list(&archive);
    assert_eq!(listed[0].attributes, 0x10);
    assert!(listed[0].is_dir);
    assert_eq!(listed[1].attributes, 0x21);
    assert!(common::files(&parse_file(&archive)).iter().all(|f| f.host_os == 0));
    assert_eq!(unrar_test(&archive), Ok(()));
}

#[test]
fn in_memory_archive_matches_file_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("small.rar");
    let files: &[(&str, &[u8])] = &[("a.txt", b"alpha"), ("sub/b.txt", b"")];
    rar5::write_archive(&path, files).unwrap();
    assert_eq!(fs::read(&path).unwrap(), rar5::archive_bytes(files).unwrap());
    let listed = unrar_list(&path);
    assert_eq!(listed.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["a.txt", "sub/b.txt"]);
    assert_eq!(listed[0].crc32, crc32fast::hash(b"alpha"));
    assert_eq!(unrar_test(&path), Ok(()));
}

#[test]
fn multi_volume_round_trip() {
    const VOLUME_SIZE: u64 = 16 * 1024;
    let tmp = tempfile::tempdir().unwrap();
    // A file spanning more than nine volumes (so part10 follows part9), files that fit, an
    // empty file and a directory between them, and a file starting in the last free bytes.
    let files: &[(&str, u64)] = &[
        ("Spiel/groß.bin", 150_000),
        ("Spiel/klein.txt", 10),
        ("Spiel/leer.txt", 0),
        ("Spiel/mittel.bin", 20_000),
        ("zuletzt.txt", 7),
    ];
    let mut writer = VolumeWriter::create(tmp.path(), "game", VOLUME_SIZE).unwrap();
    writer.add_dir("Spiel").unwrap();
    for (seed, &(name, size)) in files.iter().enumerate() {
        writer.add_file(name, pattern(seed as u64, size), size, time(1_700_000_000, 0)).unwrap();
        if name == "Spiel/leer.txt" {
            writer.add_dir("Spiel/Unterordner").unwrap();
        }
    }
    let volumes = writer.finish().unwrap();
    assert!(volumes.len() >= 10, "{} volumes", volumes.len());
    for (i, path) in volumes.iter().enumerate() {
        assert_eq!(path, &tmp.path().join(format!("game.part{}.rar", i + 1)));
        let len = fs::metadata(path).unwrap().len();
        assert!(len <= VOLUME_SIZE, "{} is {len} bytes", path.display());
        if i + 1 < volumes.len() {
            // Full but for less than one small header.
            assert!(len > VOLUME_SIZE - 64, "{} is only {len} bytes", path.display());
        }
    }

    // Volume headers and split flags, per the format note.
    let mut parts_of_big = Vec::new();
    let mut first_parts = std::collections::HashMap::new();
    for (i, path) in volumes.iter().enumerate() {
        let blocks = parse_file(path);
        let Block::Main { archive_flags, volume_number, .. } = &blocks[0] else { panic!("main header first") };
        if i == 0 {
            assert_eq!((*archive_flags, *volume_number), (0x01, None));
        } else {
            assert_eq!((*archive_flags, *volume_number), (0x03, Some(i as u64)));
        }
        let Some(Block::End { end_flags, .. }) = blocks.last() else { panic!("end header last") };
        assert_eq!(*end_flags, u64::from(i + 1 < volumes.len()), "end flags of volume {}", i + 1);
        for file in common::files(&blocks) {
            first_parts.entry(file.name()).or_insert_with(|| file.clone());
            if file.name() == "Spiel/groß.bin" {
                parts_of_big.push(file.clone());
            }
        }
    }
    let last = parts_of_big.len() - 1;
    let mut joined = Vec::new();
    for (i, part) in parts_of_big.iter().enumerate() {
        assert_eq!(part.is_split_before(), i > 0, "part {i}");
        assert_eq!(part.is_split_after(), i < last, "part {i}");
        assert_eq!(part.unpacked_size, 150_000);
        joined.extend_from_slice(&part.data);
        // Parts before the last carry the CRC32 of their own bytes, the last the whole file's.
        if i < last {
            assert_eq!(part.crc32, Some(crc32fast::hash(&part.data)), "part {i}");
        }
    }
    assert!(parts_of_big.len() >= 10);
    assert_eq!(joined, pattern_bytes(0, 150_000));
    assert_eq!(parts_of_big[last].crc32, Some(crc32fast::hash(&joined)));

    // UnRAR lists the set once per entry and extracts it byte for byte.
    let listed = volumes::process(&volumes[0], Mode::List).unwrap();
    let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Spiel",
            "Spiel/groß.bin",
            "Spiel/klein.txt",
            "Spiel/leer.txt",
            "Spiel/Unterordner",
            "Spiel/mittel.bin",
            "zuletzt.txt"
        ]
    );
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    let extracted = volumes::process(&volumes[0], Mode::Extract(&out)).unwrap();
    assert_eq!(extracted, listed);
    for (seed, &(name, size)) in files.iter().enumerate() {
        assert_eq!(fs::read(out.join(name)).unwrap(), pattern_bytes(seed as u64, size as usize), "{name}");
        let entry = listed.iter().find(|l| l.name == name).unwrap();
        // For a split file UnRAR reports the first part's header, whose CRC covers that part.
        let first = &first_parts[name];
        if !first.is_split_after() {
            assert_eq!(first.crc32, Some(crc32fast::hash(&pattern_bytes(seed as u64, size as usize))));
        }
        assert_eq!((entry.size, Some(entry.crc32)), (size, first.crc32), "{name}");
    }
    assert!(out.join("Spiel/Unterordner").is_dir());
    assert_eq!(volumes::process(&volumes[0], Mode::Test).map(|l| l.len()), Ok(listed.len()));
}

#[test]
fn volume_too_small_for_a_header_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = VolumeWriter::create(tmp.path(), "tiny", 40).unwrap();
    let err = writer.add_file("a-rather-long-name.txt", &b"x"[..], 1, SystemTime::now()).unwrap_err();
    assert!(matches!(err, rar5::Error::VolumeTooSmall { .. }), "{err}");
}

#[test]
fn hostile_raw_names_are_stored_verbatim() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("evil.rar");
    let names: &[&[u8]] =
        &[b"../evil", b"/etc/evil", b"C:\\x", b"CON.txt", b"a/../../b", b"dir\\..\\..\\x", b"bad\xff\xfename"];
    let mut writer = Writer::create(&archive).unwrap();
    for name in names {
        writer.add_file_raw_name(name, &b"evil"[..], 4).unwrap();
    }
    writer.add(&Entry::dir_raw_name("../evil-dir"), io::empty()).unwrap();
    writer.finish().unwrap();

    let blocks = parse_file(&archive);
    let stored: Vec<&[u8]> = common::files(&blocks).iter().map(|f| f.name.as_slice()).collect();
    let mut expected = names.to_vec();
    expected.push(b"../evil-dir");
    assert_eq!(stored, expected);
    // UnRAR reads the archive as intact; refusing such names is the extractor's job.
    assert_eq!(unrar_list(&archive).len(), expected.len());
}

#[test]
fn declared_size_differing_from_data() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("sizes.rar");
    let mut writer = Writer::create(&archive).unwrap();
    writer.add(&Entry::file("bigger.bin", 4).declared_size(1 << 40), &b"abcd"[..]).unwrap();
    writer.add(&Entry::file("smaller.bin", 4).declared_size(2), &b"abcd"[..]).unwrap();
    writer.finish().unwrap();

    let listed = unrar_list(&archive);
    assert_eq!(listed[0].size, 1 << 40);
    assert_eq!(listed[1].size, 2);
    let parsed = parse_file(&archive);
    let parsed = common::files(&parsed);
    assert_eq!((parsed[0].unpacked_size, parsed[0].data.as_slice()), (1 << 40, &b"abcd"[..]));
    assert_eq!((parsed[1].unpacked_size, parsed[1].data.as_slice()), (2, &b"abcd"[..]));
}

#[test]
fn wrong_crc_fails_unrar_check() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.rar");
    let bad = tmp.path().join("bad.rar");
    for (path, entry) in [(&good, Entry::file("a.txt", 5)), (&bad, Entry::file("a.txt", 5).wrong_crc())] {
        let mut writer = Writer::create(path).unwrap();
        writer.add(&entry, &b"hello"[..]).unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(unrar_test(&good), Ok(()));
    let err = unrar_test(&bad).unwrap_err();
    assert_eq!(err.code, unrar::error::Code::BadData, "{err:?}");
    assert_eq!(unrar_list(&bad)[0].crc32, !crc32fast::hash(b"hello"));
}

#[test]
fn pack_dir_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(src.join("Spiel/Daten")).unwrap();
    fs::create_dir_all(src.join("Spiel/leer")).unwrap();
    fs::write(src.join("Spiel/Übung ä.txt"), "übung").unwrap();
    fs::write(src.join("Spiel/Daten/level.pak"), pattern_bytes(9, 300_000)).unwrap();
    fs::write(src.join("root.txt"), "").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::write(src.join("Spiel/start.sh"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(src.join("Spiel/start.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    }

    let archive = tmp.path().join("tree.rar");
    rar5::pack_dir(&src, &archive).unwrap();

    // Sorted, each directory before its contents.
    let names: Vec<String> = unrar_list(&archive).into_iter().map(|l| l.name).collect();
    let mut expected = vec!["Spiel", "Spiel/Daten", "Spiel/Daten/level.pak", "Spiel/leer"];
    #[cfg(unix)]
    expected.push("Spiel/start.sh");
    expected.extend(["Spiel/Übung ä.txt", "root.txt"]);
    assert_eq!(names, expected);

    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    unrar_extract(&archive, &out);
    assert_eq!(tree(&out), tree(&src));
    for name in tree(&src).iter().filter(|n| !n.ends_with('/')) {
        assert_eq!(fs::read(out.join(name)).unwrap(), fs::read(src.join(name)).unwrap(), "{name}");
        assert_eq!(mtime_of(&out.join(name)), mtime_of(&src.join(name)), "{name}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(out.join("Spiel/start.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    // The same tree as volumes, under a prefix.
    let vol_dir = tmp.path().join("vols");
    fs::create_dir(&vol_dir).unwrap();
    let mut writer = VolumeWriter::create(&vol_dir, "tree", 100_000).unwrap();
    writer.add_tree(&src, "Game").unwrap();
    let volumes = writer.finish().unwrap();
    assert_eq!(volumes.len(), 4);
    let out = tmp.path().join("out-vols");
    fs::create_dir(&out).unwrap();
    volumes::process(&volumes[0], Mode::Extract(&out)).unwrap();
    assert_eq!(tree(&out.join("Game")), tree(&src));
    assert_eq!(fs::read(out.join("Game/Spiel/Daten/level.pak")).unwrap(), pattern_bytes(9, 300_000));
}

#[cfg(unix)]
#[test]
fn pack_dir_refuses_symlinks_and_bad_names() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir(&src).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", src.join("link")).unwrap();
    let err = rar5::pack_dir(&src, &tmp.path().join("a.rar")).unwrap_err();
    assert!(matches!(err, rar5::Error::UnsupportedFileType { .. }), "{err}");

    fs::remove_file(src.join("link")).unwrap();
    fs::write(src.join("what?.txt"), "").unwrap();
    let err = rar5::pack_dir(&src, &tmp.path().join("b.rar")).unwrap_err();
    assert!(matches!(err, rar5::Error::InvalidName { .. }), "{err}");
}

/// Streams a 1 GiB archive; UnRAR checks its CRC. Slow and needs 1 GiB of disk.
#[test]
#[ignore = "writes a 1 GiB archive; run with --ignored"]
fn one_gib_archive() {
    const SIZE: u64 = 1024 * MIB;
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("big.rar");
    let mut writer = Writer::create(&archive).unwrap();
    writer.add_file("big.bin", pattern(42, SIZE), SIZE, SystemTime::now()).unwrap();
    writer.finish().unwrap();
    let listed = unrar_list(&archive);
    assert_eq!(listed[0].size, SIZE);
    assert_eq!(unrar_test(&archive), Ok(()));
}
