//! `lanparty-unrar`: the RAR extractor sidecar.
//!
//! The peer runs it as a subprocess, so that a crash in the C++ unpacking code (UnRAR, vendored
//! by `unrar_sys`) cannot take the peer down. It owns one job: turning a game's RAR archives
//! into plain files and folders under one destination, or refusing to, before writing anything,
//! when an archive is hostile, encrypted, damaged or too big. UnRAR only reads and decompresses;
//! every path on disk is computed and checked here, and every byte is written here.
//!
//! # Usage
//!
//! ```text
//! lanparty-unrar version
//! lanparty-unrar list    [--max-bytes N] (--from GAME_DIR | ARCHIVE...)
//! lanparty-unrar extract --dest DIR [--max-bytes N] [--exit-with-stdin] (--from GAME_DIR | ARCHIVE...)
//! ```
//!
//! `--from GAME_DIR` takes every archive at the top level of the folder (files ending in
//! `.rar`, any case; of a volume set only its first volume; never `.rev`, `.r00`.., `.sfx` or
//! `.exe`), sorted by name. Explicit `ARCHIVE`s are used in the order given and must each be an
//! archive or the first volume of a set. `list` runs every check `extract` runs except free
//! space, and prints what would be written. `extract` checks everything first, then writes into
//! `DIR` (created if missing), never overwriting a file. `--max-bytes` (default 1 TiB) bounds
//! the declared size of all files together. With `--exit-with-stdin` the sidecar exits (code 9)
//! as soon as its stdin reaches end of file: the caller keeps a pipe open and never writes to
//! it, so a caller that dies (even by SIGKILL) takes the extraction with it on every platform.
//!
//! # Output
//!
//! JSON lines on stdout, each `{"v":1,"type":...}`: `archive` (one per archive, before its
//! entries), `entry` (in `list`, each entry that would be written; in `extract`, each entry
//! written and verified), `progress` (at most every 250 ms while extracting), `done` (last
//! line on success) and `error` (last line on failure, with `code`, `exit`, `message` and, where
//! known, `archive` and `entry`). See `line.rs` and docs/DESIGN.md for every field.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | internal error (a bug, or stdout closed) |
//! | 2 | usage error |
//! | 3 | an archive cannot be used: missing, unreadable, not RAR, not the first volume, a recovery volume, no archives in `--from` |
//! | 4 | password protected (encrypted data or headers) |
//! | 5 | corrupt, truncated or incomplete (a volume missing), or data not matching its declared size or checksum |
//! | 6 | unsafe archive refused before writing: hostile name, link or special file, colliding paths, too many entries |
//! | 7 | too large: over `--max-bytes`, or not enough free space at the destination, before writing |
//! | 8 | destination error: cannot create or write there, a file already exists, or a written path is not a plain file or folder |
//! | 9 | `--exit-with-stdin`: stdin closed because the caller went away; no error line |
//!
//! Codes 3, 4, 6 and 7 (and 5 when found while checking headers) come before anything is
//! written. After a failure while writing, files already finished stay in `DIR`: the caller
//! extracts into a staging folder and discards it on a non-zero exit. Nothing is ever written
//! outside `DIR`.
//!
//! # Layout
//!
//! - `select`: which files are archives to open, and in what order.
//! - `ffi`: the only unsafe code: UnRAR's DLL API through `unrar_sys`.
//! - `names`: entry names to validated relative paths, and paths on disk.
//! - `plan`: the checks before writing; `endmark`: whether an archive was cut short.
//! - `extract`: writing, verifying, progress.
//! - `line`: the JSON lines; `error`: failures and exit codes.

mod endmark;
mod error;
mod extract;
mod ffi;
mod line;
mod names;
mod plan;
mod select;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::error::{Failure, exit};
use crate::line::{Line, Output};
use crate::select::NameKind;

/// UnRAR source release vendored by `unrar_sys` 0.5.8 (its `version.hpp`); the pin in
/// Cargo.toml keeps the two together.
const UNRAR_SOURCE_VERSION: &str = "7.1.0";

#[derive(Debug, Parser)]
#[command(name = "lanparty-unrar", version, about = "Lanparty's RAR extractor (JSON lines on stdout)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the sidecar's and UnRAR's versions.
    Version,
    /// Check a game's archives and print what extracting them would write.
    List(Source),
    /// Check a game's archives, then extract them into a folder.
    Extract {
        /// Folder to extract into (created if missing); nothing is written outside it.
        #[arg(long, value_name = "DIR")]
        dest: PathBuf,
        /// Exit (code 9) when stdin closes: the caller holds it open for as long as it lives.
        #[arg(long)]
        exit_with_stdin: bool,
        #[command(flatten)]
        source: Source,
    },
}

#[derive(Debug, Args)]
struct Source {
    /// Take every archive at the top level of this folder, sorted by name.
    #[arg(long, value_name = "GAME_DIR", conflicts_with = "archives", required_unless_present = "archives")]
    from: Option<PathBuf>,
    /// Archives (first volumes of sets), in the order to extract them.
    #[arg(value_name = "ARCHIVE")]
    archives: Vec<PathBuf>,
    /// Refuse when the files declared by all archives together exceed this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = plan::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = e.print();
            let failure = Failure::Usage(usage_message(&e));
            let mut out = Output::new(std::io::stdout().lock());
            let _ = out.emit(&Line::error(&failure));
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut out = Output::new(std::io::stdout().lock());
    match run(cli.command, &mut out) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(failure) => {
            let _ = out.emit(&Line::error(&failure));
            ExitCode::from(failure.exit_code())
        }
    }
}

/// One line from clap's error for the error line; stderr has the full text.
fn usage_message(e: &clap::Error) -> String {
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return "a subcommand is required (version, list or extract): see --help".into();
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
    format!("{}: see --help", first.trim_start_matches("error: ").trim())
}

fn run<W: Write>(command: Command, out: &mut Output<W>) -> Result<(), Failure> {
    match command {
        Command::Version => out.emit(&Line::Version {
            version: env!("CARGO_PKG_VERSION"),
            unrar: UNRAR_SOURCE_VERSION,
            unrar_api: ffi::dll_api_version(),
        }),
        Command::List(source) => {
            let archives = resolve(&source)?;
            let (plans, total) = plan::scan_all(&archives, source.max_bytes)?;
            let mut entries = 0;
            for p in &plans {
                out.emit(&extract::archive_line(p))?;
                for e in p.written() {
                    out.emit(&extract::entry_line(&p.path, e))?;
                    entries += 1;
                }
            }
            out.emit(&Line::Done { archives: plans.len(), entries, bytes: total })
        }
        Command::Extract { dest, exit_with_stdin, source } => {
            if exit_with_stdin {
                exit_when_stdin_closes();
            }
            let archives = resolve(&source)?;
            let (plans, total) = plan::scan_all(&archives, source.max_bytes)?;
            // Free space first, where `DEST` is or will be, so a refusal leaves nothing behind.
            let available = extract::available_space(&extract::nearest_existing(&dest))?;
            plan::check_space(&dest, total, available)?;
            let root = extract::prepare_root(&dest)?;
            extract::extract_all(&plans, total, &root, out)
        }
    }
}

/// Watches stdin on a thread of its own and ends the process when it reaches end of file (or
/// fails): the caller is gone, and nobody is left to want the rest of the extraction. Files
/// already written stay in the staging folder, which the caller's recovery discards.
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        std::process::exit(i32::from(exit::CALLER_GONE));
    });
}

/// The archives to open, from `--from` or the explicit list.
fn resolve(source: &Source) -> Result<Vec<PathBuf>, Failure> {
    if let Some(dir) = &source.from {
        return from_dir(dir);
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for path in &source.archives {
        check_explicit(path)?;
        let real =
            std::fs::canonicalize(path).map_err(|source| Failure::ArchiveUnreadable { path: path.clone(), source })?;
        if seen.contains(&real) {
            return Err(Failure::GivenTwice { path: path.clone() });
        }
        seen.push(real);
    }
    Ok(source.archives.clone())
}

fn check_explicit(path: &Path) -> Result<(), Failure> {
    let meta = std::fs::metadata(path).map_err(|source| Failure::ArchiveUnreadable { path: path.into(), source })?;
    if meta.is_dir() {
        return Err(Failure::Usage(format!("{} is a folder: use --from {0}", path.display())));
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match select::classify(&file_name) {
        NameKind::Single | NameKind::FirstVolume => Ok(()),
        NameKind::LaterVolume { first } | NameKind::OldStyleVolume { first } => {
            Err(Failure::NotFirstVolume { path: path.into(), first })
        }
        NameKind::Recovery => Err(Failure::RecoveryVolume { path: path.into() }),
        NameKind::Other => Err(Failure::NotRarName { path: path.into() }),
    }
}

fn from_dir(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let unreadable = |source| Failure::FolderUnreadable { dir: dir.into(), source };
    // `select` works on names as text; each keeps the name on disk, which may not be UTF-8.
    let mut found: Vec<(String, std::ffi::OsString)> = Vec::new();
    for item in std::fs::read_dir(dir).map_err(unreadable)? {
        let item = item.map_err(unreadable)?;
        if std::fs::metadata(item.path()).is_ok_and(|m| m.is_file()) {
            let name = item.file_name();
            found.push((name.to_string_lossy().into_owned(), name));
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    let names: Vec<String> = found.iter().map(|(text, _)| text.clone()).collect();
    let chosen = select::select(&names).map_err(|e| match e {
        select::SelectError::NoArchives => Failure::NoArchives { dir: dir.into() },
        select::SelectError::MissingFirstVolume { volume, first } => {
            Failure::MissingFirstVolume { dir: dir.into(), volume, first }
        }
        select::SelectError::SelfExtractingFirstVolume { volume, sfx, first } => {
            Failure::SelfExtractingFirstVolume { dir: dir.into(), volume, sfx, first }
        }
    })?;
    // `select` returns a chosen name once for each file it stands for.
    let mut paths = Vec::with_capacity(chosen.len());
    for text in chosen {
        let at = found
            .iter()
            .position(|(t, _)| *t == text)
            .ok_or_else(|| Failure::Internal(format!("{text} was chosen but not found")))?;
        paths.push(dir.join(found.remove(at).1));
    }
    Ok(paths)
}
