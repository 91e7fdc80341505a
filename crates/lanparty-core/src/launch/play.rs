//! Play and Start Server: running an installed game's scripts.
//!
//! - Play runs `local/game_start.sh` on Linux (`game_start.cmd` on Windows) in `local/`, with the
//!   arguments `USERNAME LANGUAGE`. The first Play of an installation first writes the player's
//!   name and language into the emulator files the game has (`account_name.txt`,
//!   `language.txt`, the `PersonaName` of `SmartSteamEmu.ini`, anywhere in `local/`), then runs
//!   `game_setup` (same arguments) to its end if the game has one. Each is recorded in
//!   `<state>/markers/<game>.json` only once it happened; an install or update removes the
//!   record, so the new installation is stamped and set up again.
//! - Start Server runs `server_start` (same arguments) in a console the player can see: on
//!   Windows `cmd /k` in a new window, on Linux `x-terminal-emulator` when there is one and a
//!   display; otherwise its output goes to `<state>/logs/server-<game>.log`.
//!
//! The game's own output goes to `<state>/logs/play-<game>.log`. Scripts are run through the
//! shell (`sh SCRIPT`, `cmd /c SCRIPT`), so archives made on Windows, which store no execute
//! bit, still start.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use super::stamp::{self, Language, StampError, Username};
use crate::catalog::GameId;
use crate::library::LOCAL_DIR;
use crate::state::write_atomic;

/// Deepest folder searched for the emulator files.
const STAMP_DEPTH: usize = 8;

/// Which script to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Play,
    Server,
}

impl Script {
    fn stem(self) -> &'static str {
        match self {
            Script::Play => "game_start",
            Script::Server => "server_start",
        }
    }
}

/// The script file for `stem` on this platform.
fn script_name(stem: &str) -> String {
    if cfg!(windows) { format!("{stem}.cmd") } else { format!("{stem}.sh") }
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("{game} is not installed: install it first")]
    NotInstalled { game: GameId },
    #[error("{game} has no {script} in its installation, so it cannot be {what} from Lanparty")]
    NoScript { game: GameId, script: String, what: &'static str },
    #[error(transparent)]
    Name(#[from] StampError),
    #[error("cannot run {}: {source}", script.display())]
    Spawn { script: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// What a launch did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Launched {
    pub script: String,
    pub pid: u32,
    /// `game_setup` ran first (the first Play of this installation).
    pub setup_ran: bool,
    /// Emulator files that got the username and language.
    pub stamped: Vec<String>,
    /// Where the script's output goes, when not to a console.
    pub log: Option<PathBuf>,
}

/// What the first Play of an installation has done.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Marker {
    stamped: bool,
    setup_done: bool,
}

/// `<state>/markers/<game>.json`.
pub fn marker_path(state_root: &Path, game: &GameId) -> PathBuf {
    state_root.join("markers").join(format!("{game}.json"))
}

/// Forgets the first-Play record of `game` (a new installation is stamped and set up again).
pub fn clear_marker(state_root: &Path, game: &GameId) {
    let _ = fs::remove_file(marker_path(state_root, game));
}

/// One game's launch context.
#[derive(Debug)]
pub struct Launch<'a> {
    pub game: &'a GameId,
    pub root: &'a Path,
    pub state_root: &'a Path,
    pub username: &'a str,
    pub language: &'a str,
}

impl Launch<'_> {
    fn local(&self) -> PathBuf {
        self.root.join(LOCAL_DIR)
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> LaunchError + use<> {
        let path = path.to_path_buf();
        move |source| LaunchError::Io { path, source }
    }

    /// Runs the game (after the first Play's stamping and setup). Does not wait for it.
    pub fn play(&self) -> Result<Launched, LaunchError> {
        let (name, language) = (Username::new(self.username)?, Language::new(self.language)?);
        let local = self.local();
        if !fs::symlink_metadata(&local).is_ok_and(|m| m.is_dir()) {
            return Err(LaunchError::NotInstalled { game: self.game.clone() });
        }
        let start = local.join(script_name(Script::Play.stem()));
        if !start.is_file() {
            return Err(LaunchError::NoScript {
                game: self.game.clone(),
                script: script_name(Script::Play.stem()),
                what: "played",
            });
        }
        let marker_file = marker_path(self.state_root, self.game);
        let mut marker: Marker =
            fs::read(&marker_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let mut stamped = Vec::new();
        if !marker.stamped {
            stamped = stamp_tree(&local, &name, &language)?;
            marker.stamped = true;
            save(&marker_file, &marker)?;
        }
        let args = stamp::game_start_args(&name, &language);
        let mut setup_ran = false;
        let setup = local.join(script_name("game_setup"));
        let log = self.state_root.join("logs").join(format!("play-{}.log", self.game));
        if !marker.setup_done && setup.is_file() {
            let (out, err) = log_files(&log)?;
            let mut child = script_command(&setup, &local, &args)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .map_err(|source| LaunchError::Spawn { script: setup.clone(), source })?;
            // Recorded once it launched: a setup that fails is the game's to report.
            marker.setup_done = true;
            save(&marker_file, &marker)?;
            let _ = child.wait();
            setup_ran = true;
        }
        let pid = spawn_logged(&start, &local, &args, &log)?;
        Ok(Launched { script: script_name(Script::Play.stem()), pid, setup_ran, stamped, log: Some(log) })
    }

    /// Runs the game's server in a visible console (or with its output in a log).
    pub fn start_server(&self) -> Result<Launched, LaunchError> {
        let (name, language) = (Username::new(self.username)?, Language::new(self.language)?);
        let local = self.local();
        if !fs::symlink_metadata(&local).is_ok_and(|m| m.is_dir()) {
            return Err(LaunchError::NotInstalled { game: self.game.clone() });
        }
        let script = local.join(script_name(Script::Server.stem()));
        if !script.is_file() {
            return Err(LaunchError::NoScript {
                game: self.game.clone(),
                script: script_name(Script::Server.stem()),
                what: "hosted",
            });
        }
        let args = stamp::game_start_args(&name, &language);
        if let Some(mut console) = console_command(&script, &local, &args) {
            // The terminal's own chatter must not reach our stdout (the peer's protocol).
            if let Ok(child) = console.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
                let pid = child.id();
                reap(child);
                return Ok(Launched {
                    script: script_name(Script::Server.stem()),
                    pid,
                    setup_ran: false,
                    stamped: vec![],
                    log: None,
                });
            }
        }
        let log = super::logs::server_log_path(self.state_root, self.game);
        let pid = spawn_logged(&script, &local, &args, &log)?;
        Ok(Launched {
            script: script_name(Script::Server.stem()),
            pid,
            setup_ran: false,
            stamped: vec![],
            log: Some(log),
        })
    }
}

fn save(path: &Path, marker: &Marker) -> Result<(), LaunchError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(Launch::io(dir))?;
    }
    let bytes = serde_json::to_vec(marker)
        .map_err(|e| LaunchError::Io { path: path.to_path_buf(), source: io::Error::other(e) })?;
    write_atomic(path, &bytes).map_err(Launch::io(path))
}

/// Writes the username and language into every emulator file under `local` (not following
/// links); returns their paths relative to `local`.
fn stamp_tree(local: &Path, name: &Username, language: &Language) -> Result<Vec<String>, LaunchError> {
    let mut done = Vec::new();
    let mut stack = vec![(local.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                if depth < STAMP_DEPTH {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let file_name = entry.file_name().to_string_lossy().to_lowercase();
            let new = if file_name == stamp::ACCOUNT_NAME_FILE.to_lowercase() {
                Some(stamp::account_name_txt(name))
            } else if file_name == stamp::LANGUAGE_FILE.to_lowercase() {
                Some(stamp::language_txt(language))
            } else if file_name == stamp::SMARTSTEAMEMU_INI.to_lowercase() {
                let old = fs::read(&path).map_err(Launch::io(&path))?;
                match stamp::stamp_persona_name(&old, name) {
                    Ok(new) => Some(new),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "left as it was");
                        None
                    }
                }
            } else {
                None
            };
            if let Some(bytes) = new {
                write_atomic(&path, &bytes).map_err(Launch::io(&path))?;
                let rel = path.strip_prefix(local).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                done.push(rel);
            }
        }
    }
    done.sort();
    Ok(done)
}

/// The script's bare file name: it runs with `cwd` set to its folder. cmd.exe mangles a command
/// line that starts with a quoted path when an argument is quoted too (a username with a space),
/// and a full path may hold spaces, `(x86)`, `&` or `%`.
fn bare(script: &Path) -> &std::ffi::OsStr {
    script.file_name().unwrap_or(script.as_os_str())
}

/// `sh SCRIPT ARGS` (`cmd /d /c SCRIPT ARGS` on Windows, without AutoRun) in `cwd`.
fn script_command(script: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut c = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/d", "/c"]).arg(bare(script));
        c
    } else {
        let mut c = Command::new("sh");
        c.arg(bare(script));
        c
    };
    c.args(args).current_dir(cwd);
    c
}

/// A console window running the script, where the platform has one.
fn console_command(script: &Path, cwd: &Path, args: &[&str]) -> Option<Command> {
    if cfg!(windows) {
        let mut c = Command::new("cmd");
        // `start` opens a new console; `cmd /k` keeps it open after the server stops.
        c.args(["/d", "/c", "start", "Lanparty server", "cmd", "/d", "/k"])
            .arg(bare(script))
            .args(args)
            .current_dir(cwd);
        return Some(c);
    }
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let terminal = which("x-terminal-emulator")?;
    if !has_display {
        return None;
    }
    let mut c = Command::new(terminal);
    c.arg("-e").arg("sh").arg(bare(script)).args(args).current_dir(cwd);
    Some(c)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
}

/// Starts the script with its output appended to `log`; returns its pid without waiting.
fn spawn_logged(script: &Path, cwd: &Path, args: &[&str], log: &Path) -> Result<u32, LaunchError> {
    let (out, err) = log_files(log)?;
    let child = script_command(script, cwd, args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|source| LaunchError::Spawn { script: script.to_path_buf(), source })?;
    let pid = child.id();
    reap(child);
    Ok(pid)
}

/// The log file, opened for appending twice (stdout and stderr).
fn log_files(log: &Path) -> Result<(fs::File, fs::File), LaunchError> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir).map_err(Launch::io(dir))?;
    }
    let out = fs::OpenOptions::new().create(true).append(true).open(log).map_err(Launch::io(log))?;
    let err = out.try_clone().map_err(Launch::io(log))?;
    Ok((out, err))
}

/// Waits for a launched process on its own thread, so it leaves no zombie behind.
fn reap(mut child: std::process::Child) {
    std::thread::spawn(move || {
        let _ = child.wait();
    });
}
