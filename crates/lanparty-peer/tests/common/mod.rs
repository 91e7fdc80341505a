//! A harness for running the real `lanparty-peer` binary: JSON lines in, JSON lines out.

#![allow(dead_code)]

pub mod netns;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_lanparty-peer");

/// A running `lanparty-peer`, killed when dropped.
pub struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
    /// Every line read so far, for assertions on order and for failure messages.
    pub seen: Vec<Value>,
    /// Lines that arrived while `ask` waited for its answer, not yet looked at by `next`:
    /// an event may overtake the answer to the command that caused it.
    backlog: VecDeque<Value>,
}

impl Peer {
    pub fn spawn(args: &[&str]) -> Peer {
        Peer::spawn_command(Command::new(BIN), args)
    }

    /// Runs the binary through `command` (for example under `setpriv`), then `args`.
    pub fn spawn_command(mut command: Command, args: &[&str]) -> Peer {
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn lanparty-peer");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Peer { child, stdin, lines, seen: Vec::new(), backlog: VecDeque::new() }
    }

    pub fn send(&mut self, command: Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}").expect("write command");
        stdin.flush().expect("flush command");
    }

    pub fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).expect("write raw");
        stdin.flush().expect("flush raw");
    }

    /// The next line, within `timeout`: first any that `ask` passed over.
    pub fn next(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(line) = self.backlog.pop_front() {
            return Some(line);
        }
        let line = self.lines.recv_timeout(timeout).ok()?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Reads until a line of `type` arrives (within 20 s) and returns it.
    pub fn expect(&mut self, kind: &str) -> Value {
        self.expect_where(kind, Duration::from_secs(20), |_| true)
    }

    /// Reads until a line of `type` that `accept` takes arrives within `timeout`.
    pub fn expect_where(&mut self, kind: &str, timeout: Duration, accept: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some(line) if line["type"] == kind && accept(&line) => return line,
                Some(_) => continue,
                None => panic!("no `{kind}` line within {timeout:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// Sends `command` and returns its answer (the next line of type `answer` or `error`).
    pub fn ask(&mut self, command: Value, answer: &str) -> Value {
        let id = json!(format!("q{}", self.seen.len()));
        let mut command = command;
        command["id"] = id.clone();
        self.send(command.clone());
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut passed = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some(line) if line["id"] == id => {
                    assert_eq!(line["type"], answer, "unexpected answer: {line}");
                    // Events that came first stay readable, in order, ahead of newer lines.
                    for line in passed.into_iter().rev() {
                        self.backlog.push_front(line);
                    }
                    return line;
                }
                Some(line) => passed.push(line),
                None => panic!("no answer to {command}; saw {:#?}", self.seen),
            }
        }
    }

    /// Sends `shutdown` and waits for the process to exit.
    pub fn shutdown(mut self) -> ExitStatus {
        self.ask(json!({"cmd": "shutdown"}), "shutdown");
        self.wait(Duration::from_secs(20)).expect("peer exits after shutdown")
    }

    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh games folder and state folder in a temp dir.
pub struct Dirs {
    pub tmp: tempfile::TempDir,
    pub games: PathBuf,
    pub state: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        let tmp = tempfile::tempdir().expect("temp dir");
        let games = tmp.path().join("games");
        let state = tmp.path().join("state");
        std::fs::create_dir_all(&games).expect("games dir");
        Dirs { tmp, games, state }
    }

    /// Flags for a peer on this folder: any free port, no mDNS (tests on one machine must not
    /// find each other, or peers of other tests, by multicast).
    pub fn args(&self) -> Vec<String> {
        vec![
            "--games-dir".into(),
            self.games.display().to_string(),
            "--state-dir".into(),
            self.state.display().to_string(),
            "--port".into(),
            "0".into(),
            "--no-mdns".into(),
        ]
    }
}

pub fn str_args(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Writes a downloaded game of the bundled catalog: one archive and a root version.ini.
pub fn make_game(games: &Path, id: &str, version: &str, archive: &[u8]) -> PathBuf {
    let root = games.join(id);
    std::fs::create_dir_all(&root).expect("game root");
    std::fs::write(root.join(format!("{id}.rar")), archive).expect("archive");
    std::fs::write(root.join("version.ini"), version).expect("version.ini");
    // Files modified seconds before a scan are deliberately not cached; these are "old".
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in [format!("{id}.rar"), "version.ini".to_owned()] {
        let file = std::fs::File::options().write(true).open(root.join(name)).expect("open");
        file.set_modified(hour_ago).expect("set mtime");
    }
    root
}
