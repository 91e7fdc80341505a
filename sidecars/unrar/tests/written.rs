//! The sidecar on archives made by lanparty-testkit's RAR 5 writer, run as the real binary:
//!
//! - a whole game (several archives found by `--from`, a volume set, nested and non-ASCII
//!   names, empty files and folders, sizes around 1 MiB and a multi-MiB file, recovery volumes
//!   beside them) is listed and extracted exactly as written, archive by archive in sorted
//!   order;
//! - hostile names stored raw are refused with exit 6, naming the entry, with nothing written;
//! - declared sizes that lie and wrong CRCs fail with exit 5 (or 7 when the lie is huge), and
//!   no such file is left or reported as complete;
//! - a full disk, in a small tmpfs mounted in a private mount namespace (`unshare -m`): refused
//!   before writing when the declared sizes do not fit (exit 7), and a clean exit 8 when the
//!   disk fills up while writing although the pre-check passed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use lanparty_testkit::pattern::{pattern, pattern_bytes};
use lanparty_testkit::rar5::{self, Entry, VolumeWriter, Writer};
use serde_json::Value;

use common::{Node, Run, run, snapshot, walk};

const MIB: u64 = 1024 * 1024;

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn bytes(seed: u64, len: u64) -> Vec<u8> {
    pattern_bytes(seed, usize::try_from(len).expect("test sizes fit in memory"))
}

/// One entry as it was written: its archive (file name), its path, and its data (`None` for a
/// folder).
#[derive(Debug, Clone)]
struct Written {
    archive: String,
    path: String,
    data: Option<Vec<u8>>,
}

impl Written {
    fn new(archive: &str, path: &str, data: Option<Vec<u8>>) -> Self {
        Written { archive: archive.into(), path: path.into(), data }
    }

    /// What its `entry` line must say: `(archive file name, path, kind, size, crc32, hash)`.
    fn line(&self) -> (String, String, String, u64, Value, String) {
        match &self.data {
            None => (self.archive.clone(), self.path.clone(), "dir".into(), 0, Value::Null, "none".into()),
            Some(d) => (
                self.archive.clone(),
                self.path.clone(),
                "file".into(),
                d.len() as u64,
                Value::String(format!("{:08x}", crc32fast::hash(d))),
                "crc32".into(),
            ),
        }
    }
}

/// The same projection of an `entry` line (the archive by file name).
fn entry_line(l: &Value) -> (String, String, String, u64, Value, String) {
    let archive = Path::new(l["archive"].as_str().expect("archive")).file_name().expect("name");
    (
        archive.to_string_lossy().into_owned(),
        l["path"].as_str().expect("path").into(),
        l["kind"].as_str().expect("kind").into(),
        l["size"].as_u64().expect("size"),
        l["crc32"].clone(),
        l["hash"].as_str().expect("hash").into(),
    )
}

/// The `archive` and `entry` lines in order, as `("archive", name)` and `("entry", path)`.
fn sequence(run: &Run) -> Vec<(String, String)> {
    run.lines
        .iter()
        .filter_map(|l| match l["type"].as_str() {
            Some("archive") => Some((
                "archive".to_owned(),
                Path::new(l["path"].as_str().expect("path")).file_name().expect("name").to_string_lossy().into(),
            )),
            Some("entry") => Some(("entry".to_owned(), l["path"].as_str().expect("path").to_owned())),
            _ => None,
        })
        .collect()
}

/// Writes `entries` (with their data; folders take none) into a single archive at `at`.
fn write_rar(at: &Path, entries: &[(Entry, &[u8])]) {
    let mut writer = Writer::create(at).expect("create archive");
    for (entry, data) in entries {
        writer.add(entry, *data).expect("add entry");
    }
    writer.finish().expect("finish archive");
}

fn file(name: &str, data: &[u8]) -> Entry {
    Entry::file(name, data.len() as u64)
}

/// A temp folder for one test (no fixtures needed).
fn sandbox() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Everything a whole-game extraction must give, in archive order.
struct Game {
    dir: PathBuf,
    written: Vec<Written>,
    /// Sorted order `--from` must use.
    order: Vec<&'static str>,
    volumes: Vec<PathBuf>,
}

fn make_game(root: &Path) -> Game {
    let game = root.join("game");
    fs::create_dir(&game).expect("create game");

    // game.rar: nested and non-ASCII names, an empty folder, an empty and a 1-byte file, sizes
    // around the 1 MiB copy and write buffers, and a multi-MiB file streamed from `pattern`.
    let text = "Grüße aus der Übung: äöü ß\n".as_bytes().to_vec();
    let small: Vec<(&str, Vec<u8>)> = vec![
        ("Spiel/Übung ä.txt", text),
        ("Spiel/Daten/Karten/e1m1.bsp", bytes(1, MIB - 1)),
        ("leer.txt", Vec::new()),
        ("eins.bin", vec![0x42]),
        ("genau-1MiB.bin", bytes(2, MIB)),
        ("über-1MiB.bin", bytes(3, MIB + 1)),
        ("groß/Ω ∑ 日本語 ñ.dat", bytes(4, 2 * MIB)),
        ("win/Liesmich.txt", b"made on Windows, read-only\r\n".to_vec()),
    ];
    let big_len = 5 * MIB + 12_345;
    let mut writer = Writer::create(&game.join("game.rar")).expect("create game.rar");
    let mut written = Vec::new();
    writer.add(&Entry::dir("Spiel"), io::empty()).expect("add");
    written.push(Written::new("game.rar", "Spiel", None));
    for (i, (name, data)) in small.iter().enumerate() {
        let mut entry = file(name, data);
        if name.starts_with("win/") {
            entry = entry.windows_attributes(0x21);
        }
        writer.add(&entry, &data[..]).expect("add");
        written.push(Written::new("game.rar", name, Some(data.clone())));
        if i == 0 {
            writer.add(&Entry::dir("Spiel/Leer"), io::empty()).expect("add");
            written.push(Written::new("game.rar", "Spiel/Leer", None));
        }
    }
    writer.add(&Entry::file("big.bin", big_len), pattern(5, big_len)).expect("add big");
    written.push(Written::new("game.rar", "big.bin", Some(bytes(5, big_len))));
    writer.finish().expect("finish game.rar");

    // data.part1.rar..: a volume set packed from a folder, files split across volumes.
    let src = root.join("src-data");
    fs::create_dir_all(src.join("Data")).expect("create");
    let data_files: [(&str, Vec<u8>); 3] = [
        ("Data/level1.pak", bytes(6, 700_000)),
        ("Data/level2.pak", bytes(7, 150_000)),
        ("Data/tiny.txt", b"tiny".to_vec()),
    ];
    for (name, data) in &data_files {
        fs::write(src.join(name), data).expect("write");
    }
    let volumes = rar5::pack_dir_volumes(&src, &game, "data", 200_000).expect("pack volumes");
    assert!(volumes.len() >= 4, "{volumes:?}");
    let mut data_written = vec![Written::new("data.part1.rar", "Data", None)];
    data_written.extend(data_files.iter().map(|(n, d)| Written::new("data.part1.rar", n, Some(d.clone()))));

    // Bonus.rar, with the one-call helper.
    rar5::write_archive(&game.join("Bonus.rar"), &[("bonus/readme.txt", b"bonus level\n"), ("bonus/zero", b"")])
        .expect("write Bonus.rar");
    let bonus_written = vec![
        Written::new("Bonus.rar", "bonus/readme.txt", Some(b"bonus level\n".to_vec())),
        Written::new("Bonus.rar", "bonus/zero", Some(Vec::new())),
    ];

    // alpha.rar, packed from a folder: folders (one empty) come before their contents.
    let src = root.join("src-alpha");
    fs::create_dir_all(src.join("Alpha/sub")).expect("create");
    fs::create_dir_all(src.join("Alpha/empty")).expect("create");
    fs::write(src.join("Alpha/a.txt"), b"a").expect("write");
    fs::write(src.join("Alpha/sub/b.txt"), b"bb").expect("write");
    rar5::pack_dir(&src, &game.join("alpha.rar")).expect("pack alpha.rar");
    let alpha_written = vec![
        Written::new("alpha.rar", "Alpha", None),
        Written::new("alpha.rar", "Alpha/a.txt", Some(b"a".to_vec())),
        Written::new("alpha.rar", "Alpha/empty", None),
        Written::new("alpha.rar", "Alpha/sub", None),
        Written::new("alpha.rar", "Alpha/sub/b.txt", Some(b"bb".to_vec())),
    ];

    // Never opened: recovery volumes (one a valid RAR archive whose entry would show up if it
    // were extracted, one garbage that would fail the run if it were opened), and non-archives.
    rar5::write_archive(&game.join("data.part1.rev"), &[("rev-was-opened.txt", b"!")]).expect("write");
    fs::write(game.join("game.rev"), b"garbage, never opened").expect("write");
    fs::write(game.join("Setup.exe"), b"MZ not an archive").expect("write");
    fs::write(game.join("notes.txt"), b"not an archive").expect("write");

    // Sorted case-insensitively: alpha < Bonus, although `B` < `a` bytewise.
    let mut all = alpha_written;
    all.extend(bonus_written);
    all.extend(data_written);
    all.extend(written);
    Game { dir: game, written: all, order: vec!["alpha.rar", "Bonus.rar", "data.part1.rar", "game.rar"], volumes }
}

/// What the destination must hold after extracting `written`: every file and folder, implied
/// parents included.
fn expected_tree(written: &[Written]) -> BTreeMap<String, Node> {
    let mut tree = BTreeMap::new();
    for w in written {
        let mut parent = w.path.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            tree.insert(p.to_owned(), Node::Dir);
            parent = p;
        }
        let node = match &w.data {
            None => Node::Dir,
            Some(d) => Node::File { size: d.len() as u64, crc: crc32fast::hash(d) },
        };
        tree.insert(w.path.clone(), node);
    }
    tree
}

#[test]
fn a_written_game_is_listed_and_extracted_exactly_as_written() {
    let tmp = sandbox();
    let game = make_game(tmp.path());
    let before = snapshot(&game.dir);
    let expected_lines: Vec<_> = game.written.iter().map(Written::line).collect();
    let mut expected_sequence = Vec::new();
    let mut current = "";
    for w in &game.written {
        if w.archive != current {
            current = &w.archive;
            expected_sequence.push(("archive".to_owned(), w.archive.clone()));
        }
        expected_sequence.push(("entry".to_owned(), w.path.clone()));
    }
    let total: u64 = game.written.iter().filter_map(|w| w.data.as_ref()).map(|d| d.len() as u64).sum();

    let listing = run(tmp.path(), &["list", "--from", path(&game.dir)]);
    let dest = tmp.path().join("out");
    let extraction = run(tmp.path(), &["extract", "--dest", path(&dest), "--from", path(&game.dir)]);
    for (what, r) in [("list", &listing), ("extract", &extraction)] {
        assert_eq!(r.code, 0, "{what}: {r:?}");
        assert_eq!(r.archives(), game.order, "{what}: archives in sorted order");
        assert_eq!(sequence(r), expected_sequence, "{what}: each archive's entries after its line");
        let lines: Vec<_> = r.of_type("entry").into_iter().map(entry_line).collect();
        assert_eq!(lines, expected_lines, "{what}: entries, kinds, sizes and CRC32s as written");
        // Every entry line names the archive by the path `--from` found it at.
        for l in r.of_type("entry") {
            let archive = Path::new(l["archive"].as_str().expect("archive"));
            assert_eq!(archive.parent(), Some(game.dir.as_path()), "{l}");
        }
        let done = r.last();
        assert_eq!((done["archives"].as_u64(), done["bytes"].as_u64()), (Some(4), Some(total)), "{what}");
        assert_eq!(done["entries"].as_u64(), Some(game.written.len() as u64), "{what}");

        let archives = r.of_type("archive");
        for a in &archives {
            let name = Path::new(a["path"].as_str().expect("path")).file_name().expect("name").to_string_lossy();
            let mine: Vec<&Written> = game.written.iter().filter(|w| w.archive == name).collect();
            let bytes: u64 = mine.iter().filter_map(|w| w.data.as_ref()).map(|d| d.len() as u64).sum();
            assert_eq!(a["entries"].as_u64(), Some(mine.len() as u64), "{a}");
            assert_eq!(a["bytes"].as_u64(), Some(bytes), "{a}");
            assert_eq!((a["is_solid"].as_bool(), a["old_versions"].as_u64()), (Some(false), Some(0)), "{a}");
            let volumes: Vec<&str> =
                a["volumes"].as_array().expect("volumes").iter().map(|v| v.as_str().expect("volume path")).collect();
            if name == "data.part1.rar" {
                let later: Vec<&str> = game.volumes[1..].iter().map(|v| path(v)).collect();
                assert_eq!(volumes, later, "{a}");
            } else {
                assert!(volumes.is_empty(), "{a}");
            }
        }
    }
    let progress = extraction.of_type("progress");
    let last = progress.last().expect("a final progress line");
    assert_eq!(last["bytes_done"].as_u64(), Some(total));
    assert_eq!(last["bytes_total"].as_u64(), Some(total));
    assert_eq!(last["entries_done"].as_u64(), Some(game.written.len() as u64));

    // The destination holds exactly what was written, byte for byte.
    assert_eq!(walk(&dest), expected_tree(&game.written));
    for w in &game.written {
        if let Some(data) = &w.data {
            let got = fs::read(dest.join(&w.path)).expect("extracted file");
            assert!(got == *data, "{}: extracted bytes differ from the written ones", w.path);
        }
    }
    assert_eq!(snapshot(&game.dir), before, "the game folder is left as it was");
}

/// One hostile case: the archives of a game (file name, entries), and the refusal expected.
struct Hostile {
    archives: Vec<(&'static str, Vec<Entry>)>,
    code: &'static str,
    /// The `entry` of the error line (the name as stored).
    entry: String,
}

fn one(entry: Entry, code: &'static str) -> Hostile {
    let name = String::from_utf8(entry.name().to_vec()).expect("UTF-8 test names");
    // A good entry first: it must not be written either.
    Hostile { archives: vec![("evil.rar", vec![Entry::file("ok.txt", 2), entry])], code, entry: name }
}

fn raw(name: &str) -> Entry {
    Entry::file_raw_name(name, 2)
}

#[test]
fn hostile_names_are_refused_before_anything_is_written() {
    let long = "x".repeat(300);
    let cases = vec![
        one(raw("../evil"), "unsafe_name"),
        one(raw("Spiel/../../evil"), "unsafe_name"),
        one(raw("/abs"), "unsafe_name"),
        one(raw("/etc/cron.d/x"), "unsafe_name"),
        one(raw("C:\\x"), "unsafe_name"),
        one(raw("C:x"), "unsafe_name"),
        one(raw("..\\evil"), "unsafe_name"),
        one(raw("a:stream"), "unsafe_name"),
        one(raw("CON.txt"), "unsafe_name"),
        one(raw("nul"), "unsafe_name"),
        one(raw("Spiel/lpt1"), "unsafe_name"),
        one(raw("x."), "unsafe_name"),
        one(raw("x "), "unsafe_name"),
        one(raw("bell\u{7}.txt"), "unsafe_name"),
        one(raw("new\nline"), "unsafe_name"),
        one(raw("a?b"), "unsafe_name"),
        one(Entry::dir_raw_name("../up"), "unsafe_name"),
        Hostile {
            archives: vec![("evil.rar", vec![raw("Readme.txt"), raw("README.TXT")])],
            code: "collision",
            entry: "README.TXT".into(),
        },
        Hostile {
            archives: vec![("evil.rar", vec![raw("caf\u{e9}.txt"), raw("cafe\u{301}.txt")])],
            code: "collision",
            entry: "cafe\u{301}.txt".into(),
        },
        // Across two archives of one game; and a file that is also a folder.
        Hostile {
            archives: vec![("a.rar", vec![raw("Data/Readme.txt")]), ("b.rar", vec![raw("data/README.txt")])],
            code: "collision",
            entry: "data".into(),
        },
        Hostile { archives: vec![("evil.rar", vec![raw("x"), raw("x/y")])], code: "collision", entry: "x".into() },
        one(raw(&long), "unsafe_name"),
    ];
    let tmp = sandbox();
    for (i, case) in cases.iter().enumerate() {
        let game = tmp.path().join(format!("g{i}"));
        fs::create_dir(&game).expect("create");
        for (name, entries) in &case.archives {
            let with_data: Vec<(Entry, &[u8])> =
                entries.iter().map(|e| (e.clone(), if e.is_dir() { &b""[..] } else { &b"ok"[..] })).collect();
            write_rar(&game.join(name), &with_data);
        }
        let dest = tmp.path().join("deep/a/b").join(format!("out{i}"));
        let before = snapshot(tmp.path());
        let what = format!("case {i} {:?}", case.entry);
        for args in [&["list", "--from", path(&game)][..], &["extract", "--dest", path(&dest), "--from", path(&game)]] {
            let r = run(tmp.path(), args);
            assert_eq!((r.code, r.error_code()), (6, case.code), "{what}: {r:?}");
            let error = r.last();
            assert_eq!(error["entry"].as_str(), Some(case.entry.as_str()), "{what}: {error}");
            let message = error["message"].as_str().expect("message");
            // Names over 120 bytes are cut in the message (the `entry` field has them whole).
            let shown: String = case.entry.chars().take(100).collect();
            assert!(message.contains(&shown), "{what}: the message names the entry: {message}");
            assert!(message.contains("nothing was extracted"), "{what}: {message}");
            let archive = Path::new(error["archive"].as_str().expect("archive named"));
            assert!(case.archives.iter().any(|(n, _)| archive.ends_with(n)), "{what}: {error}");
            assert_eq!(snapshot(tmp.path()), before, "{what}: nothing written, not even the destination");
        }
        assert!(!dest.exists() && !tmp.path().join("deep").exists(), "{what}");
    }
}

#[test]
fn lying_sizes_and_wrong_checksums_fail_and_leave_no_such_file() {
    let tmp = sandbox();
    let first = b"written before the bad entry".to_vec();
    let data = bytes(9, 300_000);
    // (case, bad entry, its data, what the message says)
    let cases: Vec<(&str, Entry, Vec<u8>, &str)> = vec![
        ("larger", Entry::file("bad.bin", 300_000).declared_size(450_000), data.clone(), "declares 450000"),
        ("smaller", Entry::file("bad.bin", 300_000).declared_size(200_000), data.clone(), "checksum"),
        ("crc", Entry::file("bad.bin", 300_000).wrong_crc(), data.clone(), "checksum"),
        ("empty-crc", Entry::file("bad.bin", 0).wrong_crc(), Vec::new(), "checksum"),
    ];
    for (case, bad, bad_data, detail) in cases {
        let game = tmp.path().join(format!("game-{case}"));
        fs::create_dir(&game).expect("create");
        write_rar(
            &game.join("lies.rar"),
            &[(file("first.txt", &first), &first[..]), (bad.clone(), &bad_data[..]), (file("after.txt", b"a"), b"a")],
        );
        // `list` reads headers only: it cannot see the lie, and reports the declared size.
        let listing = run(tmp.path(), &["list", "--from", path(&game)]);
        assert_eq!(listing.code, 0, "{case}: {listing:?}");
        let declared = listing.of_type("entry")[1]["size"].as_u64();
        let expected = match case {
            "larger" => 450_000,
            "smaller" => 200_000,
            _ => bad_data.len() as u64,
        };
        assert_eq!(declared, Some(expected), "{case}");

        let dest = tmp.path().join(format!("staging-{case}"));
        let r = run(tmp.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
        assert_eq!((r.code, r.error_code()), (5, "corrupt"), "{case}: {r:?}");
        let error = r.last();
        assert_eq!(error["entry"], "bad.bin", "{case}: {error}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains("bad.bin") && message.contains(detail), "{case}: {message}");
        // Only the entry before it was reported and left complete in the staging folder; the
        // bad file was removed and nothing after it was written. The caller discards the
        // staging folder on any non-zero exit.
        let reported: Vec<&str> = r.of_type("entry").iter().map(|l| l["path"].as_str().expect("path")).collect();
        assert_eq!(reported, ["first.txt"], "{case}");
        let left = BTreeMap::from([(
            "first.txt".to_owned(),
            Node::File { size: first.len() as u64, crc: crc32fast::hash(&first) },
        )]);
        assert_eq!(walk(&dest), left, "{case}");
    }

    // A wrong whole-file CRC on a file split over volumes (each part's own CRC is right).
    let game = tmp.path().join("game-volumes");
    fs::create_dir(&game).expect("create");
    let mut writer = VolumeWriter::create(&game, "set", 100_000).expect("volumes");
    writer.add(&Entry::file("split.bin", 300_000).wrong_crc(), &data[..]).expect("add");
    assert!(writer.finish().expect("finish").len() >= 3);
    let dest = tmp.path().join("staging-volumes");
    let r = run(tmp.path(), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!((r.code, r.error_code(), r.last()["entry"].as_str()), (5, "corrupt", Some("split.bin")), "{r:?}");
    assert!(r.of_type("entry").is_empty(), "{r:?}");
    assert_eq!(walk(&dest), BTreeMap::new(), "the split file was removed");

    // A declared size over --max-bytes (default 1 TiB) is refused before writing anything.
    let game = tmp.path().join("game-huge");
    fs::create_dir(&game).expect("create");
    write_rar(&game.join("huge.rar"), &[(Entry::file("huge.bin", 2).declared_size(2 << 40), b"hi")]);
    let dest = tmp.path().join("staging-huge");
    for args in [&["list", "--from", path(&game)][..], &["extract", "--dest", path(&dest), "--from", path(&game)]] {
        let r = run(tmp.path(), args);
        assert_eq!((r.code, r.error_code()), (7, "too_large"), "{r:?}");
        let message = r.last()["message"].as_str().expect("message");
        assert!(message.contains("2048.0 GiB") && message.contains("1024.0 GiB"), "{message}");
    }
    assert!(!dest.exists());
}

// --- A full disk: a small tmpfs in a private mount namespace.

/// Why the tmpfs tests cannot run here, if they cannot: `unshare` missing, or not allowed to
/// make a mount namespace or mount in it. Any other failure panics.
fn tmpfs_unavailable(probe: &Path) -> Option<String> {
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=1m lanparty-probe \"$1\"", "sh", path(probe)])
        .output();
    match out {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some("`unshare` (util-linux) is not installed".into()),
        Err(e) => panic!("cannot run unshare: {e}"),
        Ok(o) if o.status.success() => None,
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
            let denied = ["not permitted", "Permission denied", "permission denied", "must be superuser"];
            assert!(denied.iter().any(|d| stderr.contains(d)), "unshare/mount failed unexpectedly: {stderr}");
            Some(format!("mount namespaces or tmpfs mounts are not permitted here: {}", stderr.trim()))
        }
    }
}

/// What was left in the tmpfs after a run (the mount vanishes with its namespace).
#[derive(Debug)]
struct TmpfsReport {
    /// Free bytes after the run.
    available: u64,
    /// `(kind, size)` by path relative to the mount: `d` folders, `f` files.
    tree: BTreeMap<String, (char, u64)>,
}

impl TmpfsReport {
    fn files(&self) -> BTreeMap<&str, u64> {
        self.tree.iter().filter(|(_, (k, _))| *k == 'f').map(|(p, (_, s))| (p.as_str(), *s)).collect()
    }
}

/// Runs `lanparty-unrar ARGS` in a fresh mount namespace where a tmpfs of `size` is mounted on
/// `mnt` (`ARGS` say where in it to extract); then records what the tmpfs holds.
fn in_tmpfs(mnt: &Path, size: &str, args: &[&str]) -> (Run, TmpfsReport) {
    const SCRIPT: &str = r#"
        mnt=$1; size=$2; report=$3; shift 3
        mount -t tmpfs -o "size=$size" lanparty-test "$mnt" || exit 201
        "$@"
        rc=$?
        { stat -f -c '%a %S' "$mnt" && cd "$mnt" && find . -mindepth 1 -printf '%y %s %P\n'; } > "$report" || exit 202
        exit $rc
    "#;
    fs::create_dir_all(mnt).expect("create mount point");
    let report = mnt.with_extension("report");
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", SCRIPT, "sh", path(mnt), size, path(&report), common::bin()])
        .args(args)
        .output()
        .expect("run unshare");
    let code = out.status.code();
    assert!(
        !matches!(code, Some(201 | 202)),
        "tmpfs setup failed ({code:?}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = common::check_output(out);
    let text = fs::read_to_string(&report).expect("report");
    let mut lines = text.lines();
    let (blocks, block_size) = lines.next().expect("free space line").split_once(' ').expect("two numbers");
    let available = blocks.parse::<u64>().expect("blocks") * block_size.parse::<u64>().expect("block size");
    let tree = lines
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let kind = parts.next().and_then(|k| k.chars().next()).expect("kind");
            let size = parts.next().expect("size").parse().expect("size");
            (parts.next().expect("path").to_owned(), (kind, size))
        })
        .collect();
    (run, TmpfsReport { available, tree })
}

fn page_size() -> u64 {
    let out = Command::new("getconf").arg("PAGESIZE").output().expect("getconf");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("page size")
}

#[test]
fn not_enough_free_space_is_refused_before_writing() {
    let tmp = sandbox();
    if let Some(reason) = tmpfs_unavailable(&mkdir(tmp.path().join("probe"))) {
        println!("SKIPPED: {reason}");
        return;
    }
    const MARGIN: u64 = 64 * MIB;

    // 3 MiB of real data into a 2 MiB tmpfs; and 100 MiB declared by a 10-byte entry, which is
    // refused on its declared size without reading any data.
    let game = tmp.path().join("game");
    fs::create_dir(&game).expect("create");
    write_rar(&game.join("big.rar"), &[(Entry::file("big.bin", 3 * MIB), &bytes(11, 3 * MIB)[..])]);
    let liar = tmp.path().join("liar");
    fs::create_dir(&liar).expect("create");
    write_rar(&liar.join("liar.rar"), &[(Entry::file("x.bin", 10).declared_size(100 * MIB), b"0123456789")]);
    for (from, needed) in [(&game, "67.0 MiB"), (&liar, "164.0 MiB")] {
        let mnt = tmp.path().join(format!("mnt-{}", from.file_name().expect("name").to_string_lossy()));
        let dest = mnt.join("out");
        let (r, report) = in_tmpfs(&mnt, "2m", &["extract", "--dest", path(&dest), "--from", path(from)]);
        assert_eq!((r.code, r.error_code()), (7, "no_space"), "{r:?}");
        let message = r.last()["message"].as_str().expect("message");
        // How much is needed (declared bytes plus the 64 MiB margin) and how much is free.
        assert!(message.contains(&format!("needs {needed} free and has 2.0 MiB")), "{message}");
        assert!(message.contains(path(&dest)), "{message}");
        assert!(r.of_type("entry").is_empty() && r.of_type("archive").is_empty(), "{r:?}");
        // Nothing written: the destination folder itself is created (empty) before its free
        // space can be measured.
        assert!(report.files().is_empty(), "{report:?}");
        assert!(report.tree.keys().all(|p| p == "out"), "{report:?}");
        assert_eq!(report.available, 2 * MIB);
    }

    // The check is exact: a 1 MiB game needs 65 MiB free; one page less is refused.
    let exact = tmp.path().join("exact");
    fs::create_dir(&exact).expect("create");
    write_rar(&exact.join("one.rar"), &[(Entry::file("one.bin", MIB), &bytes(12, MIB)[..])]);
    let page = page_size();
    for (i, size) in [MIB + MARGIN, MIB + MARGIN - page].into_iter().enumerate() {
        let mnt = tmp.path().join(format!("mnt-exact{i}"));
        let dest = mnt.join("out");
        let (r, report) =
            in_tmpfs(&mnt, &format!("{}k", size / 1024), &["extract", "--dest", path(&dest), "--from", path(&exact)]);
        if i == 0 {
            assert_eq!(r.code, 0, "{r:?}");
            assert_eq!(report.files(), BTreeMap::from([("out/one.bin", MIB)]));
        } else {
            assert_eq!((r.code, r.error_code()), (7, "no_space"), "{r:?}");
            assert!(report.files().is_empty(), "{report:?}");
        }
    }
}

#[test]
fn a_disk_filling_up_while_writing_fails_cleanly() {
    let tmp = sandbox();
    if let Some(reason) = tmpfs_unavailable(&mkdir(tmp.path().join("probe"))) {
        println!("SKIPPED: {reason}");
        return;
    }
    // The pre-check counts declared bytes, but a tmpfs charges whole pages: N one-byte files
    // declare N bytes and take N pages. Sized so that the declared total plus the 64 MiB margin
    // fits, the small files fit, and the big file after them does not.
    let page = page_size();
    let size = 72 * MIB;
    let big = 7 * MIB;
    let n = (size - big + MIB) / page;
    assert!(n + big + 2 + 64 * MIB <= size, "the pre-check must pass");
    assert!(n * page < size && size - n * page < big, "the big file must not fit");

    let game = tmp.path().join("game");
    fs::create_dir(&game).expect("create");
    let mut writer = Writer::create(&game.join("full.rar")).expect("create");
    for i in 0..n {
        writer.add(&Entry::file(&format!("small/f{i:06}"), 1), &b"s"[..]).expect("add");
    }
    writer.add(&Entry::file("zbig.bin", big), pattern(13, big)).expect("add");
    writer.add(&Entry::file("zz-after.txt", 2), &b"zz"[..]).expect("add");
    writer.finish().expect("finish");

    let mnt = tmp.path().join("mnt");
    let dest = mnt.join("out");
    let (r, report) =
        in_tmpfs(&mnt, &format!("{}k", size / 1024), &["extract", "--dest", path(&dest), "--from", path(&game)]);
    assert_eq!((r.code, r.error_code()), (8, "destination"), "{:?}", r.last());
    let message = r.last()["message"].as_str().expect("message");
    assert!(message.contains("zbig.bin") && message.contains("No space left on device"), "{message}");
    // Every small file was reported and left complete; the big file was never reported, and
    // its partial data was removed, which gave its space back.
    let entries = r.of_type("entry");
    assert_eq!(entries.len() as u64, n);
    assert!(entries.iter().all(|e| e["path"].as_str().is_some_and(|p| p.starts_with("small/"))));
    let files = report.files();
    assert_eq!(
        files.len() as u64,
        n,
        "{:?}",
        files.keys().filter(|p| !p.starts_with("out/small/")).collect::<Vec<_>>()
    );
    assert!(files.iter().all(|(p, s)| p.starts_with("out/small/f") && *s == 1));
    assert!(report.available >= size - n * page - page, "the partial file's pages were freed: {report:?}");
}

fn mkdir(dir: PathBuf) -> PathBuf {
    fs::create_dir_all(&dir).expect("create folder");
    dir
}
