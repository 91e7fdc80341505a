//! Helpers for the sidecar's tests: running the real binary in a fresh temp folder, reading the
//! fixtures' `.exp` dumps, walking and snapshotting folders, and patching entry names into
//! copies of real archives (with their header checksums fixed) to make hostile ones.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The RAR-made archives kept with the test tooling. Read-only: tests copy them into a temp
/// folder first.
pub fn fixtures() -> PathBuf {
    let dir = lanparty_testkit::rar_fixtures();
    assert!(dir.is_dir(), "{} is missing", dir.display());
    dir
}

/// A fresh temp folder holding a copy of every fixture in `src/`.
pub struct Sandbox {
    pub tmp: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let src = tmp.path().join("src");
        fs::create_dir(&src).expect("create src");
        for item in fs::read_dir(fixtures()).expect("fixtures readable") {
            let item = item.expect("fixture entry");
            let to = src.join(item.file_name());
            fs::copy(item.path(), &to).expect("copy fixture");
            let mut perms = fs::metadata(&to).expect("copied").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            fs::set_permissions(&to, perms).expect("make the copy writable");
        }
        Self { tmp }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A fixture's copy.
    pub fn src(&self, name: &str) -> PathBuf {
        self.path().join("src").join(name)
    }

    /// A new folder holding copies of the named fixtures.
    pub fn game(&self, dir: &str, names: &[&str]) -> PathBuf {
        let game = self.path().join(dir);
        fs::create_dir_all(&game).expect("create game folder");
        for name in names {
            fs::copy(self.src(name), game.join(name)).expect("copy into game");
        }
        game
    }
}

/// One run of the real binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub lines: Vec<Value>,
    pub stderr: String,
}

impl Run {
    pub fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == kind).collect()
    }

    pub fn last(&self) -> &Value {
        self.lines.last().expect("at least one line")
    }

    /// The error line's `code`, or "" after a success.
    pub fn error_code(&self) -> &str {
        self.of_type("error").first().and_then(|l| l["code"].as_str()).unwrap_or("")
    }

    /// `(archive file name, entry path)` of every `entry` line.
    pub fn entries(&self) -> Vec<(String, String)> {
        self.of_type("entry")
            .iter()
            .map(|l| {
                let archive = Path::new(l["archive"].as_str().expect("archive"))
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned();
                (archive, l["path"].as_str().expect("path").to_owned())
            })
            .collect()
    }

    /// File names of the `archive` lines, in order.
    pub fn archives(&self) -> Vec<String> {
        self.of_type("archive")
            .iter()
            .map(|l| Path::new(l["path"].as_str().expect("path")).file_name().expect("name").to_string_lossy().into())
            .collect()
    }
}

/// Runs `lanparty-unrar ARGS` in `cwd`, checking the output contract on the way: every stdout
/// line is a JSON object with `"v":1` and a `type`, a failure ends with exactly one error line
/// whose `exit` is the exit code, a success ends with `done`.
pub fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lanparty-unrar")).args(args).current_dir(cwd).output().expect("run");
    let code = out.status.code().expect("exited, not killed");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for l in &lines {
        assert_eq!(l["v"], 1, "{l}");
        assert!(l["type"].is_string(), "{l}");
    }
    let run = Run { code, lines, stderr: String::from_utf8_lossy(&out.stderr).into_owned() };
    let errors = run.of_type("error");
    if code == 0 {
        assert!(errors.is_empty(), "{run:?}");
        if args.first() != Some(&"version") {
            assert_eq!(run.last()["type"], "done", "{run:?}");
        }
    } else {
        assert_eq!(errors.len(), 1, "{run:?}");
        assert_eq!(run.last()["type"], "error", "{run:?}");
        assert_eq!(run.last()["exit"], code, "{run:?}");
        let message = run.last()["message"].as_str().expect("message");
        assert!(!message.is_empty() && message.len() < 400, "short message: {message}");
    }
    run
}

/// What a file or folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir,
    File { size: u64, crc: u32 },
}

/// Every file and folder under `root`, by `/`-separated relative path; panics on anything else
/// (a symlink, a fifo).
pub fn walk(root: &Path) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    walk_into(root, root, &mut out);
    out
}

fn walk_into(root: &Path, dir: &Path, out: &mut BTreeMap<String, Node>) {
    for item in fs::read_dir(dir).expect("readable") {
        let path = item.expect("entry").path();
        let rel = path.strip_prefix(root).expect("inside").to_string_lossy().replace('\\', "/");
        let meta = fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_dir() {
            out.insert(rel, Node::Dir);
            walk_into(root, &path, out);
        } else {
            assert!(meta.file_type().is_file(), "{} is neither a file nor a folder", path.display());
            let data = fs::read(&path).expect("read");
            out.insert(rel, Node::File { size: data.len() as u64, crc: crc32fast::hash(&data) });
        }
    }
}

/// Everything under `root`, links included and not followed: to prove nothing changed.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (String, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for item in fs::read_dir(&dir).expect("readable") {
            let path = item.expect("entry").path();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            let kind = format!("{:?}", meta.file_type());
            if meta.file_type().is_dir() {
                stack.push(path.clone());
            }
            out.insert(path, (kind, meta.len()));
        }
    }
    out
}

/// One entry of a `.exp` dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpEntry {
    pub name: String,
    pub is_dir: bool,
    pub is_link: bool,
    pub size: u64,
    pub crc: Option<u32>,
}

/// Parses a `.exp` dump (rarfile's): an entry starts at a `FILE:` or `R5_FILE:` line carrying
/// `is=F--` (file), `-D-` (folder) or `--L` (link); `name=`, `dec=` and `crc=0x` follow.
pub fn parse_exp(path: &Path) -> Vec<ExpEntry> {
    let text = fs::read_to_string(path).expect("exp readable");
    let mut out: Vec<ExpEntry> = Vec::new();
    for line in text.lines() {
        if line.starts_with("FILE:") || line.starts_with("R5_FILE:") {
            let is = line.split("is=").nth(1).expect("is= field");
            out.push(ExpEntry {
                name: String::new(),
                is_dir: is.starts_with("-D"),
                is_link: is.starts_with("--L"),
                size: 0,
                crc: None,
            });
            continue;
        }
        let Some(e) = out.last_mut() else { continue };
        let line = line.trim_start();
        if let Some(name) = line.strip_prefix("name=") {
            e.name = name.trim_end_matches('/').to_owned();
        }
        for field in line.split_whitespace() {
            if let Some(dec) = field.strip_prefix("dec=") {
                e.size = dec.parse().expect("dec is a number");
            }
            if let Some(crc) = field.strip_prefix("crc=0x") {
                e.crc = Some(u32::from_str_radix(crc, 16).expect("crc is hex"));
            }
        }
    }
    out
}

/// Files by path: size and CRC (`None` for BLAKE2 archives).
pub type ExpectedFiles = BTreeMap<String, (u64, Option<u32>)>;

/// What extracting an archive described by `exp` must leave: its files with sizes and CRCs
/// (CRC `None` for BLAKE2 archives), and its folders with every parent of every entry.
pub fn expected_tree(exp: &[ExpEntry]) -> (ExpectedFiles, Vec<String>) {
    let mut files = BTreeMap::new();
    let mut dirs = std::collections::BTreeSet::new();
    for e in exp {
        assert!(!e.is_link, "archives with links are refused, not compared");
        if e.is_dir {
            dirs.insert(e.name.clone());
        } else {
            files.insert(e.name.clone(), (e.size, e.crc));
        }
        let mut parent = e.name.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            dirs.insert(p.to_owned());
            parent = p;
        }
    }
    (files, dirs.into_iter().collect())
}

/// Replaces an entry name in a copy of a RAR archive with another of the same length and fixes
/// the checksum of the header holding it (RAR 1.5-4: CRC32's low 16 bits over the header after
/// its CRC field; RAR 5: CRC32 over the header size and header).
pub fn patch_name(archive: &Path, old: &str, new: &str) {
    assert_eq!(old.len(), new.len(), "names must keep their length");
    let mut data = fs::read(archive).expect("read archive");
    let at = data.windows(old.len()).position(|w| w == old.as_bytes()).expect("old name in archive");
    data[at..at + new.len()].copy_from_slice(new.as_bytes());
    if data.starts_with(b"Rar!\x1a\x07\x01\x00") {
        let mut pos = 8;
        loop {
            let (head_size, n) = vint(&data[pos + 4..]);
            let header = pos + 4 + n;
            let end = header + head_size as usize;
            let (_, t) = vint(&data[header..]);
            let (flags, f) = vint(&data[header + t..]);
            let mut p = header + t + f;
            if flags & 1 != 0 {
                p += vint(&data[p..]).1;
            }
            let data_size = if flags & 2 != 0 { vint(&data[p..]).0 } else { 0 };
            if (pos..end).contains(&at) {
                let crc = crc32fast::hash(&data[pos + 4..end]);
                data[pos..pos + 4].copy_from_slice(&crc.to_le_bytes());
                break;
            }
            pos = end + data_size as usize;
        }
    } else {
        assert!(data.starts_with(b"Rar!\x1a\x07\x00"), "a RAR archive");
        let mut pos = 7;
        loop {
            let flags = u16::from_le_bytes([data[pos + 3], data[pos + 4]]);
            let head_size = u16::from_le_bytes([data[pos + 5], data[pos + 6]]) as usize;
            let add = if flags & 0x8000 != 0 {
                u32::from_le_bytes([data[pos + 7], data[pos + 8], data[pos + 9], data[pos + 10]]) as usize
            } else {
                0
            };
            if (pos..pos + head_size).contains(&at) {
                let crc = (crc32fast::hash(&data[pos + 2..pos + head_size]) & 0xffff) as u16;
                data[pos..pos + 2].copy_from_slice(&crc.to_le_bytes());
                break;
            }
            pos += head_size + add;
        }
    }
    fs::write(archive, data).expect("write patched archive");
}

fn vint(bytes: &[u8]) -> (u64, usize) {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    panic!("bad vint");
}

/// The sidecar binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_lanparty-unrar")
}

/// Like [`run`], for a sidecar started some other way (through `unshare`, say): the same
/// output contract is checked on the finished process's output (never a `version` run).
pub fn check_output(out: std::process::Output) -> Run {
    let code = out.status.code().expect("exited, not killed");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for l in &lines {
        assert_eq!(l["v"], 1, "{l}");
        assert!(l["type"].is_string(), "{l}");
    }
    let run = Run { code, lines, stderr: String::from_utf8_lossy(&out.stderr).into_owned() };
    let errors = run.of_type("error");
    if code == 0 {
        assert!(errors.is_empty(), "{run:?}");
        assert_eq!(run.last()["type"], "done", "{run:?}");
    } else {
        assert_eq!(errors.len(), 1, "{run:?}");
        assert_eq!(run.last()["type"], "error", "{run:?}");
        assert_eq!(run.last()["exit"], code, "{run:?}");
        let message = run.last()["message"].as_str().expect("message");
        assert!(!message.is_empty() && message.len() < 400, "short message: {message}");
    }
    run
}
