//! Transfer benchmark, printed as figures (`just bench`, release build). Each figure is measured
//! side by side with its reference in the same run:
//!
//! - loopback, no limit: one seed to one downloader, against a bare quinn stream of the same
//!   file on the same machine (the transport's ceiling; goal ≥ 0.85 of it);
//! - an emulated 1 Gbit/s link (two network namespaces, `tc tbf` on the seed's uplink): one
//!   seed, against nginx serving the same file to curl over the same link (goal ≥ 1.0);
//! - three seeds whose uplinks are each limited to the same rate: against aria2c pulling the
//!   same file from three nginx servers on the same links (goal ≥ 1.0);
//! - the downloading peer's peak RSS during the 2 GiB download (goal < 64 MiB).
//!
//! The emulated links need root (namespaces, `tc`), nginx, curl and aria2c (Debian packages,
//! installed by `scripts/bootstrap.sh`); without them those figures are skipped, saying why.

#![allow(clippy::unwrap_used)] // a benchmark fails by panicking

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use common::netns::Lan;
use common::{BIN, Peer, str_args};

const GAME: &str = "openarena";
const FILE: &str = "openarena.rar";
const SIZE: u64 = 2 << 30;
const MIB: f64 = (1 << 20) as f64;
/// The emulated LAN: each seed's uplink.
const LINK: &str = "1gbit";
/// Rate of each of the three seeds' uplinks: together, the same gigabit. (All processes share
/// this machine's two cores, where QUIC at both ends tops out near 200 MiB/s, the loopback
/// figure's reference; links summing to more would measure this machine, not the LAN.)
const SEED_LINK: &str = "333mbit";

/// A 2 GiB game: one archive of noise (a 64 MiB random block repeated) and a version.ini.
fn make_game(dir: &Path) -> PathBuf {
    let root = dir.join(GAME);
    std::fs::create_dir_all(&root).unwrap();
    let mut block = vec![0u8; 64 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for w in block.chunks_exact_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        w.copy_from_slice(&x.to_le_bytes());
    }
    let mut f = std::fs::File::create(root.join(FILE)).unwrap();
    for _ in 0..SIZE / block.len() as u64 {
        f.write_all(&block).unwrap();
    }
    std::fs::write(root.join("version.ini"), "0.8.8").unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in [FILE, "version.ini"] {
        std::fs::File::options().write(true).open(root.join(name)).unwrap().set_modified(hour_ago).unwrap();
    }
    root
}

/// A games folder holding the game as hard links to `source` (no copy of 2 GiB).
fn linked_games(base: &Path, name: &str, source: &Path) -> PathBuf {
    let games = base.join(name).join("games");
    let root = games.join(GAME);
    std::fs::create_dir_all(&root).unwrap();
    for f in [FILE, "version.ini"] {
        std::fs::hard_link(source.join(f), root.join(f)).unwrap();
    }
    games
}

fn peer_args(base: &Path, name: &str, games: &Path, extra: &[String]) -> Vec<String> {
    let state = base.join(name).join("state");
    let mut args = vec![
        "--games-dir".into(),
        games.display().to_string(),
        "--state-dir".into(),
        state.display().to_string(),
        "--port".into(),
        "0".into(),
        "--no-mdns".into(),
        "--no-auto-install".into(),
        "--name".into(),
        name.into(),
    ];
    args.extend_from_slice(extra);
    args
}

/// Starts a peer (through `command`, e.g. inside a namespace); returns it and its port once it
/// shares what `games` holds.
fn start(command: Command, args: &[String], shares: bool) -> (Peer, u16) {
    let mut peer = Peer::spawn_command(command, &str_args(args));
    let port = peer.expect("ready")["port"].as_u64().unwrap() as u16;
    if shares {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let games = peer.ask(json!({"cmd": "list-games"}), "games");
            if games["games"].as_array().unwrap().iter().any(|g| g["id"] == GAME && g["shareable"] == true) {
                break;
            }
            assert!(Instant::now() < deadline, "seed never shared the game");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    (peer, port)
}

struct Downloaded {
    secs: f64,
    rss_mib: f64,
    peers: usize,
}

/// Downloads the game on `peer` once `n` sources offer it; seconds from command to finished.
fn download(peer: &mut Peer, n: usize) -> Downloaded {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let games = peer.ask(json!({"cmd": "list-games"}), "games");
        let copies = games["games"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == GAME)
            .map_or(0, |g| g["copies"].as_array().map_or(0, Vec::len));
        if copies >= n {
            break;
        }
        assert!(Instant::now() < deadline, "downloader never saw {n} sources");
        std::thread::sleep(Duration::from_millis(100));
    }
    let started = Instant::now();
    peer.ask(json!({"cmd": "download", "game": GAME}), "downloading");
    let done = peer.expect_where("download-finished", Duration::from_secs(600), |_| true);
    let secs = started.elapsed().as_secs_f64();
    let peers = done["peers"].as_array().map_or(0, |p| p.iter().filter(|p| p["chunks"].as_u64() > Some(0)).count());
    Downloaded { secs, rss_mib: peak_rss_mib(peer.pid()), peers }
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn rate(secs: f64) -> f64 {
    SIZE as f64 / MIB / secs
}

/// A bare quinn stream of the file, on loopback in this process: the transport's ceiling.
fn bare_quinn(file: &Path) -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let der = cert.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let mut transport = quinn::TransportConfig::default();
        transport.stream_receive_window((8u32 << 20).into()).receive_window((32u32 << 20).into()).send_window(32 << 20);
        let transport = Arc::new(transport);
        let mut server = quinn::ServerConfig::with_single_cert(vec![der.clone()], key).unwrap();
        server.transport_config(transport.clone());
        let endpoint = quinn::Endpoint::server(server, "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = endpoint.local_addr().unwrap();
        let path = file.to_path_buf();
        tokio::spawn(async move {
            let conn = endpoint.accept().await.unwrap().await.unwrap();
            let mut send = conn.open_uni().await.unwrap();
            let mut f = tokio::fs::File::open(path).await.unwrap();
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                send.write_all(&buf[..n]).await.unwrap();
            }
            send.finish().unwrap();
            conn.closed().await;
        });
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der).unwrap();
        let mut client = quinn::ClientConfig::with_root_certificates(Arc::new(roots)).unwrap();
        client.transport_config(transport);
        let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
        endpoint.set_default_client_config(client);
        let started = Instant::now();
        let conn = endpoint.connect(addr, "localhost").unwrap().await.unwrap();
        let mut recv = conn.accept_uni().await.unwrap();
        let mut total = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        while let Some(n) = recv.read(&mut buf).await.unwrap() {
            total += n as u64;
        }
        let secs = started.elapsed().as_secs_f64();
        conn.close(0u32.into(), b"done");
        assert_eq!(total, SIZE);
        rate(secs)
    })
}

fn loopback(base: &Path, source: &Path) {
    let seed_games = linked_games(base, "lo-seed", source);
    let (seed, port) = start(Command::new(BIN), &peer_args(base, "lo-seed", &seed_games, &[]), true);
    let games = base.join("lo-down/games");
    std::fs::create_dir_all(&games).unwrap();
    let args = peer_args(base, "lo-down", &games, &["--peer".into(), format!("127.0.0.1:{port}")]);
    let (mut down, _) = start(Command::new(BIN), &args, false);
    let ours = download(&mut down, 1);
    let theirs = bare_quinn(&source.join(FILE));
    println!(
        "loopback, one seed, 2 GiB: {:.0} MiB/s; bare quinn stream of the same file: {:.0} MiB/s; ratio {:.2} (goal >= 0.85); downloader peak RSS {:.1} MiB",
        rate(ours.secs),
        theirs,
        rate(ours.secs) / theirs,
        ours.rss_mib
    );
    down.shutdown();
    seed.shutdown();
    let _ = std::fs::remove_dir_all(base.join("lo-down"));
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(mut c: Command) {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Limits host `i`'s uplink to `rate` with a token bucket.
fn limit(lan: &Lan, i: usize, rate: &str) {
    let mut c = lan.command(i, "tc");
    c.args(["qdisc", "add", "dev", "eth0", "root", "tbf", "rate", rate, "burst", "1mb", "latency", "20ms"]);
    run(c);
}

/// nginx in host `i` serving `games` on port 8080.
fn nginx(lan: &Lan, i: usize, games: &Path, dir: &Path) -> Child {
    std::fs::create_dir_all(dir).unwrap();
    let conf = format!(
        "user root; daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{}}\n\
         http {{ access_log off; sendfile on; tcp_nopush on;\n\
           client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
           uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           server {{ listen {addr}:8080; root {root}; }} }}\n",
        d = dir.display(),
        addr = lan.addr(i),
        root = games.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut c = lan.command(i, "nginx");
    c.args(["-c", &dir.join("nginx.conf").display().to_string(), "-p", &dir.display().to_string()]);
    let child = c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    child
}

/// Stops nginx the way that also stops its worker (SIGTERM to the master).
fn stop(mut child: Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

fn one_seed_link(base: &Path, source: &Path) {
    let Some(lan) = Lan::new(2) else { return };
    limit(&lan, 0, LINK);
    let seed_games = linked_games(base, "l1-seed", source);
    let seed_args = peer_args(base, "l1-seed", &seed_games, &[]);
    let (seed, port) = start(lan.command(0, BIN), &seed_args, true);
    let games = base.join("l1-down/games");
    std::fs::create_dir_all(&games).unwrap();
    let args = peer_args(base, "l1-down", &games, &["--peer".into(), format!("{}:{port}", lan.addr(0))]);
    let (mut down, _) = start(lan.command(1, BIN), &args, false);
    let ours = download(&mut down, 1);
    down.shutdown();
    seed.shutdown();
    let _ = std::fs::remove_dir_all(base.join("l1-down"));

    let server = nginx(&lan, 0, &seed_games, &base.join("l1-nginx"));
    let out = base.join("l1-curl.bin");
    let started = Instant::now();
    let mut c = lan.command(1, "curl");
    c.args(["-sSf", "-o", &out.display().to_string(), &format!("http://{}:8080/{GAME}/{FILE}", lan.addr(0))]);
    run(c);
    let curl = started.elapsed().as_secs_f64();
    stop(server);
    let _ = std::fs::remove_file(out);
    println!(
        "1 Gbit/s link, one seed, 2 GiB: {:.1} MiB/s; nginx to curl: {:.1} MiB/s; ratio {:.2} (goal >= 1.0); downloader peak RSS {:.1} MiB (goal < 64 MiB)",
        rate(ours.secs),
        rate(curl),
        curl / ours.secs,
        ours.rss_mib
    );
}

fn three_seed_links(base: &Path, source: &Path) {
    let Some(lan) = Lan::new(4) else { return };
    let mut seeds = Vec::new();
    let mut peers = Vec::new();
    for i in 0..3 {
        limit(&lan, i, SEED_LINK);
        let name = format!("l3-seed{i}");
        let games = linked_games(base, &name, source);
        let (seed, port) = start(lan.command(i, BIN), &peer_args(base, &name, &games, &[]), true);
        peers.extend(["--peer".to_owned(), format!("{}:{port}", lan.addr(i))]);
        seeds.push((seed, games));
    }
    let games = base.join("l3-down/games");
    std::fs::create_dir_all(&games).unwrap();
    let (mut down, _) = start(lan.command(3, BIN), &peer_args(base, "l3-down", &games, &peers), false);
    let ours = download(&mut down, 3);
    down.shutdown();
    let mut servers = Vec::new();
    for (i, (seed, games)) in seeds.into_iter().enumerate() {
        seed.shutdown();
        servers.push(nginx(&lan, i, &games, &base.join(format!("l3-nginx{i}"))));
    }
    let urls: Vec<String> = (0..3).map(|i| format!("http://{}:8080/{GAME}/{FILE}", lan.addr(i))).collect();
    let dir = base.join("l3-aria");
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let mut c = lan.command(3, "aria2c");
    c.args([
        "--quiet=true",
        "--split=3",
        "--max-connection-per-server=1",
        "--min-split-size=4M",
        "--file-allocation=falloc",
        "--allow-overwrite=true",
        "--auto-file-renaming=false",
        "--dir",
        &dir.display().to_string(),
        "--out",
        "aria.bin",
    ]);
    c.args(&urls);
    run(c);
    let aria = started.elapsed().as_secs_f64();
    for s in servers {
        stop(s);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(base.join("l3-down"));
    println!(
        "three seeds at {SEED_LINK} each, 2 GiB: {:.1} MiB/s from {} seeds; aria2c from three nginx: {:.1} MiB/s; ratio {:.2} (goal >= 1.0); downloader peak RSS {:.1} MiB",
        rate(ours.secs),
        ours.peers,
        rate(aria),
        aria / ours.secs,
        ours.rss_mib
    );
}

fn main() {
    println!("transfer benchmark (2 GiB game)");
    let base = tempfile::Builder::new().prefix("lanparty-bench").tempdir_in("/var/tmp").unwrap();
    let source = make_game(&base.path().join("source"));
    // `cargo bench --bench transfer -- NAME...` runs only the named cases (loopback, link, seeds).
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |case: &str| only.is_empty() || only.iter().any(|o| o == case);
    if wanted("loopback") {
        loopback(base.path(), &source);
    }
    if !wanted("link") && !wanted("seeds") {
        return;
    }
    let missing: Vec<&str> = ["nginx", "curl", "aria2c", "tc"].into_iter().filter(|t| !have(t)).collect();
    if !missing.is_empty() {
        println!("emulated links: skipped ({} not installed; scripts/bootstrap.sh installs them)", missing.join(", "));
        return;
    }
    if wanted("link") {
        one_seed_link(base.path(), &source);
    }
    if wanted("seeds") {
        three_seed_links(base.path(), &source);
    }
}
