//! The JSON-lines protocol of `lanparty-peer`: reading bounded command lines, parsing them
//! into commands, running them against the runtime and writing one JSON object per line.

use lanparty_core::Runtime;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// Longest accepted command line, in bytes.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The commands this peer understands, with the arguments each accepts.
const COMMANDS: &[(&str, &[&str])] = &[
    ("status", &[]),
    ("list-games", &[]),
    ("rescan", &[]),
    ("peers", &[]),
    ("add-peer", &["addr"]),
    ("remove-peer", &["addr"]),
    ("ping", &["peer"]),
    ("download", &["game"]),
    ("update", &["game"]),
    ("cancel", &["game"]),
    ("install", &["game"]),
    ("uninstall", &["game"]),
    ("unpack-log", &["game"]),
    ("remove", &["game"]),
    ("play", &["game"]),
    ("start-server", &["game"]),
    ("shutdown", &[]),
];

/// Writes JSON lines to stdout from one task, so lines from events and answers never mix.
#[derive(Clone, Debug)]
pub struct Output {
    tx: mpsc::Sender<String>,
}

impl Output {
    pub fn stdout() -> (Output, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::channel::<String>(1024);
        let writer = tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            while let Some(mut line) = rx.recv().await {
                line.push('\n');
                // A closed stdout leaves nobody to tell; the peer keeps serving.
                if stdout.write_all(line.as_bytes()).await.is_err() || stdout.flush().await.is_err() {
                    continue;
                }
            }
        });
        (Output { tx }, writer)
    }

    pub async fn send(&self, value: Value) {
        let _ = self.tx.send(value.to_string()).await;
    }

    pub async fn send_serialized<T: Serialize>(&self, value: &T) {
        match serde_json::to_string(value) {
            Ok(line) => {
                let _ = self.tx.send(line).await;
            }
            Err(e) => tracing::error!(error = %e, "cannot serialize output line"),
        }
    }
}

/// Asks the task that prints runtime events to print every event already sent, and waits until
/// it has: an answer sent after [`Barrier::flush`] follows every event its command caused before
/// returning (`download-cancelled` before `cancel`'s `cancelled`).
#[derive(Clone, Debug)]
pub struct Barrier {
    tx: mpsc::Sender<oneshot::Sender<()>>,
}

impl Barrier {
    /// A barrier and the requests its event printer answers (see [`Barrier::flush`]).
    pub fn new() -> (Barrier, mpsc::Receiver<oneshot::Sender<()>>) {
        let (tx, rx) = mpsc::channel(64);
        (Barrier { tx }, rx)
    }

    /// Returns once the event printer has printed every event sent before this call (or has
    /// stopped, when there is nothing left to wait for).
    pub async fn flush(&self) {
        let (done, printed) = oneshot::channel();
        if self.tx.send(done).await.is_ok() {
            let _ = printed.await;
        }
    }
}

/// Reads `\n`-terminated lines of at most [`MAX_LINE_BYTES`], without ever buffering more.
/// [`LineReader::next_line`] is cancel-safe: a line in progress is kept for the next call.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    eof: bool,
    /// The line in progress has passed the limit; its bytes are dropped up to its end.
    too_long: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader { inner, buf: Vec::new(), eof: false, too_long: false }
    }

    /// The next line without its terminator; `None` at end of input. A line that is too long
    /// or not UTF-8 is consumed and reported as an error.
    pub async fn next_line(&mut self) -> std::io::Result<Option<String>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if std::mem::take(&mut self.too_long) || line.len() > MAX_LINE_BYTES {
                    return Err(std::io::Error::other(format!("line longer than {MAX_LINE_BYTES} bytes")));
                }
                return String::from_utf8(line).map(Some).map_err(|_| std::io::Error::other("line is not valid UTF-8"));
            }
            if self.buf.len() > MAX_LINE_BYTES {
                // Drop what we have; keep reading until the end of this line.
                self.too_long = true;
                self.buf.clear();
            }
            if self.eof {
                if self.buf.is_empty() && !self.too_long {
                    return Ok(None);
                }
                self.buf.push(b'\n');
                continue;
            }
            let mut chunk = [0u8; 8192];
            let n = self.inner.read(&mut chunk).await?;
            if n == 0 {
                self.eof = true;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Status,
    ListGames,
    Rescan,
    Peers,
    AddPeer(String),
    RemovePeer(String),
    Ping(String),
    Download(String),
    Update(String),
    Cancel(String),
    Install(String),
    Uninstall(String),
    /// The unpack log, of one game or (without `game`) of all.
    UnpackLog(Option<String>),
    Remove(String),
    Play(String),
    StartServer(String),
    Shutdown,
}

impl Name {
    /// Whether the command may wait on another machine or a program for long (a slow seed's
    /// manifest, a DNS lookup, a game's setup), so the commands after it run meanwhile. Every
    /// other command runs to its answer before the next line is read.
    pub fn runs_alongside(&self) -> bool {
        matches!(
            self,
            Name::Download(_)
                | Name::Update(_)
                | Name::Ping(_)
                | Name::AddPeer(_)
                | Name::Play(_)
                | Name::StartServer(_)
        )
    }
}

/// A parsed command line.
#[derive(Debug)]
pub struct Command {
    pub name: Name,
    pub cmd: String,
    /// Echoed back in the answer, for callers that match answers to requests.
    pub id: Option<Value>,
}

/// A command line that cannot be run.
#[derive(Debug)]
pub struct CommandError {
    pub cmd: Option<String>,
    pub id: Option<Value>,
    pub message: String,
}

impl CommandError {
    pub fn to_json(&self, line_no: u64) -> Value {
        let mut v = json!({"type": "error", "cmd": self.cmd, "message": format!("line {line_no}: {}", self.message)});
        if let Some(id) = &self.id {
            v["id"] = id.clone();
        }
        v
    }
}

pub fn parse_command(line: &str) -> Result<Command, CommandError> {
    let fail = |cmd: Option<String>, id: Option<Value>, message: String| CommandError { cmd, id, message };
    let value: Value = serde_json::from_str(line).map_err(|e| {
        fail(None, None, format!("not JSON ({e}); send one object per line, like {{\"cmd\":\"status\"}}"))
    })?;
    let Value::Object(mut fields) = value else {
        return Err(fail(None, None, "not a JSON object; send {\"cmd\": NAME, ...}".into()));
    };
    let id = fields.remove("id");
    let cmd = match fields.remove("cmd") {
        Some(Value::String(cmd)) => cmd,
        _ => return Err(fail(None, id, "missing \"cmd\" string field".into())),
    };
    let known = COMMANDS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let Some((_, allowed)) = COMMANDS.iter().find(|(n, _)| *n == cmd) else {
        return Err(fail(Some(cmd.clone()), id, format!("unknown command `{cmd}`; commands: {known}")));
    };
    if let Some(arg) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(fail(Some(cmd.clone()), id, format!("`{cmd}` takes no argument `{arg}`")));
    }
    let mut text = |key: &str| match fields.remove(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(fail(Some(cmd.clone()), id.clone(), format!("`{cmd}` needs a string argument `{key}`"))),
    };
    let name = match cmd.as_str() {
        "status" => Name::Status,
        "list-games" => Name::ListGames,
        "rescan" => Name::Rescan,
        "peers" => Name::Peers,
        "add-peer" => Name::AddPeer(text("addr")?),
        "remove-peer" => Name::RemovePeer(text("addr")?),
        "ping" => Name::Ping(text("peer")?),
        "download" => Name::Download(text("game")?),
        "update" => Name::Update(text("game")?),
        "cancel" => Name::Cancel(text("game")?),
        "install" => Name::Install(text("game")?),
        "uninstall" => Name::Uninstall(text("game")?),
        "unpack-log" => Name::UnpackLog(text("game").ok()),
        "remove" => Name::Remove(text("game")?),
        "play" => Name::Play(text("game")?),
        "start-server" => Name::StartServer(text("game")?),
        _ => Name::Shutdown,
    };
    Ok(Command { name, cmd, id })
}

/// Runs one command and writes its answer (with the command's `id`), after every event the
/// command caused.
pub async fn execute(runtime: &Runtime, out: &Output, barrier: &Barrier, command: Command) {
    let failed = |e: &dyn std::fmt::Display| json!({"type": "error", "cmd": command.cmd, "message": e.to_string()});
    let answer = match &command.name {
        Name::Status => runtime.library_status().await.map(|library| {
            json!({
                "type": "status",
                "peer_id": runtime.peer_id(),
                "short_id": runtime.peer_id().short(),
                "name": runtime.name(),
                "games_dir": runtime.games_dir(),
                "state_dir": runtime.state_dir(),
                "library": library,
                "operations": runtime.operations().into_iter().map(|(game, what)| json!({"game": game, "operation": what})).collect::<Vec<_>>(),
                "uploaded_bytes": runtime.uploaded_bytes(),
            })
        }),
        Name::ListGames => runtime.list_games().await.map(|snapshot| tagged("games", &snapshot)),
        Name::Rescan => runtime.rescan().await.map(|report| tagged("rescanned", &report)),
        Name::Peers => Ok(json!({"type": "peers", "peers": runtime.peers()})),
        Name::AddPeer(addr) => Ok(match runtime.add_peer(addr).await {
            Ok(resolved) => json!({"type": "peer-added", "addr": addr, "resolved": resolved.to_string()}),
            Err(e) => failed(&e),
        }),
        Name::RemovePeer(addr) => Ok(match runtime.remove_peer(addr).await {
            Ok(true) => json!({"type": "peer-removed", "addr": addr}),
            Ok(false) => failed(&format!("`{addr}` is not a known peer address; see the peers list")),
            Err(e) => failed(&e),
        }),
        Name::Ping(peer) => Ok(match runtime.ping(peer).await {
            Ok(rtt) => json!({"type": "pong", "peer": peer, "rtt_ms": rtt.as_secs_f64() * 1e3}),
            Err(e) => failed(&e),
        }),
        Name::Download(game) => Ok(match runtime.download(game).await {
            Ok(started) => tagged("downloading", &started),
            Err(e) => failed(&e),
        }),
        Name::Update(game) => Ok(match runtime.update(game).await {
            Ok(started) => tagged("updating", &started),
            Err(e) => failed(&e),
        }),
        Name::Cancel(game) => Ok(match runtime.cancel(game).await {
            Ok(()) => json!({"type": "cancelled", "game": game}),
            Err(e) => failed(&e),
        }),
        Name::Install(game) => Ok(match runtime.install(game).await {
            Ok(update) => json!({"type": "installing", "game": game, "update": update}),
            Err(e) => failed(&e),
        }),
        Name::Uninstall(game) => Ok(match runtime.uninstall(game).await {
            Ok(()) => json!({"type": "uninstalled", "game": game}),
            Err(e) => failed(&e),
        }),
        Name::UnpackLog(game) => {
            let runs: Vec<_> =
                runtime.unpack_log().into_iter().filter(|r| game.as_ref().is_none_or(|g| &r.game == g)).collect();
            Ok(json!({"type": "unpack-log", "runs": runs}))
        }
        Name::Remove(game) => Ok(match runtime.remove(game).await {
            Ok(()) => json!({"type": "removed", "game": game}),
            Err(e) => failed(&e),
        }),
        Name::Play(game) => Ok(match runtime.play(game).await {
            Ok(launched) => {
                let mut line = tagged("launched", &launched);
                line["game"] = json!(game);
                line
            }
            Err(e) => failed(&e),
        }),
        Name::StartServer(game) => Ok(match runtime.start_server(game).await {
            Ok(launched) => {
                let mut line = tagged("server-started", &launched);
                line["game"] = json!(game);
                line
            }
            Err(e) => failed(&e),
        }),
        Name::Shutdown => Ok(json!({"type": "shutdown"})),
    };
    let mut line = answer.unwrap_or_else(|e| failed(&e));
    if let Some(id) = command.id {
        line["id"] = id;
    }
    barrier.flush().await;
    out.send(line).await;
}

/// `value`'s fields with `"type": kind` in front.
fn tagged<T: Serialize>(kind: &str, value: &T) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::String(kind.into()));
    if let Ok(Value::Object(fields)) = serde_json::to_value(value) {
        map.extend(fields);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_lines() {
        let c = parse_command(r#"{"cmd":"list-games","id":7}"#).unwrap();
        assert_eq!((c.name, c.id), (Name::ListGames, Some(json!(7))));
        for (line, needle) in [
            ("nope", "not JSON"),
            ("[1]", "not a JSON object"),
            (r#"{"cmd":3}"#, "missing \"cmd\""),
            (r#"{"cmd":"dance"}"#, "unknown command `dance`"),
            (r#"{"cmd":"status","x":1}"#, "no argument `x`"),
            (r#"{"cmd":"add-peer"}"#, "needs a string argument `addr`"),
            (r#"{"cmd":"download","game":7}"#, "needs a string argument `game`"),
        ] {
            let e = parse_command(line).unwrap_err();
            assert!(e.message.contains(needle), "{line}: {}", e.message);
        }
    }

    #[tokio::test]
    async fn line_reader_bounds_lines() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let input = format!("a\r\n{long}\nb\nlast");
        let mut r = LineReader::new(input.as_bytes());
        assert_eq!(r.next_line().await.unwrap(), Some("a".into()));
        assert!(r.next_line().await.is_err());
        assert_eq!(r.next_line().await.unwrap(), Some("b".into()));
        assert_eq!(r.next_line().await.unwrap(), Some("last".into()));
        assert_eq!(r.next_line().await.unwrap(), None);
    }
}
