//! `lanparty-peer`: the headless Lanparty peer.
//!
//! It hosts the runtime for a machine without a screen (the organiser's file server) and for
//! scripted tests. Its interface is a contract, documented in the README: one JSON object per
//! line in (`{"cmd": NAME, ...}`), one JSON object per line out, each with a `type`. The first
//! line out is `ready`; every command gets its answer or an `error` line; runtime events are
//! printed as they happen. Logs go to stderr, never stdout.

mod protocol;

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use clap::Parser;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use lanparty_core::Event;
use lanparty_core::catalog::Catalog;
use lanparty_core::install::unpack;
use lanparty_core::library::check_games_dir;
use lanparty_core::{Config, Runtime, StartError};
use serde_json::json;
use tokio::sync::{broadcast, mpsc, oneshot};

use protocol::{Barrier, LineReader, Output};

/// Exit codes, documented in the README.
mod exit {
    /// Shut down by `shutdown`, SIGINT or SIGTERM.
    pub const OK: u8 = 0;
    /// The runtime failed unexpectedly.
    pub const FAILURE: u8 = 1;
    // 2 is clap's usage error.
    /// The state folder cannot be created or written, or the identity in it is unreadable.
    pub const STATE_DIR: u8 = 3;
    /// The catalog given with --catalog cannot be read or is invalid.
    pub const CATALOG: u8 = 4;
    /// The UDP port cannot be bound, or a --peer address cannot be resolved.
    pub const NETWORK: u8 = 5;
}

/// The headless Lanparty peer: shares the games in a folder with every Lanparty on the LAN.
///
/// Commands arrive as JSON lines on stdin, answers and events leave as JSON lines on stdout.
/// End of input does not stop the peer: send {"cmd":"shutdown"} or SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "lanparty-peer", version, after_help = EXIT_CODES)]
struct Args {
    /// Folder holding one sub-folder per game.
    #[arg(long, value_name = "DIR")]
    games_dir: PathBuf,
    /// Folder for this peer's own state (identity, hash cache, logs).
    /// Default: the platform's data folder, under lanparty-peer.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Catalog file to use instead of the bundled one.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Name shown to other players (at most 64 characters). Default: this machine's host name.
    #[arg(long, value_parser = display_name)]
    name: Option<String>,
    /// Seconds between full rescans of the games folder.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    rescan_interval: u64,
    /// Milliseconds of quiet after a change in a game folder before it is rescanned.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    debounce_ms: u64,
    /// UDP port to serve peers on; 0 takes any free port. When taken, the next free one is used.
    #[arg(long, value_name = "PORT", default_value_t = lanparty_core::net::DEFAULT_PORT)]
    port: u16,
    /// A peer to connect to by address, for networks where mDNS does not pass (repeatable).
    #[arg(long = "peer", value_name = "HOST:PORT")]
    peers: Vec<String>,
    /// Do not announce or look for peers with mDNS.
    #[arg(long)]
    no_mdns: bool,
    /// Most MiB per second to serve to all peers together (0 for no limit).
    #[arg(long, value_name = "MIB_PER_S", default_value_t = 0.0)]
    upload_limit: f64,
    /// The RAR extractor to install games with. Default: lanparty-unrar beside this program.
    #[arg(long, value_name = "PATH")]
    unrar: Option<PathBuf>,
    /// Do not install a game by itself when its download finishes.
    #[arg(long)]
    no_auto_install: bool,
    /// The player's name, given to games (1 to 31 bytes). Default: this user's login name.
    #[arg(long, value_parser = username)]
    username: Option<String>,
    /// The player's Steam language (`english`, `german`, ...), given to games.
    #[arg(long, value_parser = language, default_value = "english")]
    language: String,
}

fn username(s: &str) -> Result<String, String> {
    lanparty_core::launch::Username::new(s).map(|u| u.as_str().to_owned()).map_err(|e| e.to_string())
}

fn language(s: &str) -> Result<String, String> {
    lanparty_core::launch::Language::new(s).map(|l| l.as_str().to_owned()).map_err(|e| e.to_string())
}

/// The login name, if it is a valid username; else "Player".
fn default_username() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find_map(|u| username(&u).ok())
        .unwrap_or_else(|| "Player".to_owned())
}

fn display_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > lanparty_core::proto::MAX_NAME_CHARS || s.chars().any(char::is_control) {
        return Err(format!("use 1 to {} characters, no control characters", lanparty_core::proto::MAX_NAME_CHARS));
    }
    Ok(s.to_owned())
}

const EXIT_CODES: &str = "Exit codes:
  0  shut down by the shutdown command, SIGINT or SIGTERM
  1  unexpected runtime failure
  2  invalid command-line arguments
  3  the state folder cannot be created or written
  4  the catalog file cannot be read or is invalid
  5  the UDP port cannot be bound, or a --peer address cannot be resolved";

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let code = runtime.block_on(run(args));
    // Stdin is read by a blocking thread that no signal interrupts: do not wait for it, or a
    // SIGTERM with the input still open would hang until the next line.
    runtime.shutdown_background();
    ExitCode::from(code)
}

async fn run(args: Args) -> u8 {
    let (out, writer) = Output::stdout();

    let catalog = match &args.catalog {
        None => Catalog::bundled(),
        Some(path) => match Catalog::load(path) {
            Ok(c) => c,
            Err(e) => {
                out.send(json!({"type": "error", "cmd": null, "message": format!("invalid catalog: {e}")})).await;
                return finish(out, writer, exit::CATALOG).await;
            }
        },
    };
    let Some(state_dir) = args.state_dir.clone().or_else(|| dirs::data_dir().map(|d| d.join("lanparty-peer"))) else {
        let message = "no data folder is known for this user: pass --state-dir";
        out.send(json!({"type": "error", "cmd": null, "message": message})).await;
        return finish(out, writer, exit::STATE_DIR).await;
    };
    let name = args.name.clone().unwrap_or_else(|| {
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let host: String =
            host.chars().filter(|c| !c.is_control()).take(lanparty_core::proto::MAX_NAME_CHARS).collect();
        if host.is_empty() { "Lanparty".to_owned() } else { host }
    });
    let mut config = Config::new(args.games_dir.clone(), state_dir, catalog, name);
    config.rescan_interval = Duration::from_secs(args.rescan_interval.max(1));
    config.debounce = Duration::from_millis(args.debounce_ms);
    config.port = Some(args.port);
    config.peers = args.peers.clone();
    config.mdns = !args.no_mdns;
    config.upload_limit = (args.upload_limit > 0.0).then_some((args.upload_limit * 1024.0 * 1024.0) as u64);
    config.auto_install = !args.no_auto_install;
    config.username = args.username.clone().unwrap_or_else(default_username);
    config.language = args.language.clone();
    let unrar = args.unrar.clone().or_else(unpack::Sidecar::beside_current_exe);
    config.unpacker = unrar.map(|program| {
        let log = unpack::UnpackLog::new(unpack::log_path(&config.state_dir));
        Arc::new(unpack::Sidecar::new(program, Some(log))) as Arc<dyn unpack::Unpacker>
    });

    let (runtime, events) = match Runtime::start(config).await {
        Ok(started) => started,
        Err(e) => {
            let code = match e {
                StartError::StateDir(_) | StartError::Identity(_) => exit::STATE_DIR,
                StartError::Net(_) | StartError::PeerAddress { .. } => exit::NETWORK,
            };
            out.send(json!({"type": "error", "cmd": null, "message": e.to_string()})).await;
            return finish(out, writer, code).await;
        }
    };
    out.send(json!({
        "type": "ready",
        "version": env!("CARGO_PKG_VERSION"),
        "peer_id": runtime.peer_id(),
        "short_id": runtime.peer_id().short(),
        "name": runtime.name(),
        "port": runtime.port(),
        "games_dir": runtime.games_dir(),
        "state_dir": runtime.state_dir(),
    }))
    .await;
    // The peer runs without its games folder (it may be a drive plugged in later), but says so.
    if let Err(e) = check_games_dir(runtime.games_dir()) {
        out.send(json!({"type": "error", "cmd": null, "message": e.to_string()})).await;
    }

    let (barrier, flushes) = Barrier::new();
    let forward = tokio::spawn(forward_events(events, out.clone(), flushes));

    let (stop_tx, mut stop_rx) = mpsc::channel::<()>(1);
    let commands = tokio::spawn(read_commands(runtime.clone(), out.clone(), barrier, stop_tx));
    tokio::select! {
        // `None` (input ended) disables this branch: a serving peer outlives its stdin.
        Some(()) = stop_rx.recv() => {}
        _ = terminated() => {}
    }
    commands.abort();
    runtime.shutdown().await;
    forward.abort();
    finish(out, writer, exit::OK).await
}

async fn finish(out: Output, writer: tokio::task::JoinHandle<()>, code: u8) -> u8 {
    drop(out);
    let _ = writer.await;
    code
}

/// Prints runtime events as they come, and on each flush request every event already sent
/// before answering it (see [`Barrier`]).
async fn forward_events(
    mut events: broadcast::Receiver<Event>,
    out: Output,
    mut flushes: mpsc::Receiver<oneshot::Sender<()>>,
) {
    let lagged = |n: u64| json!({"type": "warning", "message": format!("output fell behind; {n} events were dropped")});
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => out.send_serialized(&event).await,
                Err(broadcast::error::RecvError::Lagged(n)) => out.send(lagged(n)).await,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            Some(done) = flushes.recv() => {
                loop {
                    match events.try_recv() {
                        Ok(event) => out.send_serialized(&event).await,
                        Err(broadcast::error::TryRecvError::Lagged(n)) => out.send(lagged(n)).await,
                        Err(_) => break,
                    }
                }
                let _ = done.send(());
            }
        }
    }
}

/// Reads command lines until `shutdown`; at end of input, keeps serving.
///
/// Commands start in the order they were sent: each runs up to its first wait before the next
/// line is read, and a game's operation is claimed before any wait, so `download` then `cancel`
/// cancels that download. A command that may wait long on another machine or a program
/// ([`protocol::Name::runs_alongside`]) goes on alongside the following ones, so a `cancel` or
/// `status` is answered while a `download` waits for a slow seed; every other command answers
/// before the next line is read. All of them live in this task: aborting it drops every command
/// still running.
async fn read_commands(runtime: Runtime, out: Output, barrier: Barrier, stop: mpsc::Sender<()>) {
    let mut reader = LineReader::new(tokio::io::stdin());
    let mut running = FuturesUnordered::new();
    let mut input_open = true;
    let mut line_no = 0u64;
    loop {
        let read = tokio::select! {
            Some(()) = running.next(), if !running.is_empty() => continue,
            read = reader.next_line(), if input_open => read,
            else => return,
        };
        line_no += 1;
        let line = match read {
            Ok(Some(line)) => line,
            Ok(None) => {
                input_open = false;
                continue;
            }
            // A line that was too long or not UTF-8 has been consumed; reading goes on. Any
            // other error is the input itself failing, which would repeat forever.
            Err(e) if e.kind() != std::io::ErrorKind::Other => {
                tracing::warn!(error = %e, "cannot read commands from stdin; serving without them");
                input_open = false;
                continue;
            }
            Err(e) => {
                out.send(json!({"type": "error", "cmd": null, "message": format!("input line {line_no}: {e}")})).await;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let command = match protocol::parse_command(&line) {
            Ok(command) => command,
            Err(e) => {
                out.send(e.to_json(line_no)).await;
                continue;
            }
        };
        let shutdown = command.name == protocol::Name::Shutdown;
        let alongside = command.name.runs_alongside();
        let mut run = {
            let (runtime, out, barrier) = (runtime.clone(), out.clone(), barrier.clone());
            Box::pin(async move { protocol::execute(&runtime, &out, &barrier, command).await })
        };
        if alongside {
            // Up to its first wait here, then with the others.
            if std::future::poll_fn(|cx| Poll::Ready(run.as_mut().poll(cx))).await.is_pending() {
                running.push(run);
            }
            continue;
        }
        // To its answer, the commands running alongside going on meanwhile.
        loop {
            tokio::select! {
                () = &mut run => break,
                Some(()) = running.next(), if !running.is_empty() => {}
            }
        }
        if shutdown {
            let _ = stop.send(()).await;
            return;
        }
    }
}

#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn terminated() {
    let _ = tokio::signal::ctrl_c().await;
}
