//! `lanparty-demo-library`: writes a games folder of demo games that really install and run.
//!
//! ```text
//! lanparty-demo-library [--games ID,...] [--mib N] [--catalog FILE] GAMES_DIR
//! ```
//!
//! Each game is a catalog game (`<GAMES_DIR>/<id>/`) holding stored RAR 5 archives and a root
//! `version.ini` with the catalog's version, so a peer shares it and an install extracts it.
//! The archives hold `game_start.sh` and `game_start.cmd` (they write their arguments,
//! `USERNAME LANGUAGE`, one per line, to `played.txt` in the installation, print a greeting and
//! open a terminal or console window saying hello), `server_start.sh` and `server_start.cmd` for
//! games that can host a server, a `README.txt`, and `data/` files of pseudo-random bytes.
//! Games are laid out differently on purpose (see [`LAYOUTS`]): one archive, a multi-volume set
//! (`x.part1.rar`, ...), several archives, or an archive beside a volume set.
//!
//! Without `--games` it writes the demo set of [`LAYOUTS`]; `--games` picks catalog games by id
//! (each with its layout from the table, else one archive) and `--mib` sets every game's data size
//! in MiB. A game folder that already exists is kept as it is, so a second run writes nothing;
//! a game is written in a hidden folder and renamed into place once whole.
//!
//! Exit codes: 0 success, 1 writing failed, 2 usage error.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lanparty_testkit::pattern::pattern;
use lanparty_testkit::rar5::{self, Entry, Writer};

const USAGE: &str = "usage: lanparty-demo-library [--games ID,...] [--mib N] [--catalog FILE] GAMES_DIR";

const MIB: u64 = 1024 * 1024;
/// Size of the pieces the data is cut into, so that installs have several files to show.
const DATA_FILE_BYTES: u64 = 8 * MIB;

/// How a game's files are packed.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// `<id>.rar` with everything.
    Single,
    /// `<id>.part1.rar` ... `<id>.partN.rar`: one set of N volumes.
    Volumes(u32),
    /// `<id>.rar` with the scripts, and `<id>-data1.rar` ... `<id>-dataN.rar` with the data (at
    /// most one archive per data file).
    Several(u32),
    /// `<id>.rar` with the scripts, and the data in a set `<id>-data.partN.rar` of N volumes.
    Mixed(u32),
}

/// The demo set: catalog id, layout, MiB of data. Sizes make a download last a few seconds at
/// the demo seed's upload limit, so its progress can be watched.
const LAYOUTS: &[(&str, Layout, u64)] = &[
    ("0ad", Layout::Single, 24),
    ("armagetronad", Layout::Volumes(4), 16),
    ("openttd", Layout::Several(3), 32),
    ("teeworlds", Layout::Single, 8),
    ("wesnoth", Layout::Mixed(5), 48),
    ("supertuxkart", Layout::Volumes(3), 40),
];

struct Args {
    games_dir: PathBuf,
    games: Option<Vec<String>>,
    mib: Option<u64>,
    catalog: PathBuf,
}

/// What the generator needs of a catalog entry.
#[derive(Debug)]
struct Game {
    id: String,
    title: String,
    version: String,
    can_host_server: bool,
}

type Error = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1).collect()) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("lanparty-demo-library: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lanparty-demo-library: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Error> {
    let catalog = read_catalog(&args.catalog)?;
    let wanted: Vec<(String, Layout, u64)> = match &args.games {
        None => LAYOUTS.iter().map(|&(id, layout, mib)| (id.to_owned(), layout, mib)).collect(),
        Some(ids) => ids
            .iter()
            .map(|id| {
                let (layout, mib) =
                    LAYOUTS.iter().find(|(known, ..)| known == id).map_or((Layout::Single, 8), |&(_, l, m)| (l, m));
                (id.clone(), layout, mib)
            })
            .collect(),
    };
    fs::create_dir_all(&args.games_dir).map_err(|e| format!("cannot create {}: {e}", args.games_dir.display()))?;
    for (id, layout, mib) in wanted {
        let game = catalog
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| format!("{id} is not in the catalog {}: use one of its ids", args.catalog.display()))?;
        let root = args.games_dir.join(&game.id);
        if root.exists() {
            println!("kept {}", root.display());
            continue;
        }
        let bytes = args.mib.unwrap_or(mib) * MIB;
        let staging = args.games_dir.join(format!(".{}.partial", game.id));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| format!("cannot remove {}: {e}", staging.display()))?;
        }
        fs::create_dir(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
        let archives = write_game(&staging, game, layout, bytes)?;
        fs::write(staging.join("version.ini"), format!("{}\n", game.version))?;
        fs::rename(&staging, &root)
            .map_err(|e| format!("cannot rename {} to {}: {e}", staging.display(), root.display()))?;
        println!(
            "wrote {} {} ({} MiB of data in {archives} archive file(s))",
            root.display(),
            game.version,
            bytes / MIB
        );
    }
    Ok(())
}

/// One file of a game: its archive entry and where its bytes come from.
struct GameFile {
    entry: Entry,
    content: Content,
}

enum Content {
    Text(String),
    /// Pattern bytes of this seed ([`pattern`]).
    Pattern(u64),
}

impl GameFile {
    fn reader(&self) -> Box<dyn Read + '_> {
        match &self.content {
            Content::Text(text) => Box::new(text.as_bytes()),
            Content::Pattern(seed) => Box::new(pattern(*seed, self.entry.size())),
        }
    }
}

/// Writes the game's archives into `dir`; returns how many archive files it wrote.
fn write_game(dir: &Path, game: &Game, layout: Layout, data_bytes: u64) -> Result<usize, Error> {
    let scripts = scripts(game);
    let data = data_files(game, data_bytes);
    let all: Vec<&GameFile> = scripts.iter().chain(&data).collect();
    let data: Vec<&GameFile> = data.iter().collect();
    let scripts: Vec<&GameFile> = scripts.iter().collect();
    let id = &game.id;
    Ok(match layout {
        Layout::Single => write_archive(&dir.join(format!("{id}.rar")), &all)?,
        Layout::Volumes(count) => write_volumes(dir, id, &all, count)?,
        Layout::Several(count) => {
            // Data file i goes into archive i % count, so no archive is empty.
            let count = usize::try_from(count.max(1))?.min(data.len());
            let mut written = write_archive(&dir.join(format!("{id}.rar")), &scripts)?;
            for n in 0..count {
                let part: Vec<&GameFile> = data.iter().skip(n).step_by(count).copied().collect();
                written += write_archive(&dir.join(format!("{id}-data{}.rar", n + 1)), &part)?;
            }
            written
        }
        Layout::Mixed(count) => {
            write_archive(&dir.join(format!("{id}.rar")), &scripts)?
                + write_volumes(dir, &format!("{id}-data"), &data, count)?
        }
    })
}

/// Writes one archive; returns 1, the number of archive files written.
fn write_archive(path: &Path, files: &[&GameFile]) -> Result<usize, rar5::Error> {
    let mut writer = Writer::create(path)?;
    for file in files {
        writer.add(&file.entry, file.reader())?;
    }
    writer.finish()?;
    Ok(1)
}

/// Writes a set `{stem}.part1.rar`, ... of about `count` volumes; returns how many it wrote.
fn write_volumes(dir: &Path, stem: &str, files: &[&GameFile], count: u32) -> Result<usize, rar5::Error> {
    // Headers add a little, so the last volume may be small or one more may follow.
    let total: u64 = files.iter().map(|f| f.entry.size()).sum();
    let volume_size = (total / u64::from(count.max(1))).max(64 * 1024) + 4096;
    let mut writer = rar5::VolumeWriter::create(dir, stem, volume_size)?;
    for file in files {
        writer.add(&file.entry, file.reader())?;
    }
    Ok(writer.finish()?.len())
}

/// The data files: `data/<id>-N.pak` of [`DATA_FILE_BYTES`] (the last one shorter), each with
/// its own pattern seed.
fn data_files(game: &Game, bytes: u64) -> Vec<GameFile> {
    // FNV-1a of the id, so that every game has other bytes.
    let seed_base =
        game.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut files = Vec::new();
    let mut left = bytes;
    let mut n = 0_u64;
    while left > 0 {
        let size = left.min(DATA_FILE_BYTES);
        let name = format!("data/{}-{}.pak", game.id, n + 1);
        files.push(GameFile {
            entry: Entry::file(&name, size).mtime(rar5::fixed_mtime()),
            content: Content::Pattern(seed_base.wrapping_add(n)),
        });
        left -= size;
        n += 1;
    }
    files
}

/// The scripts and the readme.
fn scripts(game: &Game) -> Vec<GameFile> {
    let title = format!("{} {}", game.title, game.version);
    let sh_title = sh_quote(&title);
    let cmd_title = cmd_safe(&title);
    let comment_title = title.replace(['\r', '\n'], " ");
    let mut files = vec![
        (
            "game_start.sh",
            format!(
                r#"#!/bin/sh
# Lanparty demo game: {comment_title}. Lanparty runs this in the installation folder with
# the arguments USERNAME LANGUAGE.
title={sh_title}
printf '%s\n' "$@" > played.txt
echo "Hello $1, this is $title (language: $2)."
# Say hello in a window, when there is a display and a terminal or notifications to show it.
if [ -n "$DISPLAY$WAYLAND_DISPLAY" ]; then
  if command -v x-terminal-emulator >/dev/null 2>&1; then
    x-terminal-emulator -e sh -c 'echo "Hello $1, this is $2."; echo "(A Lanparty demo game: it wrote played.txt in $PWD.)"; echo; echo "Press Enter to close."; read _' sh "$1" "$title" &
  elif command -v notify-send >/dev/null 2>&1; then
    notify-send "Lanparty demo" "Hello $1, this is $title." || true
  fi
fi
"#
            ),
            0o755,
        ),
        (
            "game_start.cmd",
            crlf(&format!(
                r#"@echo off
rem Lanparty demo game: {cmd_title}. Lanparty runs this in the installation folder with the
rem arguments USERNAME LANGUAGE.
>played.txt echo %~1
>>played.txt echo %~2
echo Hello %~1, this is {cmd_title} (language: %~2).
start "{cmd_title}" cmd /d /k "echo Hello %~1, this is {cmd_title}. & echo (A Lanparty demo game: it wrote played.txt in %CD%.)"
"#
            )),
            0o644,
        ),
        (
            "README.txt",
            crlf(&format!(
                "{title}: a Lanparty demo game.\n\nIt is not the real game: Play runs game_start.sh (game_start.cmd on Windows),\nwhich writes the player's name and language to played.txt and says hello.\n"
            )),
            0o644,
        ),
    ];
    if game.can_host_server {
        files.push((
            "server_start.sh",
            format!(
                r#"#!/bin/sh
# Lanparty demo server: {comment_title}. Run with the arguments USERNAME LANGUAGE.
title={sh_title}
printf '%s\n' "$@" > server.txt
echo "Demo server of $title, started by $1: running (it serves nobody, this is a demo)."
echo "Press Enter to stop it."
read _ || true
"#
            ),
            0o755,
        ));
        files.push((
            "server_start.cmd",
            crlf(&format!(
                r#"@echo off
rem Lanparty demo server: {cmd_title}. Run with the arguments USERNAME LANGUAGE.
>server.txt echo %~1
>>server.txt echo %~2
echo Demo server of {cmd_title}, started by %~1: running. It serves nobody, this is a demo.
"#
            )),
            0o644,
        ));
    }
    files
        .into_iter()
        .map(|(name, text, mode)| GameFile {
            entry: Entry::file(name, text.len() as u64).mtime(rar5::fixed_mtime()).unix_mode(mode),
            content: Content::Text(text),
        })
        .collect()
}

/// `text` as one single-quoted shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` without the characters cmd.exe treats specially outside quotes.
fn cmd_safe(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '&' | '|' | '<' | '>' | '^' | '%' | '"' | '(' | ')')).collect()
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn read_catalog(path: &Path) -> Result<Vec<Game>, Error> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read the catalog {}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a catalog: {e}", path.display()))?;
    let games = value["games"].as_array().ok_or_else(|| format!("{}: no `games` list", path.display()))?;
    games
        .iter()
        .map(|g| {
            let field = |name: &str| {
                g[name].as_str().map(str::to_owned).ok_or_else(|| format!("{}: a game lacks `{name}`", path.display()))
            };
            Ok(Game {
                id: field("id")?,
                title: field("title")?,
                version: field("version")?,
                can_host_server: g["can_host_server"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

fn parse_args(args: Vec<String>) -> Result<Args, String> {
    let mut games = None;
    let mut mib = None;
    let mut catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/catalog.json");
    let mut positional = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--games" => {
                let value = args.next().ok_or("--games needs a value")?;
                games = Some(value.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect());
            }
            "--mib" => {
                let value = args.next().ok_or("--mib needs a value")?;
                mib = Some(value.parse::<u64>().map_err(|_| format!("--mib {value:?} is not a whole number"))?);
            }
            "--catalog" => catalog = PathBuf::from(args.next().ok_or("--catalog needs a value")?),
            "-h" | "--help" => return Err("help requested".to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let [games_dir]: [PathBuf; 1] = positional.try_into().map_err(|_| "expected one argument, GAMES_DIR".to_owned())?;
    Ok(Args { games_dir, games, mib, catalog })
}
